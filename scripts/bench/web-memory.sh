#!/usr/bin/env bash
# dcmweb's memory while large data streams through it (release build), one dcmweb throughout:
#   wado       WADO-RS of a STUDY_MB study (64 instances; default 2048 MB), read by curl
#   stow       STOW-RS of one INSTANCE_MB multi-frame instance (default 1024 MB), sent by curl -T
#   transcode  WADO-RS of a JPEG-LS multi-frame MR (384 MB decoded) as Explicit VR Little Endian
# After each, dcmweb's peak RSS (/proc/PID/status VmHWM) against its peak after one small
# request (idle). The study is filled over DICOM by DCMTK's storescu through dcmrecv. Nothing is
# asserted (WebMemoryTests bounds the same at 1 GiB).
# Usage: scripts/bench/web-memory.sh [STUDY_MB] [INSTANCE_MB]   (TANDEM_BIN=DIR to use already built tools)
source "$(dirname "$0")/common.sh"
STUDY_MB=${1:-2048}
INSTANCE_MB=${2:-1024}
DCMTK_BIN=${DCMTK_BIN:-/usr/bin}
if [ -z "${TANDEM_BIN:-}" ]; then
    (cd "$REPO" && for p in dcmrecv dcmweb dcmsynth; do swift build -c release --product "$p" >/dev/null; done)
fi
peak_mb() { awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
uid_of() { "$DCMTK_BIN/dcmdump" -q -s +P "$1" "$2" | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1; }
first_file() { find "$1" -type f -name '*.dcm' | sort | head -1; }
# multipart DIR BODY: a STOW-RS body of DIR's files (boundary "memb"), streamed to BODY.
multipart() {
    python3 - "$1" "$2" <<'PY'
import os, shutil, sys
with open(sys.argv[2], "wb") as out:
    for directory, _, names in sorted(os.walk(sys.argv[1])):
        for name in sorted(names):
            out.write(b"--memb\r\nContent-Type: application/dicom\r\n\r\n")
            with open(os.path.join(directory, name), "rb") as part:
                shutil.copyfileobj(part, out, 8 << 20)
            out.write(b"\r\n")
    out.write(b"--memb--\r\n")
PY
}

echo "writing the study ($STUDY_MB MB) and the large instance ($INSTANCE_MB MB)" >&2
"$BIN/dcmsynth" --out "$WORK/study" --modality CT --instances 64 --instance-size "$((STUDY_MB / 64))m" \
    --patient-id MEM-1 >/dev/null
"$BIN/dcmsynth" --out "$WORK/large" --modality CT --instances 1 --instance-size "${INSTANCE_MB}m" --patient-id MEM-2 >/dev/null
"$BIN/dcmsynth" --out "$WORK/mr" --modality MR --instances 1 --instance-size 384m --patient-id MEM-3 >/dev/null
"$DCMTK_BIN/dcmcjpls" "$(first_file "$WORK/mr")" "$WORK/mr-jls.dcm"
rm -rf "$WORK/mr"
multipart "$WORK/large" "$WORK/large.body"; rm -rf "$WORK/large"
mkdir -p "$WORK/jls"; mv "$WORK/mr-jls.dcm" "$WORK/jls/"; multipart "$WORK/jls" "$WORK/jls.body"

ROOT=$WORK/tandem
DICOM_PORT=$(free_port); WEB_PORT=$(free_port)
mkdir -p "$ROOT"
"$BIN/dcmrecv" -q --root "$ROOT" --bind 127.0.0.1 --port "$DICOM_PORT" --aet BENCH --any-called-aet >/dev/null 2>&1 &
RECV_PID=$!; PIDS+=("$RECV_PID")
wait_port "$DICOM_PORT"
echo "dcmrecv: study stored in $(seconds env LD_PRELOAD="$SHIM" "$DCMTK_BIN/storescu" -aec BENCH +sd +r 127.0.0.1 "$DICOM_PORT" "$WORK/study")s" >&2
kill "$RECV_PID"; wait "$RECV_PID" || true
STUDY=$(uid_of 0020,000d "$(first_file "$WORK/study")")
rm -rf "$WORK/study"
echo 'bench-password-1' | "$BIN/dcmweb" user add bench --role admin --password-stdin --root "$ROOT" >/dev/null
TOKEN=$("$BIN/dcmweb" token create bench --name bench --root "$ROOT")
"$BIN/dcmweb" -q --root "$ROOT" --bind 127.0.0.1 --port "$WEB_PORT" >/dev/null 2>&1 &
WEB_PID=$!; PIDS+=("$WEB_PID")
wait_port "$WEB_PORT"
URL="http://127.0.0.1:$WEB_PORT/dicomweb"
AUTH=(-H "Authorization: Bearer $TOKEN")
curl -s -o /dev/null "${AUTH[@]}" "$URL/studies"
idle=$(peak_mb "$WEB_PID")
echo "dcmweb idle: peak RSS ${idle} MB"

wado=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "${AUTH[@]}" \
    -H 'Accept: multipart/related; type="application/dicom"; transfer-syntax=*' "$URL/studies/$STUDY")
read -r code bytes secs <<<"$wado"
echo "WADO-RS of the study: HTTP $code, $((bytes >> 20)) MiB in ${secs}s; peak RSS $(peak_mb "$WEB_PID") MB" \
     "(+$(($(peak_mb "$WEB_PID") - idle)) MB over idle)"

stow=$(curl -s -o /dev/null -w '%{http_code} %{size_upload} %{time_total}' "${AUTH[@]}" -X POST -T "$WORK/large.body" \
    -H 'Content-Type: multipart/related; type="application/dicom"; boundary=memb' "$URL/studies")
read -r code bytes secs <<<"$stow"
echo "STOW-RS of one instance: HTTP $code, $((bytes >> 20)) MiB in ${secs}s; peak RSS $(peak_mb "$WEB_PID") MB" \
     "(+$(($(peak_mb "$WEB_PID") - idle)) MB over idle)"

stored=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" -X POST -T "$WORK/jls.body" \
    -H 'Content-Type: multipart/related; type="application/dicom"; boundary=memb' "$URL/studies")
JLS=$(sqlite3 "$ROOT/index.sqlite" "SELECT study_uid, series_uid, sop_instance_uid FROM instance
    JOIN series ON series.id = series_ref JOIN study ON study.id = study_ref WHERE transfer_syntax_uid = '1.2.840.10008.1.2.4.80'" |
    awk -F'|' '{ print "studies/" $1 "/series/" $2 "/instances/" $3 }')
transcode=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "${AUTH[@]}" \
    -H 'Accept: multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1' "$URL/$JLS")
read -r code bytes secs <<<"$transcode"
echo "WADO-RS of the JPEG-LS MR (STOW $stored) as Explicit VR Little Endian: HTTP $code, $((bytes >> 20)) MiB in ${secs}s;" \
     "peak RSS $(peak_mb "$WEB_PID") MB (+$(($(peak_mb "$WEB_PID") - idle)) MB over idle)"
