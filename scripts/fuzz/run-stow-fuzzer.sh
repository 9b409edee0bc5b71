#!/bin/sh
# Builds and runs the libFuzzer target for STOW-RS bodies: the multipart/related parser and each
# part's File Meta Information (scripts/fuzz/stow-fuzz-entry.swift).
# Usage: scripts/fuzz/run-stow-fuzzer.sh [seconds]   (default 60)
# Crash inputs go to .build-fuzz-stow/findings/; the seed corpus is Fuzz/corpus/stow/.
set -eu
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build="$root/.build-fuzz-stow"
mkdir -p "$build/findings"
work="$build/stow-corpus"
mkdir -p "$work"

# Compile a snapshot, so edits made to the tree during the long build do not abort it. The two
# TandemWeb files are pure; compiled into one module with DICOMCore, they lose their import of it.
snapshot="$build/sources"
rm -rf "$snapshot"
mkdir -p "$snapshot"
cp -R Sources/DICOMCore Sources/CZlib scripts/fuzz/stow-fuzz-entry.swift "$snapshot/"
for file in MultipartParser Part10Header; do
    grep -v '^import DICOMCore$' "Sources/TandemWeb/$file.swift" > "$snapshot/$file.swift"
done

swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name StowFuzz \
    -I "$snapshot/CZlib" -lz \
    $(find "$snapshot/DICOMCore" -name '*.swift' | sort) \
    "$snapshot/MultipartParser.swift" "$snapshot/Part10Header.swift" "$snapshot/stow-fuzz-entry.swift" \
    -o "$build/stow-fuzzer"

# The working corpus grows in the build directory; the committed seeds stay small.
exec "$build/stow-fuzzer" "$work" Fuzz/corpus/stow \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/findings/" -print_final_stats=1
