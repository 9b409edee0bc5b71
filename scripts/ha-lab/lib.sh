# Shared pieces of the two-node HA lab: topology, node "machines", bounded waits, cleanup.
# Sourced by pacemaker-lab and keepalived-lab; not run on its own.
#
# A lab node is a network namespace plus a mount/UTS namespace held open by a
# "holder" process. Everything of that node (corosync, pacemaker, keepalived,
# the Tandem services) runs inside both, so killing every process of the
# node's namespaces behaves like pulling its power cord.

LAB_PREFIX=${LAB_PREFIX:-tlab}
LAB_STATE=${LAB_STATE:-/tmp/tandem-ha-lab}
LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NODES=(node1 node2)
SITE_NS=$LAB_PREFIX-site
HEARTBEAT_NET=192.168.231
SERVICE_NET=192.168.232
SITE_IP=$SERVICE_NET.10
CLUSTER_IP=$SERVICE_NET.100
DICOM_PORT=${DICOM_PORT:-11112}
AE_TITLE=${AE_TITLE:-TANDEM}
# DCMTK's tools by path: other programs of the same name may come first in PATH.
DCMTK_BIN=${DCMTK_BIN:-/usr/bin}

log() { printf '%s ha-lab: %s\n' "$(date +%T.%3N)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

require_root() { [ "$(id -u)" = 0 ] || die "must run as root (namespaces, loop devices, mounts)"; }

# One lab at a time on a machine: labs share namespace names and the state directory,
# and two clusters on two cores would miss their timings. The lab's processes inherit
# the lock, so it is free again once teardown (or `down`, which takes no lock) ended them.
LAB_LOCK=${LAB_LOCK:-/tmp/tandem-ha-lab.lock}
lab_lock() {
    exec 9>>"$LAB_LOCK"
    if ! flock -n 9; then
        log "waiting for another HA lab on this machine ($LAB_LOCK)"
        flock -w "${LAB_LOCK_WAIT:-1200}" 9 || die "another HA lab still holds $LAB_LOCK"
    fi
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.5 s; fails after SECONDS.
wait_until() {
    local limit=$1 what=$2 start
    shift 2
    start=$(now)
    until "$@" >/dev/null 2>&1; do
        if awk -v s="$start" -v l="$limit" -v n="$(now)" 'BEGIN { exit !(n - s > l) }'; then
            log "timed out after ${limit}s waiting for: $what"
            return 1
        fi
        sleep 0.5
    done
}

node_ns() { echo "$LAB_PREFIX-$1"; }
node_dir() { echo "$LAB_STATE/$1"; }
node_index() { [ "$1" = node1 ] && echo 1 || echo 2; }
other_node() { [ "$1" = node1 ] && echo node2 || echo node1; }
holder_pid() { cat "$(node_dir "$1")/holder.pid" 2>/dev/null; }
# A node is "powered on" while its namespace holder lives.
node_is_on() { local pid; pid=$(holder_pid "$1") && [ -d "/proc/$pid" ]; }

# in_node NODE COMMAND...: runs COMMAND inside the node's network, mount and UTS namespaces.
in_node() {
    local node=$1 pid
    shift
    pid=$(holder_pid "$node") || { log "$node is not running"; return 1; }
    nsenter -t "$pid" -n -m -u -- "$@"
}

in_site() { ip netns exec "$SITE_NS" "$@"; }

# The imaging centre's view: does the cluster IP answer a DICOM C-ECHO?
echo_cluster_ip() {
    in_site "$DCMTK_BIN/echoscu" -to 1 -ta 2 -td 2 -aec "$AE_TITLE" "$CLUSTER_IP" "$DICOM_PORT"
}

# Topology: heartbeat veth node1<->node2; each node's service veth on a bridge in the
# site namespace, where the imaging centre lives. Addresses exist only on these veths.
create_network() {
    local node idx ns
    if compgen -G "/run/netns/$LAB_PREFIX-*" >/dev/null; then
        die "network namespaces of an earlier lab remain ($(cd /run/netns && echo "$LAB_PREFIX"-*)): run '… down' first"
    fi
    ip netns add "$SITE_NS"
    in_site ip link set lo up
    in_site ip link add svcbr type bridge
    in_site ip addr add "$SITE_IP/24" dev svcbr
    in_site ip link set svcbr up
    for node in "${NODES[@]}"; do
        ns=$(node_ns "$node")
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip -n "$ns" link add svc0 type veth peer name "$node-svc" netns "$SITE_NS"
        in_site ip link set "$node-svc" master svcbr up
    done
    ip -n "$(node_ns node1)" link add hb0 type veth peer name hb0 netns "$(node_ns node2)"
    for node in "${NODES[@]}"; do configure_node_links "$node"; done
}

# (Re)applies a node's addresses, as a freshly booted machine would have them.
configure_node_links() {
    local node=$1 ns idx
    ns=$(node_ns "$node")
    idx=$(node_index "$node")
    ip -n "$ns" addr flush dev hb0
    ip -n "$ns" addr flush dev svc0
    ip -n "$ns" addr add "$HEARTBEAT_NET.$idx/24" dev hb0
    ip -n "$ns" addr add "$SERVICE_NET.$idx/24" dev svc0
    ip -n "$ns" link set hb0 up
    ip -n "$ns" link set svc0 up
}

# Heartbeat link down/up on node1's side (takes the veth pair's carrier down on both ends).
set_heartbeat() { ip -n "$(node_ns node1)" link set hb0 "$1"; }

# start_holder NODE: a process owning a private mount+UTS namespace inside the node's netns,
# with node-local /run, /dev/shm and cluster-manager state. Extra mounts come from
# node_extra_mounts (defined by the caller, may be empty).
start_holder() {
    local node=$1 dir pid
    dir=$(node_dir "$node")
    mkdir -p "$dir"
    setsid ip netns exec "$(node_ns "$node")" unshare --mount --uts --propagation private -- \
        sleep infinity </dev/null >>"$dir/holder.log" 2>&1 &
    disown $!  # the lab, not this shell, owns its lifetime
    pid=$!
    echo "$pid" >"$dir/holder.pid"
    wait_until 10 "$node namespace holder" holder_ready "$pid" || return 1
    in_node "$node" bash -euo pipefail -c "
        hostname $node
        mount -t tmpfs -o mode=0755 tandem-lab-run /run
        mkdir -p /run/lock /run/resource-agents /run/tandem
        mount -t tmpfs -o mode=1777 tandem-lab-shm /dev/shm
        $(node_extra_mounts "$node")
    "
}

holder_ready() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]; }

