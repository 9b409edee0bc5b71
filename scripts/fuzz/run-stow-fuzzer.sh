#!/bin/sh
# Builds and runs the libFuzzer target for STOW-RS bodies: the multipart/related parser and each
# part's File Meta Information (scripts/fuzz/stow-fuzz-entry.swift).
# Usage: scripts/fuzz/run-stow-fuzzer.sh [seconds]   (default 60)
# Crash inputs go to .build-fuzz-stow/findings/; the seed corpus is Fuzz/corpus/stow/.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec "$root/scripts/fuzz/core-fuzzer.sh" stow "${1:-60}" \
    "$root/Sources/TandemWeb/MultipartParser.swift" "$root/Sources/TandemWeb/Part10Header.swift"
