#!/usr/bin/env bash
# Builds Tandem and runs a single-node archive on ./tandem-data (or $TANDEM_ROOT): dcmrecv
# listens on port 11112 (AE title TANDEM), dcmroute delivers whatever [[route]] rules
# ROOT/tandem.toml holds, dcmweb serves DICOMweb on port 8080 ($TANDEM_HTTP_PORT; on first start
# an `admin` user is created and its password printed once), and a synthetic sample study is
# loaded with dcmsend. Runs in the foreground until Ctrl-C, which stops all three gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release
BIN=.build/release
ROOT=${TANDEM_ROOT:-$PWD/tandem-data}
PORT=${TANDEM_PORT:-11112}
HTTP_PORT=${TANDEM_HTTP_PORT:-8080}
mkdir -p "$ROOT"

"$BIN/dcmrecv" --root "$ROOT" --port "$PORT" --aet TANDEM &
receiver=$!
trap 'kill -TERM "$receiver" 2>/dev/null; wait "$receiver"' INT TERM
for _ in $(seq 100); do
    "$BIN/dcmsend" -q --echo -aec TANDEM 127.0.0.1 "$PORT" 2>/dev/null && break
    kill -0 "$receiver" 2>/dev/null || { echo "dcmrecv did not start" >&2; exit 1; }
    sleep 0.1
done
# dcmroute and dcmweb open only an existing archive: start them once dcmrecv has created the data root.
"$BIN/dcmroute" run --root "$ROOT" &
router=$!
if [ -z "$("$BIN/dcmweb" user list --root "$ROOT")" ]; then
    password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
    echo "$password" | "$BIN/dcmweb" user add admin --role admin --password-stdin --root "$ROOT"
    echo "dcmweb user 'admin' created, password: $password (shown once; change it with: dcmweb user passwd admin)"
fi
"$BIN/dcmweb" serve --root "$ROOT" --port "$HTTP_PORT" &
web=$!
trap 'kill -TERM "$receiver" "$router" "$web" 2>/dev/null; wait "$receiver" "$router" "$web"' INT TERM

sample=$(mktemp -d)
"$BIN/dcmsynth" --out "$sample" --modality CT --series 2 --instances 20 --instance-size 128k >/dev/null
"$BIN/dcmsend" -aet SAMPLE -aec TANDEM 127.0.0.1 "$PORT" "$sample" >/dev/null
rm -rf "$sample"
echo "Tandem is running: dcmrecv (AE TANDEM) on port $PORT, dcmroute, and dcmweb on http://127.0.0.1:$HTTP_PORT/dicomweb; data root $ROOT, sample study loaded."
echo "Send studies with: $BIN/dcmsend -aec TANDEM 127.0.0.1 $PORT PATH...   Routing jobs: $BIN/dcmroute list --root $ROOT"
echo "Search with: curl -u admin:PASSWORD http://127.0.0.1:$HTTP_PORT/dicomweb/studies"
echo "Stop with Ctrl-C."
wait "$receiver" "$router" "$web"
