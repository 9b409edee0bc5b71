# Shared helpers for the benchmarks: tool paths, the TCP_NODELAY shim, free ports, timing.
# Sourced by the bench scripts; not run directly.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
BIN=${TANDEM_BIN:-$REPO/.build/release}
WORK=$(mktemp -d /tmp/tandem-bench.XXXXXX)
# shellcheck source=../lib/background.sh
source "$REPO/scripts/lib/background.sh"
# shellcheck source=../lib/ports.sh
source "$REPO/scripts/lib/ports.sh"

# Debian's DCMTK and Orthanc leave Nagle's algorithm on; the shim turns TCP_NODELAY on for them.
SHIM=$WORK/nodelay-shim.so
cc -shared -fPIC -O2 -o "$SHIM" "$BENCH_DIR/nodelay-shim.c" -ldl

build_release() {
    if [ -z "${TANDEM_BIN:-}" ]; then (cd "$REPO" && swift build -c release >/dev/null); fi
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
# KIND baseline is the dcmrecv of BASELINE_BIN (an earlier build, to compare in the same run).
start_server() {
    local kind=$1 port=$2 dir=$3 tools=$BIN
    rm -rf "$dir"; mkdir -p "$dir"
    case $kind in
    dcmrecv|baseline)
        if [ "$kind" = baseline ]; then tools=$BASELINE_BIN; fi
        if [ -n "${PHASE_LOG:-}" ]; then
            "$tools/dcmrecv" --phase-stats --log-format json --root "$dir" --bind 127.0.0.1 --port "$port" --aet BENCH \
                --any-called-aet >/dev/null 2>>"$PHASE_LOG" &
        else
            "$tools/dcmrecv" -q --root "$dir" --bind 127.0.0.1 --port "$port" --aet BENCH --any-called-aet >/dev/null 2>&1 &
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
