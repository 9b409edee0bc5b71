#!/usr/bin/env bash
# Fuzzes the PDU decoder with libFuzzer and AddressSanitizer.
# Usage: scripts/fuzz/run-pdu-fuzzer.sh [seconds]   (default 60)
# Seeds come from Fuzz/corpus/pdu (real DCMTK PDUs); new inputs go to a work corpus so the
# committed seeds stay small. Crashes are written to Fuzz/findings/pdu/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out=.build-fuzz
mkdir -p "$out/corpus-pdu" Fuzz/findings/pdu
swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name PDUFuzz \
    $(find Sources/DICOMNetwork/PDU -name '*.swift' | sort) scripts/fuzz/pdu-fuzzer.swift \
    -o "$out/pdu-fuzzer"
# The Swift backtracer would run inside AddressSanitizer; libFuzzer reports crashes itself.
SWIFT_BACKTRACE=enable=no exec "$out/pdu-fuzzer" "$out/corpus-pdu" Fuzz/corpus/pdu \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=Fuzz/findings/pdu/
