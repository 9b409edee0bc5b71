#!/bin/sh
# Builds and runs the libFuzzer target for the DICOM data set / Part 10 parser.
# Usage: scripts/fuzz/run-dataset-fuzzer.sh [seconds]   (default 60)
# Crash inputs go to .build-fuzz-dataset/findings/; the seed corpus is Fuzz/corpus/dataset/.
set -eu
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build="$root/.build-fuzz-dataset"
mkdir -p "$build/findings"
work="$build/dataset-corpus"
mkdir -p "$work"

# Compile a snapshot, so edits made to the tree during the long build do not abort it.
snapshot="$build/sources"
rm -rf "$snapshot"
mkdir -p "$snapshot"
cp -R Sources/DICOMCore Sources/CZlib scripts/fuzz/dataset-fuzz-entry.swift "$snapshot/"

swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name DICOMCoreFuzz \
    -I "$snapshot/CZlib" -lz \
    $(find "$snapshot/DICOMCore" -name '*.swift' | sort) \
    "$snapshot/dataset-fuzz-entry.swift" \
    -o "$build/dataset-fuzzer"

# The working corpus grows in the build directory; the committed seeds stay small.
exec "$build/dataset-fuzzer" "$work" Fuzz/corpus/dataset \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/findings/" -print_final_stats=1
