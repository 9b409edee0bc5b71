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
    local mnt=$1 net=$2 p
    # Never match the host's own namespaces: that would be everything.
    [ "$mnt" != "$(readlink /proc/1/ns/mnt)" ] && [ "$net" != "$(readlink /proc/1/ns/net)" ] || return 0
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

# Kills every process we started in the site namespace (test clients), by PID.
stop_site_processes() { kill_namespace_pids "" "$(netns_id "$SITE_NS")" "the site"; }

# Removes everything the lab created. Safe to run repeatedly and after a failed start.
teardown() {
    local node loop
    for node in "${NODES[@]}"; do power_off "$node" || true; done
    stop_site_processes
    for node in "${NODES[@]}"; do ip netns del "$(node_ns "$node")" 2>/dev/null || true; done
    ip netns del "$SITE_NS" 2>/dev/null || true
    if [ -f "$LAB_STATE/loop.dev" ]; then
        loop=$(cat "$LAB_STATE/loop.dev")
        # Detach only if it still backs our image (the number may have been reused).
        if losetup -n -O BACK-FILE "$loop" 2>/dev/null | grep -qF "$LAB_STATE/shared.img"; then
            losetup -d "$loop" || log "could not detach $loop"
        fi
    fi
    case "$LAB_STATE" in /tmp/?*|/var/tmp/?*|*/tandem-ha-lab*) rm -rf "$LAB_STATE" ;; *) log "left $LAB_STATE in place" ;; esac
}
