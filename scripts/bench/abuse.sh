#!/usr/bin/env bash
# dcmrecv vs DCMTK storescp --fork vs Orthanc under the same abuse, one server at a time, on
# loopback only: silent connections, half PDU headers, starts of 1 MiB PDUs and slow-loris
# requests from ten source addresses (127.0.0.2-11), two data sets built to exhaust a parser
# (16 MB of empty sequence items, 96 MB of zero-length elements) sent by storescu, and meanwhile
# a legitimate sender (echoscu, then storescu of one 512 KB instance, in turn).
# Prints each server's peak resident set (its process tree: storescp's forked children count)
# and the legitimate sender's success rate and latency. Every phase is bounded and stops by itself.
# Usage: scripts/bench/abuse.sh [SECONDS]   (default 40; TANDEM_BIN=DIR to use already built tools)
# Environment: SILENT (200) HALF (50) BIG (50) SLOW (20) SOURCES (10) ZERO_MB (96) ITEMS_MB (16)
#              SERVERS ("dcmrecv storescp orthanc")
source "$(dirname "$0")/common.sh"
SECONDS_PER_SERVER=${1:-40}
SILENT=${SILENT:-200} HALF=${HALF:-50} BIG=${BIG:-50} SLOW=${SLOW:-20} SOURCES=${SOURCES:-10}
ZERO_MB=${ZERO_MB:-96} ITEMS_MB=${ITEMS_MB:-16}
DRIVER="python3 $BENCH_DIR/abuse-driver.py"
build_release
command -v Orthanc >/dev/null || { echo "Orthanc is missing: apt-get install orthanc" >&2; exit 66; }

"$BIN/dcmsynth" --out "$WORK/legit" --modality CT --instances 1 --instance-size 512k >/dev/null
LEGIT=$(find "$WORK/legit" -type f | head -1)
$DRIVER dataset empty-items "$WORK/empty-items.dcm" --size $((ITEMS_MB << 20)) >/dev/null
$DRIVER dataset zero-length "$WORK/zero-length.dcm" --size $((ZERO_MB << 20)) >/dev/null


# hostile_store PORT FILE: storescu's exit status and seconds for one hostile data set (at most 300 s).
hostile_store() {
    local start status
    start=$(date +%s.%N)
    status=0
    timeout 300 /usr/bin/storescu -aec BENCH -ta 30 -td 120 127.0.0.1 "$1" "$2" >/dev/null 2>&1 || status=$?
    echo "exit $status $(python3 -c "import time; print(f'{time.time()-$start:.1f}s')")"
}

printf '%-9s %-14s %-34s %-34s %-22s %s\n' server peak-rss echo store empty-items zero-length
for kind in ${SERVERS:-dcmrecv storescp orthanc}; do
    port=$(free_port)
    pid=$(start_server "$kind" "$port" "$WORK/$kind")
    PIDS+=("$pid")
    wait_port "$port"
    $DRIVER sample "$pid" --seconds $((SECONDS_PER_SERVER + 600)) > "$WORK/$kind.rss" &
    sampler=$!; PIDS+=("$sampler")
    $DRIVER hold "$port" --silent "$SILENT" --half-header "$HALF" --big-start "$BIG" --slowloris "$SLOW" \
        --sources "$SOURCES" --seconds $((SECONDS_PER_SERVER + 600)) > "$WORK/$kind.hold" </dev/null &
    holder=$!; PIDS+=("$holder")
    $DRIVER legit "$port" BENCH "$LEGIT" --seconds "$SECONDS_PER_SERVER" > "$WORK/$kind.legit" &
    legit=$!; PIDS+=("$legit")
    items=$(hostile_store "$port" "$WORK/empty-items.dcm")
    zero=$(hostile_store "$port" "$WORK/zero-length.dcm")
    wait "$legit" || true
    kill -TERM "$holder" "$sampler" 2>/dev/null || true
    wait "$holder" "$sampler" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    rss=$(awk '/peak-rss-mb/ {print $2 " MB"}' "$WORK/$kind.rss")
    echo_line=$(awk '/summary echo/ {print $4 " ok, median " $6 "s, max " $8 "s"}' "$WORK/$kind.legit")
    store_line=$(awk '/summary store/ {print $4 " ok, median " $6 "s, max " $8 "s"}' "$WORK/$kind.legit")
    printf '%-9s %-14s %-34s %-34s %-22s %s\n' "$kind" "$rss" "$echo_line" "$store_line" "$items" "$zero"
    echo "          hostile connections: $(grep -h '^held' "$WORK/$kind.hold" || echo 'none reported')"
done
