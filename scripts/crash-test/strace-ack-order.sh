#!/usr/bin/env bash
# Checks the durability rule on the system calls themselves: dcmrecv runs under strace while
# DCMTK's storescu (or, with SENDER=dcmsend, our dcmsend with an asynchronous operations window
# of 8, so that several instances are made durable at once) sends COUNT new instances over one
# association, then strace-ack-order.py
# checks that each C-STORE success response was sent only after the object's file, the
# incoming/ directory (between the file's creation and its link), the object's directory (after
# the link) and the index's WAL (after the link) were fsynced.
# Usage: scripts/crash-test/strace-ack-order.sh [COUNT=200]
#   TANDEM_BIN=DIR  directory holding dcmrecv, dcmsend and dcmsynth (default .build/release)
#   SENDER=storescu|dcmsend  who sends (default storescu)
# Prints the number of responses checked and exits 1 on any violation, 77 when strace is missing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${TANDEM_BIN:-$REPO/.build/release}
COUNT=${1:-200}
SENDER=${SENDER:-storescu}
command -v strace >/dev/null || { echo "needs strace" >&2; exit 77; }
WORK=$(mktemp -d /tmp/tandem-strace.XXXXXX)
TRACER=""
cleanup() {
    if [ -n "$TRACER" ]; then kill "$TRACER" 2>/dev/null || true; wait "$TRACER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=../lib/ports.sh
source "$HERE/../lib/ports.sh"
PORT=$(free_port)
"$BIN/dcmsynth" --out "$WORK/set" --modality CT --instances "$COUNT" --instance-size 64k >/dev/null
strace -f -qq -s 4096 -xx -e trace=openat,link,fsync,fdatasync,write,writev,sendmsg,sendto -o "$WORK/trace" \
    "$BIN/dcmrecv" -q --root "$WORK/root" --bind 127.0.0.1 --port "$PORT" --aet STRACE --any-called-aet \
    >"$WORK/dcmrecv.log" 2>&1 &
TRACER=$!
for _ in $(seq 600); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; then break; fi
    sleep 0.1
done
case "$SENDER" in
    storescu) SEND=(/usr/bin/storescu -aec STRACE +sd +r 127.0.0.1 "$PORT" "$WORK/set") ;;
    dcmsend) SEND=("$BIN/dcmsend" --async-window 8 -aec STRACE 127.0.0.1 "$PORT" "$WORK/set") ;;
    *) echo "SENDER must be storescu or dcmsend" >&2; exit 64 ;;
esac
"${SEND[@]}" >"$WORK/sender.log" 2>&1 || { echo "$SENDER failed" >&2; cat "$WORK/sender.log" >&2; exit 1; }
# The receiver is strace's child: stop it, and strace ends with it.
RECEIVER=$(pgrep -P "$TRACER" | head -1)
kill -TERM "$RECEIVER"
wait "$TRACER" || true
TRACER=""
python3 "$HERE/strace-ack-order.py" "$WORK/trace"
