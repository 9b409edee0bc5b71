#!/usr/bin/env bash
# Failover time against archive size: from `clusterctl promote` (run with the shipped hooks,
# which start dcmrecv under the new epoch) to the first C-STORE that DCMTK's storescu gets
# acknowledged, on a data root holding N indexed instances (synthesised straight into the
# index, each with its small file). Start-up recovery settles only the incoming/ journal, so
# the time should not grow with N. Also times `clusterctl fsck` (the whole-archive check).
# Usage: scripts/bench/recovery.sh [N...]      (default: 10000 100000 1000000)
#   TANDEM_BIN=DIR  built tools (default: release build)
# Needs about 5 GB and 1.1 M inodes under $TMPDIR per million instances.
source "$(dirname "$0")/common.sh"
build_release
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000 1000000)
"$BIN/dcmsynth" --out "$WORK/probe" --modality CT --instances 1 --instance-size 8k >/dev/null
PROBE=$(find "$WORK/probe" -type f | head -1)

for n in "${SIZES[@]}"; do
    root=$WORK/root-$n run=$WORK/run-$n logs=$WORK/logs-$n
    port=$(free_port)
    mkdir -p "$root" "$run" "$logs"
    printf '[node]\nae_title = "TANDEM"\ndicom_port = %s\nbind = "127.0.0.1"\n' "$port" >"$root/tandem.toml"
    # One start creates and migrates the index; then the archive is filled behind its back.
    "$BIN/dcmrecv" -q --root "$root" >"$logs/first.log" 2>&1 &
    first=$!
    wait_port "$port"
    kill "$first"; wait "$first" || true
    start=$(date +%s.%N)
    python3 "$BENCH_DIR/synth-archive.py" "$root" "$n" >/dev/null
    filled=$(python3 -c "print(f'{$(date +%s.%N)-$start:.1f}')")
    sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true  # cold caches where allowed

    export TANDEM_BIN_DIR=$BIN TANDEM_RUN_DIR=$run TANDEM_LOG_DIR=$logs TANDEM_SERVICES=dcmrecv
    start=$(date +%s.%N)
    "$BIN/clusterctl" promote --root "$root" --node bench --hooks "$REPO/scripts/hooks" >"$logs/promote.log" 2>&1 &
    promote=$!
    acknowledged=""
    for _ in $(seq 6000); do  # at most 10 minutes
        if /usr/bin/storescu -aec TANDEM -to 1 127.0.0.1 "$port" "$PROBE" >/dev/null 2>&1; then
            acknowledged=$(date +%s.%N); break
        fi
        sleep 0.01
    done
    wait "$promote" || { echo "promote failed:"; cat "$logs/promote.log"; }
    pid=$(cat "$run/dcmrecv.pid"); PIDS+=("$pid")
    [ -n "$acknowledged" ] || { echo "no C-STORE acknowledged within 10 minutes at N=$n"; exit 1; }
    failover=$(python3 -c "print(f'{$acknowledged-$start:.3f}')")
    fsck=$(seconds "$BIN/clusterctl" fsck --root "$root")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "N=$n  promote → first acknowledged C-STORE: ${failover} s  (clusterctl fsck: ${fsck} s; fill ${filled} s)"
    rm -rf "$root"
done
