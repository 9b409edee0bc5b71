#!/usr/bin/env bash
# Builds Tandem and starts a single-node archive on ./tandem-data with a sample study loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release
echo "Built: $(ls .build/release/{dcmrecv,dcmsend,dcmroute,dcmweb,clusterctl} | tr '\n' ' ')"
echo "The archive services are not wired yet; see README.md for what runs today."
