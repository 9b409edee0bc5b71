#!/usr/bin/env bash
# Runs every test: unit, integration, and interoperability with DCMTK and pynetdicom.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
