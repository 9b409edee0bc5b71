# Shared helpers for the benchmarks: tool paths, the TCP_NODELAY shim, free ports, timing.
# Sourced by the bench scripts; not run directly.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
BIN=${TANDEM_BIN:-$REPO/.build/release}
WORK=$(mktemp -d /tmp/tandem-bench.XXXXXX)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
# A benchmark stopped by timeout(1) or ^C still stops its servers and removes its files.
trap 'exit 143' TERM
trap 'exit 130' INT

# Debian's DCMTK and Orthanc leave Nagle's algorithm on; the shim turns TCP_NODELAY on for them.
SHIM=$WORK/nodelay-shim.so
cc -shared -fPIC -O2 -o "$SHIM" "$BENCH_DIR/nodelay-shim.c" -ldl

build_release() {
    if [ -z "${TANDEM_BIN:-}" ]; then (cd "$REPO" && swift build -c release >/dev/null); fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: waits (at most 30 s) until something listens on 127.0.0.1:PORT.
wait_port() {
    for _ in $(seq 300); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2; return 1
}

# seconds COMMAND...: runs the command, prints its wall-clock seconds (3 decimals).
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    python3 -c "print(f'{$end-$start:.3f}')"
}

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

# median of the given numbers
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float,sys.argv[1:])):.3f}')" "$@"; }

# start_server KIND PORT DIR: starts one receiver in the background, prints its PID. With
# PHASE_LOG=FILE, dcmrecv appends its per-phase timings (--phase-stats, JSON lines) to FILE on stopping.
start_server() {
    local kind=$1 port=$2 dir=$3
    rm -rf "$dir"; mkdir -p "$dir"
    case $kind in
    dcmrecv)
        if [ -n "${PHASE_LOG:-}" ]; then
            "$BIN/dcmrecv" --phase-stats --log-format json --root "$dir" --bind 127.0.0.1 --port "$port" --aet BENCH \
                --any-called-aet >/dev/null 2>>"$PHASE_LOG" &
        else
            "$BIN/dcmrecv" -q --root "$dir" --bind 127.0.0.1 --port "$port" --aet BENCH --any-called-aet >/dev/null 2>&1 &
        fi ;;
    storescp) LD_PRELOAD=$SHIM /usr/bin/storescp --fork -od "$dir" "$port" >/dev/null 2>&1 & ;;
    orthanc)
        cat > "$dir/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$dir/storage", "IndexDirectory": "$dir/index",
  "DicomAet": "BENCH", "DicomPort": $port, "HttpPort": $(free_port), "DicomCheckCalledAet": false,
  "DicomAlwaysAllowStore": true, "DicomAlwaysAllowFind": true, "RemoteAccessAllowed": false, "StorageCompression": false,
  "Plugins": [], "LogExportedResources": false }
JSON
        LD_PRELOAD=$SHIM Orthanc "$dir/orthanc.json" >/dev/null 2>&1 & ;;
    esac
    echo $!
}
