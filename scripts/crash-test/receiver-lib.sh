# Shared by the crash-test scripts (sourced): a listening port and a dcmrecv started on it.
# Needs BIN (directory holding dcmrecv) and WORK (scratch directory, dcmrecv.log goes there).

# shellcheck source=../lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/ports.sh"

# start_receiver ROOT AET: starts dcmrecv on ROOT and PORT (start-up recovery runs first), leaves
# its PID in RECEIVER and waits until it listens.
start_receiver() {
    "$BIN/dcmrecv" -q --root "$1" --bind 127.0.0.1 --port "$PORT" --aet "$2" >>"$WORK/dcmrecv.log" 2>&1 &
    RECEIVER=$!
    wait_port "$PORT" || { echo "dcmrecv did not start" >&2; cat "$WORK/dcmrecv.log" >&2; exit 1; }
}
