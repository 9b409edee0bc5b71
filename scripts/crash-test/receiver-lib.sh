# Shared by the crash-test scripts (sourced): a listening port and a dcmrecv started on it.
# Needs BIN (directory holding dcmrecv) and WORK (scratch directory, dcmrecv.log goes there).

# free_port: a loopback port that binds now, taken from 20000-32000, below the kernel's ephemeral
# range, so that no client connection of a parallel test can take it before dcmrecv binds it.
free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randint(20000, 32000)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("no free port in 20000-32000")
PY
}

# start_receiver ROOT AET: starts dcmrecv on ROOT and PORT (start-up recovery runs first), leaves
# its PID in RECEIVER and waits until it listens.
start_receiver() {
    "$BIN/dcmrecv" -q --root "$1" --bind 127.0.0.1 --port "$PORT" --aet "$2" >>"$WORK/dcmrecv.log" 2>&1 &
    RECEIVER=$!
    for _ in $(seq 300); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "dcmrecv did not start" >&2; cat "$WORK/dcmrecv.log" >&2; exit 1
}
