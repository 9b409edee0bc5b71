#!/bin/sh
# Builds and runs the libFuzzer target for the DICOM data set / Part 10 parser
# (scripts/fuzz/dataset-fuzz-entry.swift).
# Usage: scripts/fuzz/run-dataset-fuzzer.sh [seconds]   (default 60)
# Crash inputs go to .build-fuzz-dataset/findings/; the seed corpus is Fuzz/corpus/dataset/.
set -eu
exec "$(dirname "$0")/core-fuzzer.sh" dataset "${1:-60}"
