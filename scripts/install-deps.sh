#!/usr/bin/env bash
# Installs what Tandem's build and tests need on a fresh Debian machine (idempotent).
set -euo pipefail
need_apt=0
for cmd in storescp dcmdump /usr/bin/time; do command -v "$cmd" >/dev/null 2>&1 || need_apt=1; done
[ -f /usr/include/sqlite3.h ] && [ -f /usr/include/zlib.h ] || need_apt=1
if [ "$need_apt" = 1 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dcmtk libsqlite3-dev zlib1g-dev time >/dev/null
fi
python3 -c 'import pydicom, pynetdicom' 2>/dev/null || python3 -m pip install -q pydicom pynetdicom
