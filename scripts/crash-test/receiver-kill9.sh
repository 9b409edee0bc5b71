#!/usr/bin/env bash
# Crash test of dcmrecv's durability: while a pynetdicom sender stores COUNT new instances, dcmrecv
# is killed with SIGKILL at a random moment and restarted (start-up recovery runs); after each
# repetition every instance that got a success status must be indexed, present and completely
# readable, and no indexed object may be partial.
# Usage: scripts/crash-test/receiver-kill9.sh [REPETITIONS=20] [COUNT=500]
#   TANDEM_BIN=DIR  directory holding dcmrecv and dcmsynth (default .build/release)
# Prints one line per repetition and a total; exits 1 on the first violation.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${TANDEM_BIN:-$REPO/.build/release}
REPETITIONS=${1:-20}
COUNT=${2:-500}
WORK=$(mktemp -d /tmp/tandem-crash.XXXXXX)
ROOT=$WORK/root
RECEIVER=""

cleanup() {
    if [ -n "$RECEIVER" ]; then kill -9 "$RECEIVER" 2>/dev/null || true; wait "$RECEIVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=receiver-lib.sh
source "$HERE/receiver-lib.sh"
PORT=$(free_port)

"$BIN/dcmsynth" --out "$WORK/templates" --modality CT --instances 20 --instance-size 8k >/dev/null
start_receiver "$ROOT" CRASH
total_acked=0
for rep in $(seq "$REPETITIONS"); do
    acks=$WORK/acked-$rep.txt
    python3 "$HERE/acked-sender.py" 127.0.0.1 "$PORT" CRASH "$WORK/templates" "$acks" "$COUNT" 300 \
        >"$WORK/sender-$rep.log" 2>&1 &
    sender=$!
    sleep "$(python3 -c 'import random; print(f"{random.uniform(0.05, 1.5):.2f}")')"
    kill -9 "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true
    start_receiver "$ROOT" CRASH
    wait "$sender" || { echo "repetition $rep: sender failed" >&2; cat "$WORK/sender-$rep.log" >&2; exit 1; }
    result=$(python3 "$HERE/verify-archive.py" "$ROOT" <(cat "$WORK"/acked-*.txt)) || {
        echo "repetition $rep: $result" >&2; exit 1; }
    acked=$(wc -l <"$acks")
    total_acked=$((total_acked + acked))
    echo "repetition $rep: $(cat "$WORK/sender-$rep.log" | tail -1); archive: $result"
done
echo "total: $REPETITIONS kills, $total_acked acknowledged, all present and indexed"
