#!/bin/sh
# Builds and runs a libFuzzer target compiled with DICOMCore as one module: the entry point
# scripts/fuzz/NAME-fuzz-entry.swift, plus pure files of other targets that read through DICOMCore.
# Usage (from the run-*-fuzzer.sh scripts): scripts/fuzz/core-fuzzer.sh NAME SECONDS [SOURCE.swift...]
# Seeds are Fuzz/corpus/NAME/; the working corpus and crash inputs go to .build-fuzz-NAME/.
set -eu
name="$1"
seconds="$2"
shift 2
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build="$root/.build-fuzz-$name"
mkdir -p "$build/findings"
work="$build/$name-corpus"
mkdir -p "$work"

# Compile a snapshot, so edits made to the tree during the long build do not abort it. Files of
# other targets join DICOMCore's module, so their import of it goes.
snapshot="$build/sources"
rm -rf "$snapshot"
mkdir -p "$snapshot/extra"
cp -R Sources/DICOMCore Sources/CZlib "scripts/fuzz/$name-fuzz-entry.swift" "$snapshot/"
for source in "$@"; do
    grep -v '^import DICOMCore$' "$source" > "$snapshot/extra/$(basename "$source")"
done

swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name "$(echo "$name" | tr '[:lower:]' '[:upper:]')Fuzz" \
    -I "$snapshot/CZlib" -lz \
    $(find "$snapshot/DICOMCore" "$snapshot/extra" -name '*.swift' | sort) \
    "$snapshot/$name-fuzz-entry.swift" \
    -o "$build/$name-fuzzer"

# The working corpus grows in the build directory; the committed seeds stay small.
exec "$build/$name-fuzzer" "$work" "Fuzz/corpus/$name" \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/findings/" -print_final_stats=1