# node_pids MNT_NS NET_NS: every PID in the given mount or network namespace (either may be empty).
node_pids() {
    local mnt=$1 net=$2 p host
    # Never match the host's own namespaces (ours, and PID 1's where readable): that
    # would be everything. An empty namespace argument matches nothing.
    for host in "$(readlink /proc/self/ns/mnt)" "$(readlink /proc/1/ns/mnt 2>/dev/null)"; do
        [ -z "$host" ] || [ "$mnt" != "$host" ] || mnt=""
    done
    for host in "$(readlink /proc/self/ns/net)" "$(readlink /proc/1/ns/net 2>/dev/null)"; do
        [ -z "$host" ] || [ "$net" != "$host" ] || net=""
    done
    [ -n "$mnt$net" ] || return 0
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        { { [ -n "$mnt" ] && [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$mnt" ]; } ||
          { [ -n "$net" ] && [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$net" ]; }; } &&
            ! is_zombie "$p" && echo "$p"
    done
    return 0
}

# A zombie is already dead; it only waits for its (new) parent to reap it.
is_zombie() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" = Z ]
}

netns_id() { ip netns exec "$1" readlink /proc/self/ns/net 2>/dev/null; }

# kill_namespace_pids MNT_NS NET_NS WHAT: SIGKILL until none is left (bounded: a process
# in uninterruptible I/O on the loop-backed volume dies only when that I/O completes).
kill_namespace_pids() {
    local mnt=$1 net=$2 what=$3 pids deadline=$((SECONDS + 30))
    while pids=$(node_pids "$mnt" "$net") && [ -n "$pids" ]; do
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null || true
        [ "$SECONDS" -lt "$deadline" ] || { log "processes of $what survive SIGKILL: $pids"; return 1; }
        sleep 0.2
    done
}

# power_off NODE: links down, then SIGKILL every process of the node.
power_off() {
    local node=$1 ns pid mnt=""
    ns=$(node_ns "$node")
    pid=$(holder_pid "$node") && mnt=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null) || mnt=""
    ip -n "$ns" link set svc0 down 2>/dev/null || true
    ip -n "$ns" link set hb0 down 2>/dev/null || true
    kill_namespace_pids "$mnt" "$(netns_id "$ns")" "$node" || return 1
    rm -f "$(node_dir "$node")/holder.pid"
}

# node_is_empty NODE: no process is left in the node's network namespace.
node_is_empty() { [ -z "$(node_pids "" "$(netns_id "$(node_ns "$1")")")" ]; }

# await_fence_end NODE: a fence agent kills every process in the node's namespaces until none is
# left, in rounds 0.2 s apart; the node's holder dies in an early round. A node booted before the
# last round would be killed by it, so wait until the namespace stays empty across a round.
await_fence_end() {
    wait_until 30 "$1 emptied by the fence agent" node_is_empty "$1" || return 1
    sleep 0.5
    wait_until 30 "$1 emptied by the fence agent" node_is_empty "$1"
}

# Kills every process we started in the site namespace (test clients), by PID.
stop_site_processes() { kill_namespace_pids "" "$(netns_id "$SITE_NS")" "the site"; }

# delete_netns NAME: retried, and checked: a namespace file left behind makes the next
# lab's start fail ("File exists"); one was seen right after a teardown once.
delete_netns() {
    local attempt error=""
    for attempt in 1 2 3 4 5; do
        [ -e "/run/netns/$1" ] || return 0
        error=$(ip netns del "$1" 2>&1) || true
        [ -e "/run/netns/$1" ] || return 0
        sleep 0.5
    done
    log "could not delete network namespace $1: $error"
    return 1
}

# Removes everything the lab created. Safe to run repeatedly and after a failed start.
teardown() {
    local node loop
    for node in "${NODES[@]}"; do power_off "$node" || true; done
    stop_site_processes
    for node in "${NODES[@]}"; do delete_netns "$(node_ns "$node")" || true; done
    delete_netns "$SITE_NS" || true
    # A start that failed while seeding the volume from the host leaves it mounted there.
    if mountpoint -q "$LAB_STATE/seed" 2>/dev/null; then umount "$LAB_STATE/seed" || log "could not unmount the seed"; fi
    if [ -f "$LAB_STATE/loop.dev" ]; then
        loop=$(cat "$LAB_STATE/loop.dev")
        # Detach only if it still backs our image (the number may have been reused).
        if losetup -n -O BACK-FILE "$loop" 2>/dev/null | grep -qF "$LAB_STATE/shared.img"; then
            losetup -d "$loop" || log "could not detach $loop"
        fi
    fi
    case "$LAB_STATE" in /tmp/?*|/var/tmp/?*|*/tandem-ha-lab*) rm -rf "$LAB_STATE" ;; *) log "left $LAB_STATE in place" ;; esac
}

# ---------------------------------------------------------------------------
# Traffic, sampling and invariants, shared by both labs. The caller sets BIN_DIR,
# SERVICES, and defines dump_index (prints the index as lab-report dump-index does,
# read on the node that has the volume) and service_logs (NODE=PATH of each dcmrecv log).

LAB_REPORT=$LAB_REPO/scripts/ha-lab/lab-report
# Mount point of the shared volume in a node, when it is a mounted device (sampled).
SAMPLE_MOUNT=${SAMPLE_MOUNT:-}
# Where logs are copied when the lab fails (or LAB_KEEP_LOGS is set), before the lab state is removed.
LAB_LOGS=${LAB_LOGS:-/tmp/tandem-ha-lab-logs}
FAILED_SCENARIOS=()
# Options every scenario's lab-report gets (a lab may set them).
LAB_REPORT_OPTIONS=()

# The services a lab runs: Tandem's default (what clusterctl, the OCF agent and the hooks
# run when nobody says otherwise), unless --services named others. Only an explicit
# list is passed on to the agent and clusterctl: by default the lab runs the documented
# default configuration, with nothing overridden.
DEFAULT_SERVICES="dcmrecv dcmroute dcmweb"
SERVICES=$DEFAULT_SERVICES
EXPLICIT_SERVICES=""
lab_runs() { [[ " $SERVICES " == *" $1 "* ]]; }

# The data root's tandem.toml, shared by both nodes. [node] name stays unset: each node
# is named by its host name, and the same name on both would make promote a no-op.
write_tandem_toml() {
    cat <<TOML
[node]
ae_title = "$AE_TITLE"
dicom_port = $DICOM_PORT
TOML
    lab_runs dcmroute && cat <<TOML

# The routing destination in the imaging-centre namespace (start_route_destination).
[[peer]]
ae_title = "$ROUTE_AE_TITLE"
host = "$SITE_IP"
port = $ROUTE_PORT
services = ["store"]

[[route]]
name = "lab-to-destination"
match = { calling_ae = "SITE*" }
to = ["$ROUTE_AE_TITLE"]
trigger = "on-receive"
TOML
    return 0
}

# --- Routing destination (used once dcmroute is in --services) ---
ROUTE_AE_TITLE=LABDEST
ROUTE_PORT=11113
route_destination_log() { echo "$LAB_STATE/destination/received.log"; }

# DCMTK's storescp in the imaging-centre namespace; every reception is logged as
# "SECONDS MODALITY.UID" (storescp runs the command with a shell), so an instance
# delivered twice shows up twice, and when.
start_route_destination() {
    local dir=$LAB_STATE/destination
    mkdir -p "$dir/files"
    : >"$(route_destination_log)"
    setsid ip netns exec "$SITE_NS" "$DCMTK_BIN/storescp" -aet "$ROUTE_AE_TITLE" -od "$dir/files" \
        -xcr "echo \$(date +%s.%N) #f >> $(route_destination_log)" "$ROUTE_PORT" </dev/null >>"$dir/storescp.out" 2>&1 &
    disown $!  # the lab, not this shell, owns its lifetime; teardown kills the site's processes
    echo $! >"$dir/storescp.pid"
}

# --- Imaging-centre traffic ---
TRAFFIC_DIR=""

# start_traffic NAME: the site sender (scripts/ha-lab/site-sender) in the site namespace.
start_traffic() {
    TRAFFIC_DIR=$LAB_STATE/traffic/$1
    mkdir -p "$TRAFFIC_DIR"
    : >"$TRAFFIC_DIR/acked.log"
    setsid ip netns exec "$SITE_NS" "$LAB_REPO/scripts/ha-lab/site-sender" --dir "$TRAFFIC_DIR" \
        --host "$CLUSTER_IP" --port "$DICOM_PORT" --aet "$AE_TITLE" --synth "$BIN_DIR/dcmsynth" --max-seconds 600 \
        </dev/null >>"$TRAFFIC_DIR/sender.out" 2>&1 &
    disown $!
    echo $! >"$TRAFFIC_DIR/sender.pid"
}

acked_count() { local n; n=$(wc -l <"$TRAFFIC_DIR/acked.log" 2>/dev/null) && echo "$n" || echo 0; }
acked_at_least() { [ "$(acked_count)" -ge "$1" ]; }

# wait_for_acks N SECONDS: until N more instances than now were acknowledged.
wait_for_acks() { wait_until "$2" "$1 more acknowledged instances" acked_at_least $(($(acked_count) + $1)); }

# Asks the sender to stop after its current association; kills it (by PID) if it does not.
stop_traffic() {
    local pid
    [ -n "$TRAFFIC_DIR" ] || return 0
    touch "$TRAFFIC_DIR/stop"
    pid=$(cat "$TRAFFIC_DIR/sender.pid" 2>/dev/null) || return 0
    wait_until 90 "the site sender to finish" bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
}

# --- Sampling who is active ---
SAMPLER_PID=""

# True when PID runs the program NAME (a pid file may be stale, or the pid reused).
is_program() {
    local program
    IFS= read -r -d '' program 2>/dev/null <"/proc/$1/cmdline" && [[ $program == */$2 ]]
}

holds_cluster_ip() { ip -n "$(node_ns "$1")" -o -4 addr show dev svc0 2>/dev/null | grep -qw "inet $CLUSTER_IP"; }

# node_flags NODE: sets FLAGS to "-" when the node is powered off, else "o" plus i (holds
# the cluster IP), s (runs a Tandem service, from the pid files in its private /run) and
# m (has the shared volume mounted). Bash builtins where possible: it runs 4 times a second.
node_flags() {
    local node=$1 holder service pid mounts="" addresses
    FLAGS=-
    read -r holder 2>/dev/null <"$LAB_STATE/$node/holder.pid" && [ -d "/proc/$holder" ] || return 0
    FLAGS=o
    addresses=$(ip -n "$LAB_PREFIX-$node" -o -4 addr show dev svc0 2>/dev/null)
    [[ $addresses == *"inet $CLUSTER_IP/"* ]] && FLAGS+=i
    for service in $SERVICES; do
        read -r pid 2>/dev/null <"/proc/$holder/root/run/tandem/$service.pid" &&
            [ -n "$pid" ] && is_program "$pid" "$service" && { FLAGS+=s; break; }
    done
    if [ -n "$SAMPLE_MOUNT" ]; then
        IFS= read -r -d '' mounts 2>/dev/null <"/proc/$holder/mounts" || true
        [[ $mounts == *" $SAMPLE_MOUNT "* ]] && FLAGS+=m
    fi
    return 0
}

# sample_loop FILE LAB_PID: ends with the lab, even if the lab itself was SIGKILLed.
sample_loop() {
    set +e
    local line node
    while kill -0 "$2" 2>/dev/null && [ -d "$(dirname "$1")" ]; do
        line=$EPOCHREALTIME
        for node in "${NODES[@]}"; do node_flags "$node"; line+=" $node:$FLAGS"; done
        echo "$line" >>"$1"
        sleep 0.2
    done
}

start_sampler() { sample_loop "$1" "$$" & SAMPLER_PID=$!; }
stop_sampler() { [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""; }

# --- Scenario bracket ---
SCENARIO_START=""

# begin_scenario NAME: sampler and traffic on, and traffic acknowledged before the fault.
begin_scenario() {
    log "scenario $1"
    SCENARIO_START=$(now)
    mkdir -p "$LAB_STATE/samples"
    start_sampler "$LAB_STATE/samples/$1"
    start_traffic "$1"
    wait_for_acks 4 60 || die "$1: the imaging centre's studies are not acknowledged before the fault"
}

# end_scenario NAME FAILOVER LABEL [lab-report options...]: traffic must flow again, then the
# invariants are checked; a failed invariant is remembered (the run exits 1), not fatal.
end_scenario() {
    local name=$1 failover=$2 label=$3 report=$LAB_STATE/traffic/$1/report.txt
    shift 3
    if ! wait_for_acks 8 90; then
        log "$name: the imaging centre's traffic did not resume after recovery"
        FAILED_SCENARIOS+=("$name")
    fi
    stop_traffic
    stop_sampler
    dump_index >"$TRAFFIC_DIR/index.txt" || log "$name: could not read the index"
    local logs=() spec
    for spec in $(service_logs); do logs+=(--log "$spec"); done
    local extra=()
    lab_runs dcmroute && extra+=(--destination-log "$(route_destination_log)")
    if python3 "$LAB_REPORT" scenario --name "$name" --since "$SCENARIO_START" --failover "$failover" \
        --failover-label "$label" --traffic "$TRAFFIC_DIR" --index-dump "$TRAFFIC_DIR/index.txt" \
        --samples "$LAB_STATE/samples/$name" --results "$LAB_STATE/results.tsv" "${logs[@]}" "${extra[@]}" \
        "${LAB_REPORT_OPTIONS[@]}" "$@" \
        | tee "$report"; then
        :
    else
        FAILED_SCENARIOS+=("$name")
    fi
    log "scenario $name done in $(elapsed_since "$SCENARIO_START")s"
    TRAFFIC_DIR=""
}

# Printed at the end of a run (also after a failure), before the lab state goes.
print_summary() {
    [ -f "$LAB_STATE/results.tsv" ] || return 0
    echo "== $LAB_NAME summary =="
    python3 "$LAB_REPORT" summary "$LAB_STATE/results.tsv"
}

# Copies logs out of the lab state (removed by teardown) for a post-mortem.
save_logs() {
    local dest
    dest=$LAB_LOGS/$LAB_NAME-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$dest"
    (cd "$LAB_STATE" && find . \( -path ./shared -o -name studies \) -prune -o -type f \
        \( -name '*.log' -o -name '*.out' -o -name '*.txt' -o -name '*.tsv' -o -path './samples/*' \) \
        -exec cp --parents {} "$dest" \;) 2>/dev/null || true
    log "logs saved in $dest"
}

# The EXIT trap of `run`: summary, logs kept on failure, then everything removed.
finish_run() {
    local rc=$?
    trap - EXIT
    stop_traffic 2>/dev/null || true
    stop_sampler
    print_summary || true
    if [ "$rc" != 0 ] || [ "${#FAILED_SCENARIOS[@]}" -gt 0 ] || [ -n "${LAB_KEEP_LOGS:-}" ]; then save_logs; fi
    teardown
    if [ "${#FAILED_SCENARIOS[@]}" -gt 0 ]; then
        log "invariants failed in: $(printf '%s\n' "${FAILED_SCENARIOS[@]}" | sort -u | tr '\n' ' ')"
        [ "$rc" != 0 ] || rc=1
    fi
    exit "$rc"
}

# run_lab SCENARIO...: the `run` command of both labs, bounded and cleaned up on any exit.
run_lab() {
    require_root
    lab_lock
    trap finish_run EXIT
    # A TERM or INT (e.g. from `timeout`) must still run the EXIT trap's cleanup.
    trap 'exit 143' TERM
    trap 'exit 130' INT
    up
    local name
    for name in "$@"; do scenario "$name"; done
}
