#!/usr/bin/env bash
# Installs what Tandem's build and tests need on a fresh Debian machine (idempotent).
set -euo pipefail
need_apt=0
# By absolute path: pynetdicom installs its own storescp, which must not stand in for DCMTK's.
# strace: the flush-before-acknowledgement check (scripts/crash-test/strace-ack-order.sh).
# gdb: a test run that hangs prints the test process's thread stacks (scripts/lib/bounded-swift-test.sh).
for cmd in /usr/bin/storescp /usr/bin/dcmdump /usr/bin/sqlite3 /usr/bin/time /usr/bin/curl /usr/bin/strace /usr/bin/pkill /usr/bin/gdb; do [ -x "$cmd" ] || need_apt=1; done
[ -f /usr/include/sqlite3.h ] && [ -f /usr/include/zlib.h ] || need_apt=1
# Pixel codecs (DICOMImaging) and the reference decoders its tests compare with.
[ -f /usr/include/gdcm-3.0/gdcmjpeg/12/jpeglib.h ] && [ -f /usr/include/charls/charls.h ] \
    && [ -f /usr/include/openjpeg-2.5/openjpeg.h ] && [ -f /usr/include/jpeglib.h ] && [ -x /usr/bin/gdcmconv ] && [ -x /usr/bin/ojph_compress ] || need_apt=1
if [ "$need_apt" = 1 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dcmtk libsqlite3-dev sqlite3 zlib1g-dev time procps \
        curl libgdcm-dev libgdcm-tools libcharls-dev libopenjp2-7-dev libjpeg-dev openjph-tools strace gdb >/dev/null
fi
python3 -c 'import pydicom, pynetdicom' 2>/dev/null || python3 -m pip install -q pydicom pynetdicom
# dcmweb's interop tests: an independent DICOMweb client (scripts/interop/dicomweb-client-check.py).
# Pillow reads back rendered images; numpy lets pydicom decode compressed pixel data.
python3 -c 'import dicomweb_client, PIL, numpy' 2>/dev/null || python3 -m pip install -q dicomweb-client pillow numpy
# Browser tests (scripts/browser, Tests/ToolTests/BrowserTests.swift): Debian's Chromium driven by
# Playwright from PyPI. Never `playwright install`: the browser is the system package.
[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
python3 -c 'import playwright' 2>/dev/null || python3 -m pip install -q playwright
# Firefox (scripts/browser/firefox.py, Tests/ToolTests/FirefoxBrowserTests.swift): Debian's firefox-esr
# driven over its own Marionette protocol by Mozilla's client; Playwright needs a patched Firefox.
[ -x /usr/bin/firefox-esr ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr >/dev/null; }
python3 -c 'import marionette_driver' 2>/dev/null || python3 -m pip install -q marionette_driver
