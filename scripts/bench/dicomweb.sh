#!/usr/bin/env bash
# DICOMweb, dcmweb vs Orthanc's DICOMweb plugin (Debian orthanc-dicomweb), in one run:
#   metadata  study /metadata of a 2,000-instance MR study (dcmweb cold: cache emptied first; warm: from the cache)
#   qido      QIDO-RS /studies over STUDIES one-instance studies: PatientName=GARCIA*, exact PatientID
#   rendered  /rendered of one 512x512 MR frame as JPEG
#   wado      WADO-RS of a 500 x 512 KB CT study (transfer-syntax=*), against the disk's read bandwidth
#   stow      STOW-RS of that study into an empty archive, against dcmrecv ingesting it from storescu
# Both archives are filled over DICOM by DCMTK's storescu. Each figure is the median of ROUNDS
# curl runs (curl's start-up included for both servers); ratios are orthanc/dcmweb (above 1:
# dcmweb faster), except wado (MB/s against the disk) and stow (dcmweb STOW time / dcmrecv time).
# Nothing is asserted. dcmweb is asked with a bearer token, Orthanc without authentication.
# Usage: scripts/bench/dicomweb.sh [STUDIES] [ROUNDS]   (TANDEM_BIN=DIR to use already built tools;
#        ROWS=stow for the STOW-RS row alone: neither Orthanc nor the other studies are needed)
source "$(dirname "$0")/common.sh"
STUDIES=${1:-20000}
ROUNDS=${2:-7}
DCMTK_BIN=${DCMTK_BIN:-/usr/bin}
PLUGIN=${ORTHANC_DICOMWEB:-/usr/share/orthanc/plugins/libOrthancDicomWeb.so}
if [ "${ROWS:-all}" != stow ]; then
    command -v Orthanc >/dev/null || { echo "Orthanc is missing: apt-get install orthanc" >&2; exit 66; }
    [ -f "$PLUGIN" ] || { echo "Orthanc's DICOMweb plugin is missing: apt-get install orthanc-dicomweb" >&2; exit 66; }
fi
python3 -c 'import pydicom' 2>/dev/null || { echo "pydicom is missing: pip install pydicom" >&2; exit 66; }
if [ -z "${TANDEM_BIN:-}" ]; then
    (cd "$REPO" && for p in dcmrecv dcmweb dcmsynth; do swift build -c release --product "$p" >/dev/null; done)
fi

