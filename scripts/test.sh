#!/usr/bin/env bash
# Runs every test: unit, integration, and interoperability with DCMTK and pynetdicom.
# With arguments (e.g. --filter RouteTests) runs `swift test` once with them. Without, runs
# the library tests first and the tool tests (which start processes and wait for them) on
# their own: the network tests' timers must not share two cores with process waits.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
if [ $# -gt 0 ]; then
    exec swift test --skip-build "$@"
fi
swift test --skip-build --skip ToolTests
swift test --skip-build --filter ToolTests
