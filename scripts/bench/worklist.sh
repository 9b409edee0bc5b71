#!/usr/bin/env bash
# Worklist latency over a large index: GET /api/worklist (one page of 50 with its total) for the
# default order, each sort, the filters and deep pages, plus /api/worklist/neighbours, against
# an index of STUDIES studies (default 100,000) written straight into index.sqlite. Prints the
# median of ROUNDS curl requests per query in milliseconds (curl's time_total, over loopback,
# HTTP Basic with a cached credential). There is no counterpart to run side by side here:
# neither DCMTK nor Orthanc has a reading worklist (Orthanc Explorer lists studies without
# sorting or paging on the server), so the figures stand alone. Nothing is asserted.
# Usage: scripts/bench/worklist.sh [STUDIES] [ROUNDS]   (TANDEM_BIN=DIR to use already built tools)
source "$(dirname "$0")/common.sh"
STUDIES=${1:-100000}
ROUNDS=${2:-15}
build_release
ROOT=$WORK/root

# dcmrecv's first start creates the data root and the index (all migrations).
port=$(free_port)
"$BIN/dcmrecv" -q --root "$ROOT" --bind 127.0.0.1 --port "$port" >/dev/null 2>&1 & pid=$!; PIDS+=("$pid")
wait_port "$port"; kill "$pid"; wait "$pid" || true

echo "writing $STUDIES studies into the index" >&2
load=$(seconds sqlite3 "$ROOT/index.sqlite" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $STUDIES)
INSERT INTO patient (id, patient_id, issuer_of_patient_id, patient_name, birth_date, sex, patient_name_folded)
SELECT i, 'PID' || i, '',
       printf('%s%d^%s', CASE i % 8 WHEN 0 THEN 'SMITH' WHEN 1 THEN 'GARCIA' WHEN 2 THEN 'MÜLLER' WHEN 3 THEN 'NGUYEN'
                         WHEN 4 THEN 'ROSSI' WHEN 5 THEN 'DUBOIS' WHEN 6 THEN 'KOWALSKI' ELSE 'JOHANSSON' END, i % 1000,
              CASE i % 5 WHEN 0 THEN 'ANNA' WHEN 1 THEN 'JOHN' WHEN 2 THEN 'MARIA' WHEN 3 THEN 'PETER' ELSE 'LENA' END),
       printf('19%02d%02d%02d', 30 + i % 70, 1 + i % 12, 1 + i % 28), CASE i % 2 WHEN 0 THEN 'F' ELSE 'M' END, ''
FROM n;
UPDATE patient SET patient_name_folded = lower(patient_name);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $STUDIES)
INSERT INTO study (study_uid, patient_ref, study_date, study_time, description, modalities_in_study, number_of_series,
                   number_of_instances, last_received_at, first_received_at, calling_ae, reading_state, reading_user,
                   reading_since, reading_heartbeat_at)
SELECT '1.2.826.0.1.3680043.10.543.' || i, i, strftime('%Y%m%d', 'now', '-' || (i / 60) || ' hours'),
       printf('%02d%02d00', i % 24, i % 60), CASE i % 3 WHEN 0 THEN 'MR BRAIN' WHEN 1 THEN 'MR KNEE' ELSE 'CT CHEST' END,
       CASE i % 3 WHEN 2 THEN 'CT' ELSE 'MR' END, 1 + i % 8, 20 + i % 400,
       strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || i || ' minutes'), strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (i + 5) || ' minutes'),
       'SITE' || (i % 15), CASE WHEN i % 10 < 7 THEN 'read' WHEN i % 10 < 9 THEN 'unread' ELSE 'in-progress' END,
       CASE WHEN i % 10 < 7 OR i % 10 = 9 THEN 'rad' || (i % 4) END,
       CASE WHEN i % 10 < 7 OR i % 10 = 9 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || i || ' minutes') END,
       CASE WHEN i % 10 = 9 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') END
FROM n;
COMMIT;
ANALYZE;
SQL
)
echo "index written in ${load}s"

echo 'bench-password-1' | "$BIN/dcmweb" user add bench --role radiologist --password-stdin --root "$ROOT" >/dev/null
http=$(free_port)
"$BIN/dcmweb" serve --root "$ROOT" --bind 127.0.0.1 --port "$http" -q >/dev/null 2>&1 & PIDS+=($!)
wait_port "$http"
middle=1.2.826.0.1.3680043.10.543.$((STUDIES / 2))

# query LABEL PATH: the median of ROUNDS requests, in milliseconds.
query() {
    local label=$1 path=$2 times=()
    curl -s -o /dev/null -u bench:bench-password-1 "http://127.0.0.1:$http$path"   # the credential gets cached
    for _ in $(seq "$ROUNDS"); do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -u bench:bench-password-1 "http://127.0.0.1:$http$path")")
    done
    printf '%-44s %8.1f ms\n' "$label" "$(python3 -c "import statistics,sys; print(1000*statistics.median(map(float,sys.argv[1:])))" "${times[@]}")"
}

echo "worklist over $STUDIES studies, median of $ROUNDS requests (page of 50 + total):"
query "default (newest arrivals first)" "/api/worklist?refresh=1"
for sort in patientName patientID birthDate studyDate centre modality instances status; do
    query "sort=$sort" "/api/worklist?refresh=1&sort=$sort&order=asc"
done
query "text q=garcia1 (name part)" "/api/worklist?refresh=1&q=garcia1"
query "text q=PID4242 (ID prefix)" "/api/worklist?refresh=1&q=PID4242"
query "status=unread,in-progress" "/api/worklist?refresh=1&status=unread,in-progress"
query "today, MR, one centre" "/api/worklist?refresh=1&from=$(date +%Y%m%d)&modality=MR&centre=SITE3"
query "last page (offset $((STUDIES - 50)))" "/api/worklist?refresh=1&offset=$((STUDIES - 50))"
query "neighbours of the middle study" "/api/worklist/neighbours?study=$middle"
query "neighbours, sorted by name" "/api/worklist/neighbours?study=$middle&sort=patientName&order=asc"
