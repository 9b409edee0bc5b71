#!/usr/bin/env bash
# dcmrecv (durable) vs DCMTK storescp (not durable) vs Orthanc (SQLite), each fed by DCMTK
# storescu, alternating in one run. Sets: 500 x 512 KB CT over one association; 2,000 x ~12 KB
# over one and over four associations. Then dcmrecv's peak memory receiving one 1 GB instance.
# Prints median seconds and the ratios storescp/dcmrecv and orthanc/dcmrecv (above 1: dcmrecv faster),
# and dcmrecv's time as a multiple of what the disk allows, measured in the same rounds by
# disk-limit.py: the serial durable limit (per file: write, fdatasync, link, directory fsync) and
# the time to write the set's bytes at the disk's sequential bandwidth. Behind storescu, which
# waits for each response, no durable receiver can take less than storescu -> storescp (the
# sender's and a bare receiver's own time) plus the serial durable limit with an index commit
# per file (disk-limit.py indexed): dcmrecv's time is printed as a multiple of that floor too. Last, where dcmrecv's time
# goes: per set, each ingest phase's per-instance p50 and p90 (dcmrecv --phase-stats), median over rounds.
# When both ends are Tandem, one row more: the CT set sent by dcmsend to dcmrecv over one
# association with the asynchronous operations window (16 C-STOREs in flight, PS3.7 D.3.3.3),
# beside storescu -> storescp (which flushes nothing).
# Usage: scripts/bench/receive.sh [ROUNDS]   (TANDEM_BIN=DIR to use already built tools;
#   BASELINE_BIN=DIR adds the dcmrecv of an earlier build as "baseline", measured in the same rounds)
# DCMTK is called from /usr/bin: Python packages put programs named storescu/storescp earlier on PATH.
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
build_release
command -v Orthanc >/dev/null || { echo "Orthanc is missing: apt-get install orthanc" >&2; exit 66; }

"$BIN/dcmsynth" --out "$WORK/ct" --modality CT --instances 500 --instance-size 512k >/dev/null
"$BIN/dcmsynth" --out "$WORK/small" --modality MR --instances 2000 --instance-size 12k >/dev/null
# Four quarters of the small set, for four parallel associations.
for q in 0 1 2 3; do mkdir -p "$WORK/small4/$q"; done
i=0; for f in $(find "$WORK/small" -type f | sort); do ln -s "$f" "$WORK/small4/$((i % 4))/"; i=$((i + 1)); done


feed_one() { LD_PRELOAD=$SHIM /usr/bin/storescu -aec BENCH +sd +r 127.0.0.1 "$1" "$2"; }
feed_window() { "$BIN/dcmsend" -q -aec BENCH --async-window 16 127.0.0.1 "$1" "$2"; }
feed_four() {
    local port=$1 pids=()
    for q in 0 1 2 3; do LD_PRELOAD=$SHIM /usr/bin/storescu -aec BENCH +sd +r 127.0.0.1 "$port" "$WORK/small4/$q" & pids+=($!); done
    for pid in "${pids[@]}"; do wait "$pid"; done
}

