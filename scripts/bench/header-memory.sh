#!/usr/bin/env bash
# Peak memory of reading the headers of a >= 1 GB instance: writes one synthetic multi-frame
# instance of 1 GiB, runs `dcmsend --dry-run` on it under /usr/bin/time -v, prints the peak RSS.
# Target: under 64 MB (the pixel data is skipped by seeking, never loaded).
# Usage: scripts/bench/header-memory.sh   (TANDEM_BIN=DIR to use already built tools)
source "$(dirname "$0")/common.sh"
build_release
"$BIN/dcmsynth" --out "$WORK/big" --instances 1 --instance-size 1g >/dev/null
/usr/bin/time -v -o "$WORK/time.txt" "$BIN/dcmsend" -q --dry-run "$WORK/big" >/dev/null
size=$(find "$WORK/big" -type f -printf '%s')
awk -F': ' -v size="$size" '/Maximum resident/ {printf "dry-run of a %.2f GB instance: peak RSS %.1f MB\n", size/1e9, $2/1024}' "$WORK/time.txt"
