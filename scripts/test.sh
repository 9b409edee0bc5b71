#!/usr/bin/env bash
# Runs every test: unit, integration, and interoperability with DCMTK and pynetdicom.
# With arguments (e.g. --filter RouteTests) runs `swift test` once with them. Without, runs
# the library tests first and the tool tests (which start processes and wait for them) on
# their own: the network tests' timers must not share two cores with process waits.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# shellcheck source=lib/bounded-swift-test.sh
source scripts/lib/bounded-swift-test.sh
swift build --build-tests
# Each run is bounded (usually 0.5 and 4 minutes on two cores): a test that hangs fails the run
# with its name instead of holding it.
if [ $# -gt 0 ]; then
    bounded_swift_test 2700 "$@"
    exit
fi
bounded_swift_test 900 --skip ToolTests
bounded_swift_test 2400 --filter ToolTests