declare -A times
# A baseline built before --phase-stats existed runs without it (and prints no phase table).
baseline_phases=""
if [ -n "${BASELINE_BIN:-}" ] && "$BASELINE_BIN/dcmrecv" --help 2>&1 | grep -q -- --phase-stats; then baseline_phases=yes; fi
set_bytes() { find "$WORK/$1" -type f -printf '%s\n' | awk '{ total += $1 } END { print total }'; }
for round in $(seq "$ROUNDS"); do
    for set in ct small; do
        count=$(find "$WORK/$set" -type f | wc -l); size=$(( $(set_bytes "$set") / count ))
        times[disk,$set]="${times[disk,$set]:-} $(python3 "$BENCH_DIR/disk-limit.py" serial "$WORK/disk-$set" "$count" "$size")"
        rm -rf "$WORK/disk-$set"
        times[indexed,$set]="${times[indexed,$set]:-} $(python3 "$BENCH_DIR/disk-limit.py" indexed "$WORK/disk-$set" "$count" "$size")"
        rm -rf "$WORK/disk-$set"
    done
    bandwidth="${bandwidth:-} $(python3 "$BENCH_DIR/disk-limit.py" sequential "$WORK/disk-seq" 256)"
    # The order turns each round: whatever runs first after the disk probes, or after another
    # receiver's set was removed, meets a disk in another state (the same build measured 3.6 s
    # and 4.5 s on the small set in consecutive runs), so no receiver may always hold one place.
    kinds=(${BASELINE_BIN:+baseline} dcmrecv storescp orthanc)
    shift_by=$(( (round - 1) % ${#kinds[@]} ))
    for kind in "${kinds[@]:shift_by}" "${kinds[@]:0:shift_by}"; do
        for set in ct small small4; do
            port=$(free_port)
            phases=""
            case $kind in dcmrecv) phases=$WORK/phases-$set.log ;; baseline) phases=${baseline_phases:+$WORK/phases-baseline-$set.log} ;; esac
            pid=$(PHASE_LOG=$phases start_server "$kind" "$port" "$WORK/srv-$kind")
            PIDS+=("$pid")
            wait_port "$port"
            if [ "$set" = small4 ]; then t=$(seconds feed_four "$port"); else t=$(seconds feed_one "$port" "$WORK/$set"); fi
            times[$kind,$set]="${times[$kind,$set]:-} $t"
            kill "$pid"; wait "$pid" 2>/dev/null || true
        done
    done
    port=$(free_port)
    pid=$(PHASE_LOG="$WORK/phases-ct-window.log" start_server dcmrecv "$port" "$WORK/srv-window")
    PIDS+=("$pid")
    wait_port "$port"
    times[window,ct]="${times[window,ct]:-} $(seconds feed_window "$port" "$WORK/ct")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    stored=$(sqlite3 "$WORK/srv-window/index.sqlite" "SELECT count(*) FROM instance")
    if [ "$stored" -ne 500 ]; then echo "dcmsend with the window: only $stored of 500 instances stored" >&2; exit 1; fi
    echo "round $round done" >&2
done

mbps=$(median $bandwidth)
echo "disk: sequential ${mbps} MB/s; serial durable limit ct $(median ${times[disk,ct]})s, small $(median ${times[disk,small]})s;" \
    "with an index commit per file ct $(median ${times[indexed,ct]})s, small $(median ${times[indexed,small]})s"
for set in ct small small4; do
    d=$(median ${times[dcmrecv,$set]}); s=$(median ${times[storescp,$set]}); o=$(median ${times[orthanc,$set]})
    stream=$(python3 -c "print(f'{$(set_bytes "${set%4}") / 1048576 / $mbps:.3f}')")
    limit=""
    if [ "$set" != small4 ]; then
        floor=$(python3 -c "print(f'{$s + $(median ${times[indexed,$set]}):.3f}')")
        limit="  dcmrecv/serial-limit x$(ratio "$d" "$(median ${times[disk,$set]})")  dcmrecv/floor x$(ratio "$d" "$floor") (floor ${floor}s)"
    fi
    echo "$set: dcmrecv ${d}s  storescp ${s}s (x$(ratio "$s" "$d"))  orthanc ${o}s (x$(ratio "$o" "$d"))$limit  dcmrecv/sequential x$(ratio "$d" "$stream")"
    if [ -n "${BASELINE_BIN:-}" ]; then
        b=$(median ${times[baseline,$set]})
        limit=""
        if [ "$set" != small4 ]; then limit="  baseline/serial-limit x$(ratio "$b" "$(median ${times[disk,$set]})")"; fi
        echo "$set: baseline ${b}s (x$(ratio "$b" "$d") dcmrecv's time)  orthanc/baseline x$(ratio "$o" "$b")$limit"
    fi
done

w=$(median ${times[window,ct]}); s=$(median ${times[storescp,ct]})
echo "ct, 1 association, dcmsend -> dcmrecv with the window: ${w}s  storescu -> storescp ${s}s (x$(ratio "$s" "$w"))  dcmrecv/serial-limit x$(ratio "$w" "$(median ${times[disk,ct]})")"

for set in ct small small4 ct-window; do
    echo "dcmrecv phases, $set (ms per instance, median over rounds):"
    python3 "$BENCH_DIR/phase-table.py" "$WORK/phases-$set.log"
    if [ -s "$WORK/phases-baseline-$set.log" ]; then
        echo "baseline phases, $set:"
        python3 "$BENCH_DIR/phase-table.py" "$WORK/phases-baseline-$set.log"
    fi
done

# Peak memory of dcmrecv while it receives one 1 GB instance.
"$BIN/dcmsynth" --out "$WORK/big" --modality CT --instances 1 --instance-size 1g >/dev/null
port=$(free_port); rm -rf "$WORK/srv-big"; mkdir -p "$WORK/srv-big"
/usr/bin/time -v -o "$WORK/time.txt" "$BIN/dcmrecv" -q --root "$WORK/srv-big" --bind 127.0.0.1 --port "$port" --aet BENCH >/dev/null 2>&1 &
timer=$!; PIDS+=("$timer"); wait_port "$port"
feed_one "$port" "$WORK/big" >/dev/null 2>&1
stored=$(sqlite3 "$WORK/srv-big/index.sqlite" "SELECT count(*) FROM instance")
kill "$(pgrep -P "$timer")"; wait "$timer" 2>/dev/null || true
echo "1 GB instance stored and indexed: $stored"
echo "dcmrecv peak RSS receiving 1 GB: $(awk -F': ' '/Maximum resident/ {printf "%.1f MB", $2/1024}' "$WORK/time.txt")"