status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
stow_row() {
    # STOW-RS of the CT study into an empty archive vs dcmrecv ingesting it from one storescu association.
    python3 - "$WORK/ct500" "$WORK/stow.body" <<'PY'
import os, sys
with open(sys.argv[2], "wb") as out:
    for directory, _, names in sorted(os.walk(sys.argv[1])):
        for name in sorted(names):
            out.write(b"--benchb\r\nContent-Type: application/dicom\r\n\r\n")
            out.write(open(os.path.join(directory, name), "rb").read())
            out.write(b"\r\n")
    out.write(b"--benchb--\r\n")
PY
    fresh_root() {
        rm -rf "$1"; mkdir -p "$1"
        local port; port=$(free_port)
        "$BIN/dcmrecv" -q --root "$1" --bind 127.0.0.1 --port "$port" >/dev/null 2>&1 & local pid=$!
        wait_port "$port"; kill "$pid"; wait "$pid" || true
    }
    stow_times=(); recv_times=()
    for round in $(seq 3); do
        fresh_root "$WORK/stow"
        echo 'bench-password-1' | "$BIN/dcmweb" user add bench --role admin --password-stdin --root "$WORK/stow" >/dev/null
        stow_token=$("$BIN/dcmweb" token create bench --name bench --root "$WORK/stow")
        port=$(free_port)
        "$BIN/dcmweb" -q --root "$WORK/stow" --bind 127.0.0.1 --port "$port" >/dev/null 2>&1 & web_pid=$!
        wait_port "$port"
        stow() { [ "$(status_of -H "Authorization: Bearer $stow_token" -X POST --data-binary @"$WORK/stow.body" \
            -H 'Content-Type: multipart/related; type="application/dicom"; boundary=benchb' \
            "http://127.0.0.1:$port/dicomweb/studies")" = 200 ] || { echo "STOW-RS failed" >&2; exit 1; }; }
        stow_times+=("$(seconds stow)")
        kill "$web_pid"; wait "$web_pid" || true
        [ "$(sqlite3 "$WORK/stow/index.sqlite" "SELECT count(*) FROM instance")" = 500 ] || { echo "STOW-RS stored too few" >&2; exit 1; }

        rm -rf "$WORK/recv"; mkdir -p "$WORK/recv"; port=$(free_port)
        "$BIN/dcmrecv" -q --root "$WORK/recv" --bind 127.0.0.1 --port "$port" --aet BENCH >/dev/null 2>&1 & recv_pid=$!
        wait_port "$port"
        recv_times+=("$(seconds env LD_PRELOAD="$SHIM" "$DCMTK_BIN/storescu" -aec BENCH +sd +r 127.0.0.1 "$port" "$WORK/ct500")")
        kill "$recv_pid"; wait "$recv_pid" || true
        [ "$(sqlite3 "$WORK/recv/index.sqlite" "SELECT count(*) FROM instance")" = 500 ] || { echo "dcmrecv stored too few" >&2; exit 1; }
    done
    stow_d=$(median "${stow_times[@]}"); recv_d=$(median "${recv_times[@]}")
    echo "STOW-RS of the 500 x 512 KB study into an empty archive: dcmweb ${stow_d}s; dcmrecv from storescu ${recv_d}s;" \
         "STOW/dcmrecv x$(ratio "$stow_d" "$recv_d") (target <= 1.3) (median of 3)"
}

echo "writing the studies" >&2
"$BIN/dcmsynth" --out "$WORK/mr2000" --modality MR --series 4 --instances 500 --instance-size 24k \
    --patient-id META-1 >/dev/null
"$BIN/dcmsynth" --out "$WORK/mr512" --modality MR --instances 1 --instance-size 512k --patient-id RENDER-1 >/dev/null
"$BIN/dcmsynth" --out "$WORK/ct500" --modality CT --instances 500 --instance-size 512k --patient-id WADO-1 >/dev/null
if [ "${ROWS:-all}" = stow ]; then stow_row; exit 0; fi
python3 "$BENCH_DIR/find-archive.py" "$WORK/studies" "$STUDIES"
uid_of() { "$DCMTK_BIN/dcmdump" -q -s +P "$1" "$2" | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1; }
first_file() { find "$1" -type f -name '*.dcm' | sort | head -1; }
META_STUDY=$(uid_of 0020,000d "$(first_file "$WORK/mr2000")")
RENDER_FILE=$(first_file "$WORK/mr512")
RENDER_PATH="studies/$(uid_of 0020,000d "$RENDER_FILE")/series/$(uid_of 0020,000e "$RENDER_FILE")/instances/$(uid_of 0008,0018 "$RENDER_FILE")"
WADO_STUDY=$(uid_of 0020,000d "$(first_file "$WORK/ct500")")
PATIENT_ID=$(printf PID%07d $((STUDIES / 4)))

# store PORT DIR...: storescu, four associations at once over the given directories' files.
store() {
    local port=$1; shift
    local files=() pids=()
    mapfile -t files < <(find "$@" -type f | sort)
    for q in 0 1 2 3; do
        local mine=()
        for i in "${!files[@]}"; do [ $((i % 4)) -eq $q ] && mine+=("${files[$i]}"); done
        [ ${#mine[@]} -gt 0 ] || continue
        printf '%s\n' "${mine[@]}" > "$WORK/list.$q"
        (xargs -a "$WORK/list.$q" -n 1000 sh -c 'LD_PRELOAD='"$SHIM"' '"$DCMTK_BIN"'/storescu -aec BENCH 127.0.0.1 '"$port"' "$@"' _) & pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
}

# --- dcmweb over an archive filled through dcmrecv ---
ROOT=$WORK/tandem
DICOM_PORT=$(free_port); WEB_PORT=$(free_port)
mkdir -p "$ROOT"
"$BIN/dcmrecv" -q --root "$ROOT" --bind 127.0.0.1 --port "$DICOM_PORT" --aet BENCH --any-called-aet >/dev/null 2>&1 &
RECV_PID=$!; PIDS+=("$RECV_PID")
wait_port "$DICOM_PORT"
echo "dcmrecv: loaded in $(seconds store "$DICOM_PORT" "$WORK/mr2000" "$WORK/mr512" "$WORK/ct500" "$WORK/studies")s" >&2
echo 'bench-password-1' | "$BIN/dcmweb" user add bench --role admin --password-stdin --root "$ROOT" >/dev/null
TOKEN=$("$BIN/dcmweb" token create bench --name bench --root "$ROOT")
"$BIN/dcmweb" -q --root "$ROOT" --bind 127.0.0.1 --port "$WEB_PORT" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$WEB_PORT"
INSTANCES=$(sqlite3 "$ROOT/index.sqlite" "SELECT count(*) FROM instance")
start=$(date +%s.%N)
for _ in $(seq 3000); do
    [ "$(sqlite3 "$ROOT/index.sqlite" "SELECT count(*) FROM instance_metadata")" -ge "$INSTANCES" ] && break
    sleep 0.2
done
echo "dcmweb: metadata cache of $INSTANCES instances filled in the background in $(python3 -c "print(f'{$(date +%s.%N)-$start:.1f}')")s"

# --- Orthanc with the DICOMweb plugin over the same files ---
ORTHANC_DIR=$WORK/orthanc; ORTHANC_DICOM=$(free_port); ORTHANC_HTTP=$(free_port)
mkdir -p "$ORTHANC_DIR"
cat > "$ORTHANC_DIR/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$ORTHANC_DIR/storage", "IndexDirectory": "$ORTHANC_DIR/index",
  "DicomAet": "BENCH", "DicomPort": $ORTHANC_DICOM, "HttpPort": $ORTHANC_HTTP, "DicomCheckCalledAet": false,
  "DicomAlwaysAllowStore": true, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "StorageCompression": false, "LogExportedResources": false, "Plugins": ["$PLUGIN"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "EnableWado": false } }
JSON
LD_PRELOAD=$SHIM Orthanc "$ORTHANC_DIR/orthanc.json" >"$WORK/orthanc.log" 2>&1 &
PIDS+=($!)
wait_port "$ORTHANC_DICOM"; wait_port "$ORTHANC_HTTP"
echo "orthanc: loaded in $(seconds store "$ORTHANC_DICOM" "$WORK/mr2000" "$WORK/mr512" "$WORK/ct500" "$WORK/studies")s" >&2

TANDEM_URL="http://127.0.0.1:$WEB_PORT/dicomweb"; ORTHANC_URL="http://127.0.0.1:$ORTHANC_HTTP/dicom-web"
# get KIND PATH [ACCEPT]: one GET, the body to $WORK/body.KIND (or to BODY_TO); prints curl's total seconds.
get() {
    local auth=() base=$ORTHANC_URL
    [ "$1" = dcmweb ] && auth=(-H "Authorization: Bearer $TOKEN") && base=$TANDEM_URL
    curl -s -o "${BODY_TO:-$WORK/body.$1}" -w '%{time_total}' "${auth[@]}" -H "Accept: ${3:-*/*}" "$base/$2"
}
# timed KIND PATH [ACCEPT]: ROUNDS GETs after one warm-up, their median seconds.
timed() {
    local times=()
    get "$@" >/dev/null
    for _ in $(seq "$ROUNDS"); do times+=("$(get "$@")"); done
    median "${times[@]}"
}
json_count() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$1"; }

# Study metadata: dcmweb cold (cache emptied; the filler does not revisit old ids), then warm.
sqlite3 "$ROOT/index.sqlite" "DELETE FROM instance_metadata WHERE instance_ref IN (SELECT instance.id FROM instance
    JOIN series ON series.id = series_ref JOIN study ON study.id = study_ref WHERE study_uid = '$META_STUDY')"
cold=$(get dcmweb "studies/$META_STUDY/metadata" application/dicom+json)
meta_d=$(timed dcmweb "studies/$META_STUDY/metadata" application/dicom+json); meta_count_d=$(json_count "$WORK/body.dcmweb")
meta_o=$(timed orthanc "studies/$META_STUDY/metadata" application/dicom+json); meta_count_o=$(json_count "$WORK/body.orthanc")
echo "study metadata, 2,000 instances: dcmweb ${meta_d}s warm (${meta_count_d} objects; cold ${cold}s)" \
     "(target <= 0.1s)  orthanc ${meta_o}s (${meta_count_o} objects) (x$(ratio "$meta_o" "$meta_d"))"

for query in "PatientName=GARCIA*" "PatientID=$PATIENT_ID"; do
    d=$(timed dcmweb "studies?$query" application/dicom+json); nd=$(json_count "$WORK/body.dcmweb")
    o=$(timed orthanc "studies?$query" application/dicom+json); no=$(json_count "$WORK/body.orthanc")
    target=0.1; [ "${query%%=*}" = PatientID ] && target=0.005
    echo "QIDO /studies?$query over $STUDIES studies: dcmweb ${d}s ($nd matches) (target <= ${target}s)" \
         " orthanc ${o}s ($no matches) (x$(ratio "$o" "$d"))"
done

d=$(timed dcmweb "$RENDER_PATH/rendered" image/jpeg); o=$(timed orthanc "$RENDER_PATH/rendered" image/jpeg)
echo "rendered 512x512 MR frame (JPEG): dcmweb ${d}s ($(stat -c %s "$WORK/body.dcmweb") bytes) (target <= 0.01s)" \
     " orthanc ${o}s ($(stat -c %s "$WORK/body.orthanc") bytes) (x$(ratio "$o" "$d"))"

# WADO-RS of the CT study, against reading its stored files: O_DIRECT (the disk) and through the page cache.
# Timed with the body discarded: curl writing 256 MB into its own files is the client's time, not
# the server's (it doubled dcmweb's time); each body is then fetched once more to count its bytes.
accept='multipart/related; type="application/dicom"; transfer-syntax=*'
d=$(BODY_TO=/dev/null timed dcmweb "studies/$WADO_STUDY" "$accept")
get dcmweb "studies/$WADO_STUDY" "$accept" >/dev/null; bytes=$(stat -c %s "$WORK/body.dcmweb")
o=$(BODY_TO=/dev/null timed orthanc "studies/$WADO_STUDY" "$accept")
get orthanc "studies/$WADO_STUDY" "$accept" >/dev/null; bytes_o=$(stat -c %s "$WORK/body.orthanc")
study_dir=$(dirname "$(sqlite3 "$ROOT/index.sqlite" "SELECT file_path FROM instance JOIN series ON series.id = series_ref
    JOIN study ON study.id = study_ref WHERE study_uid = '$WADO_STUDY' LIMIT 1")")
# read_files [direct]: one process reads every file of the study in 1 MB blocks (O_DIRECT: past the page cache).
read_files() {
    python3 - "$ROOT/$study_dir" "${1:-}" <<'PY'
import mmap, os, sys
flags = os.O_RDONLY | (os.O_DIRECT if sys.argv[2] == "direct" else 0)
block = mmap.mmap(-1, 1 << 20)  # page-aligned, as O_DIRECT needs
for name in os.listdir(sys.argv[1]):
    fd = os.open(os.path.join(sys.argv[1], name), flags)
    while os.readv(fd, [block]) == len(block):
        pass
    os.close(fd)
PY
}
direct=$(seconds read_files direct); cached=$(seconds read_files)
mbs() { python3 -c "print(f'{$1/1e6/$2:.0f}')"; }
echo "WADO-RS study, 500 x 512 KB: dcmweb ${d}s $(mbs "$bytes" "$d") MB/s  orthanc ${o}s $(mbs "$bytes_o" "$o") MB/s" \
     "(x$(ratio "$o" "$d")); disk read (O_DIRECT) $(mbs "$bytes" "$direct") MB/s, page cache $(mbs "$bytes" "$cached") MB/s;" \
     "dcmweb/disk x$(python3 -c "print(f'{$direct/$d:.2f}')") (target >= 0.67)"
stow_row
