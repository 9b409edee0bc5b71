# Loopback ports for the scripts that start servers (sourced, not run).

# free_port: a loopback port that binds now, taken from 26000-32000, below the kernel's ephemeral
# range, so that no client connection of a parallel test can take it before our server binds it.
# The tool tests' own servers take theirs from 20000-25999 (LoopbackPort): the tool tests run these
# scripts while their own servers start, and a port one side has chosen but not yet bound must
# not be chosen by the other (a crash script's sender, retrying against its killed receiver's
# port, once flooded a dcmweb that had been given the same port).
free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randint(26000, 32000)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("no free port in 26000-32000")
PY
}

# wait_port PORT: waits (at most 30 s) until something listens on 127.0.0.1:PORT.
wait_port() {
    for _ in $(seq 300); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2; return 1
}
