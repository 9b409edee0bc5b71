# Loopback ports for the scripts that start servers (sourced, not run).

# free_port: a loopback port that binds now, taken from 20000-32000, below the kernel's ephemeral
# range, so that no client connection of a parallel test can take it before our server binds it.
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

# wait_port PORT: waits (at most 30 s) until something listens on 127.0.0.1:PORT.
wait_port() {
    for _ in $(seq 300); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2; return 1
}
