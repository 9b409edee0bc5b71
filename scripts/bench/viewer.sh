#!/usr/bin/env bash
# The viewer in headless Chromium: time to first image and to the whole series loaded, and the
# scroll rate once loaded, for a 200 × 256×256 MR series and a 500 × 512×512 CT series, read from
# the page's performance marks (viewer-bench.py); the same series in the Orthanc Web Viewer
# (Debian's orthanc-webviewer; Orthanc's Stone viewer is not packaged) side by side, as ratios.
# Medians of ROUNDS (default 3) page loads each.
# Usage: scripts/bench/viewer.sh   (ROUNDS=N; TANDEM_BIN=DIR to skip the release build)
source "$(dirname "$0")/common.sh"
ROUNDS=${ROUNDS:-3}
[ -x /usr/bin/chromium ] && python3 -c 'import playwright' 2>/dev/null \
    || { echo "Chromium and Playwright are missing: scripts/install-deps.sh" >&2; exit 66; }
build_release

"$BIN/dcmsynth" --out "$WORK/mr" --modality MR --instances 200 --instance-size $((256 * 256 * 2 + 1600)) \
    --patient-name 'Bench^MR' --patient-id BENCH-MR >/dev/null
"$BIN/dcmsynth" --out "$WORK/ct" --modality CT --instances 500 --instance-size $((512 * 512 * 2 + 1600)) \
    --patient-name 'Bench^CT' --patient-id BENCH-CT >/dev/null
uid() { /usr/bin/dcmdump -q +P "$1" "$2" | sed 's/.*\[\(.*\)\].*/\1/'; }
mr_file=$(find "$WORK/mr" -name '*.dcm' -print -quit); ct_file=$(find "$WORK/ct" -name '*.dcm' -print -quit)

# Tandem: dcmrecv fills the archive, dcmweb serves it.
dicom_port=$(free_port); http_port=$(free_port)
pid=$(start_server dcmrecv "$dicom_port" "$WORK/root"); PIDS+=("$pid")
wait_port "$dicom_port"
/usr/bin/storescu -aec BENCH 127.0.0.1 "$dicom_port" +sd +r "$WORK/mr" "$WORK/ct" >/dev/null 2>&1
kill "$pid"; wait "$pid" 2>/dev/null || true
echo 'bench-password-1' | "$BIN/dcmweb" user add bench --role radiologist --password-stdin --root "$WORK/root" >/dev/null
"$BIN/dcmweb" -q --root "$WORK/root" --bind 127.0.0.1 --port "$http_port" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$http_port"
# The series' geometry comes from the metadata cache, which dcmweb fills in the background within
# seconds of an arrival: measure what a radiologist opening the study later sees (at most 300 s).
python3 - "$WORK/root/index.sqlite" <<'PY'
import sqlite3, sys, time
index = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
start = time.monotonic()
while time.monotonic() - start < 300:
    missing = index.execute("SELECT count(*) FROM instance WHERE id NOT IN (SELECT instance_ref FROM instance_metadata)").fetchone()[0]
    if missing == 0:
        print(f"metadata cache filled {time.monotonic() - start:.1f} s after dcmweb started", file=sys.stderr)
        break
    time.sleep(0.5)
else:
    print(f"note: {missing} instances still without cached metadata: their headers are read per request", file=sys.stderr)
PY

# Orthanc with its web viewer, fed the same files.
orthanc=0
if command -v Orthanc >/dev/null && [ -f /usr/share/orthanc/plugins/libOrthancWebViewer.so ]; then
    orthanc=1
    orthanc_dicom=$(free_port); orthanc_http=$(free_port)
    mkdir -p "$WORK/orthanc"
    cat > "$WORK/orthanc/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$WORK/orthanc/storage", "IndexDirectory": "$WORK/orthanc/index",
  "DicomAet": "BENCH", "DicomPort": $orthanc_dicom, "HttpPort": $orthanc_http, "DicomCheckCalledAet": false,
  "DicomAlwaysAllowStore": true, "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "StorageCompression": false,
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancWebViewer.so"], "WebViewer": { "CachePath": "$WORK/orthanc/cache" } }
JSON
    Orthanc "$WORK/orthanc/orthanc.json" >/dev/null 2>&1 &
    PIDS+=($!)
    wait_port "$orthanc_dicom"; wait_port "$orthanc_http"
    /usr/bin/storescu -aec BENCH 127.0.0.1 "$orthanc_dicom" +sd +r "$WORK/mr" "$WORK/ct" >/dev/null 2>&1
else
    echo "note: no Orthanc Web Viewer (apt-get install orthanc orthanc-webviewer): Tandem only" >&2
fi

orthanc_series() {
    curl -s "http://127.0.0.1:$orthanc_http/tools/lookup" -d "$1" \
        | python3 -c 'import json,sys; print([r["ID"] for r in json.load(sys.stdin) if r["Type"] == "Series"][0])'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
results=$WORK/results.jsonl
for set in "mr 200" "ct 500"; do
    read -r name images <<<"$set"
    file=$([ "$name" = mr ] && echo "$mr_file" || echo "$ct_file")
    study=$(uid 0020,000d "$file"); series=$(uid 0020,000e "$file")
    python3 "$BENCH_DIR/viewer-bench.py" tandem "http://127.0.0.1:$http_port" bench bench-password-1 "$study" "$name" "$ROUNDS" >>"$results"
    if [ "$orthanc" = 1 ]; then
        python3 "$BENCH_DIR/viewer-bench.py" orthanc "http://127.0.0.1:$orthanc_http" "$(orthanc_series "$series")" "$images" "$ROUNDS" \
            | sed "s/\"series\": \"[^\"]*\"/\"series\": \"$name\"/" >>"$results"
    fi
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def median(viewer, series, key):
    values = [r[key] for r in rows if r["viewer"] == viewer and r["series"] == series and r[key] is not None]
    return statistics.median(values) if values else None
def show(value, unit=""):
    return "-" if value is None else f"{value:.0f}{unit}"
print(f"{'series':<22} {'viewer':<8} {'first image':>12} {'all loaded':>11} {'scroll':>9}")
for series, label in (("mr", "MR 200 × 256×256"), ("ct", "CT 500 × 512×512")):
    for viewer in ("tandem", "orthanc"):
        if not any(r["viewer"] == viewer for r in rows): continue
        print(f"{label:<22} {viewer:<8} {show(median(viewer, series, 'first_ms'), ' ms'):>12} "
              f"{show(median(viewer, series, 'loaded_ms'), ' ms'):>11} {show(median(viewer, series, 'scroll_fps'), ' fps'):>9}")
    ours, theirs = median("tandem", series, "first_ms"), median("orthanc", series, "first_ms")
    if ours and theirs:
        loaded_ours, loaded_theirs = median("tandem", series, "loaded_ms"), median("orthanc", series, "loaded_ms")
        loaded = f"{loaded_ours / loaded_theirs:.2f}x" if loaded_ours and loaded_theirs else "-"
        print(f"{label:<22} {'ratio':<8} {ours / theirs:>11.2f}x {loaded:>11}   (tandem / orthanc; lower is faster)")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
