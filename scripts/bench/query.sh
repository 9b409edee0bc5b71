#!/usr/bin/env bash
# Query module latency over a synthesized archive (default 20,000 studies): the SQL C-FIND and
# QIDO-RS run, without the network. Prints the median of 30 runs per query; nothing is asserted.
#   scripts/bench/query.sh [STUDIES]
set -euo pipefail
cd "$(dirname "$0")/../.."
export TANDEM_QUERY_BENCH=1 TANDEM_QUERY_BENCH_STUDIES=${1:-20000}
swift build --build-tests -c release -Xswiftc -enable-testing >/dev/null
swift test --skip-build -c release -Xswiftc -enable-testing --filter QueryBenchmark 2>&1 | grep 'query bench:'
