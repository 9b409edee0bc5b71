#!/usr/bin/env bash
# dcmsend vs DCMTK storescu, both sending to DCMTK storescp, alternating in one run.
# Sets: a 500-instance 512 KB CT study, and 2,000 small (~12 KB) instances.
# Prints the median seconds per sender and the ratio storescu/dcmsend (above 1: dcmsend faster).
# Usage: scripts/bench/send.sh [ROUNDS]   (TANDEM_BIN=DIR to use already built tools;
#   BASELINE_BIN=DIR adds the dcmsend of an earlier build as "baseline", measured in the same rounds)
# DCMTK is called by absolute path (DCMTK_BIN, default /usr/bin): pynetdicom installs
# programs of the same names that may come first on PATH.
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
DCMTK_BIN=${DCMTK_BIN:-/usr/bin}
build_release

"$BIN/dcmsynth" --out "$WORK/ct" --modality CT --instances 500 --instance-size 512k >/dev/null
"$BIN/dcmsynth" --out "$WORK/small" --modality MR --instances 2000 --instance-size 12k >/dev/null

PORT=$(free_port)
mkdir -p "$WORK/scp"
LD_PRELOAD=$SHIM "$DCMTK_BIN/storescp" --fork -od "$WORK/scp" -aet STORESCP "$PORT" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$PORT"

run_storescu() { LD_PRELOAD=$SHIM "$DCMTK_BIN/storescu" -aet BENCH -aec STORESCP +sd +r 127.0.0.1 "$PORT" "$1"; }
run_dcmsend() { "${3:-$BIN}/dcmsend" -q -aet BENCH -aec STORESCP -j "$2" 127.0.0.1 "$PORT" "$1"; }

# A timing counts only if every instance arrived.
received() {
    local got; got=$(find "$WORK/scp" -type f | wc -l)
    if [ "$got" -ne "$1" ]; then echo "only $got of $1 instances arrived ($2)" >&2; exit 1; fi
    rm -rf "${WORK:?}/scp/"*
}

declare -A COUNT=([ct]=500 [small]=2000)
for set in ct small; do
    storescu_times=(); one_times=(); four_times=(); base_one_times=(); base_four_times=()
    for _ in $(seq "$ROUNDS"); do
        storescu_times+=("$(seconds run_storescu "$WORK/$set")"); received "${COUNT[$set]}" storescu
        one_times+=("$(seconds run_dcmsend "$WORK/$set" 1)"); received "${COUNT[$set]}" "dcmsend -j 1"
        four_times+=("$(seconds run_dcmsend "$WORK/$set" 4)"); received "${COUNT[$set]}" "dcmsend -j 4"
        if [ -n "${BASELINE_BIN:-}" ]; then
            base_one_times+=("$(seconds run_dcmsend "$WORK/$set" 1 "$BASELINE_BIN")"); received "${COUNT[$set]}" "baseline -j 1"
            base_four_times+=("$(seconds run_dcmsend "$WORK/$set" 4 "$BASELINE_BIN")"); received "${COUNT[$set]}" "baseline -j 4"
        fi
    done
    s=$(median "${storescu_times[@]}"); o=$(median "${one_times[@]}"); f=$(median "${four_times[@]}")
    echo "$set: storescu ${s}s  dcmsend -j1 ${o}s (x$(ratio "$s" "$o"))  dcmsend -j4 ${f}s (x$(ratio "$s" "$f"))"
    if [ -n "${BASELINE_BIN:-}" ]; then
        bo=$(median "${base_one_times[@]}"); bf=$(median "${base_four_times[@]}")
        echo "$set: baseline -j1 ${bo}s (x$(ratio "$s" "$bo"))  baseline -j4 ${bf}s (x$(ratio "$s" "$bf"))"
    fi
done
