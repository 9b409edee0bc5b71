#!/usr/bin/env bash
# dcmroute vs dcmsend delivering the same 500-instance 512 KB CT study to DCMTK storescp
# (TCP_NODELAY forced on), alternating in one run. dcmroute's time is a whole `dcmroute once`:
# start, route, claim, deliver over one association, record every instance, conclude.
# Prints the medians and dcmroute/dcmsend (target: at most 1.2).
# Usage: scripts/bench/route.sh [ROUNDS]   (TANDEM_BIN=DIR to use already built tools)
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
DCMTK_BIN=${DCMTK_BIN:-/usr/bin}
COUNT=500
build_release

"$BIN/dcmsynth" --out "$WORK/ct" --modality CT --instances "$COUNT" --instance-size 512k >/dev/null

SCP_PORT=$(free_port)
mkdir -p "$WORK/scp"
LD_PRELOAD=$SHIM "$DCMTK_BIN/storescp" --fork -od "$WORK/scp" -aet STORESCP "$SCP_PORT" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$SCP_PORT"

# One [[peer]] per round, all the same storescp: each round's job delivers the whole study anew.
ROOT=$WORK/root
mkdir -p "$ROOT"
{
    printf '[node]\nae_title = "TANDEM"\n'
    for round in $(seq "$ROUNDS"); do
        printf '\n[[peer]]\nae_title = "DEST%s"\nhost = "127.0.0.1"\nport = %s\n' "$round" "$SCP_PORT"
    done
} > "$ROOT/tandem.toml"

# Load the study into the archive (not timed).
RECV_PORT=$(free_port)
"$BIN/dcmrecv" --root "$ROOT" --bind 127.0.0.1 --port "$RECV_PORT" -q &
RECV_PID=$!
PIDS+=($RECV_PID)
wait_port "$RECV_PORT"
"$BIN/dcmsend" -q -aec TANDEM 127.0.0.1 "$RECV_PORT" "$WORK/ct" >/dev/null
kill "$RECV_PID"; wait "$RECV_PID" || true
STUDY=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT study_uid FROM study').fetchone()[0])" "$ROOT/index.sqlite")

run_dcmsend() { "$BIN/dcmsend" -q -aet TANDEM -aec STORESCP 127.0.0.1 "$SCP_PORT" "$WORK/ct"; }
run_dcmroute() { "$BIN/dcmroute" once -q --root "$ROOT"; }

# A timing counts only if every instance arrived.
received() {
    local got; got=$(find "$WORK/scp" -type f | wc -l)
    if [ "$got" -ne "$COUNT" ]; then echo "only $got of $COUNT instances arrived ($1)" >&2; exit 1; fi
    rm -rf "${WORK:?}/scp/"*
}

send_times=(); route_times=()
for round in $(seq "$ROUNDS"); do
    send_times+=("$(seconds run_dcmsend)"); received dcmsend
    "$BIN/dcmroute" enqueue --root "$ROOT" --study "$STUDY" --to "DEST$round" >/dev/null
    route_times+=("$(seconds run_dcmroute)"); received dcmroute
done
s=$(median "${send_times[@]}"); r=$(median "${route_times[@]}")
echo "500 x 512 KB CT: dcmsend ${s}s  dcmroute once ${r}s  dcmroute/dcmsend x$(ratio "$r" "$s") (target <= 1.2)"
