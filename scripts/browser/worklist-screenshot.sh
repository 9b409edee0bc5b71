#!/usr/bin/env bash
# Regenerates docs/images/worklist.png: a small archive (synthetic studies sent with DCMTK's
# storescu from three "centres", some being read or read), dcmweb, and the worklist in headless
# Chromium. Usage: scripts/browser/worklist-screenshot.sh [OUT.png]   (TANDEM_BIN=DIR: the tools)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${TANDEM_BIN:-$REPO/.build/debug}
OUT=${1:-$REPO/docs/images/worklist.png}
WORK=$(mktemp -d /tmp/tandem-shot.XXXXXX)
# shellcheck source=../lib/background.sh
source "$REPO/scripts/lib/background.sh"
# shellcheck source=../lib/ports.sh
source "$REPO/scripts/lib/ports.sh"

ROOT=$WORK/root
mkdir -p "$ROOT"
cat > "$ROOT/tandem.toml" <<'TOML'
[[peer]]
ae_title = "NORTHMRI"
host = "127.0.0.1"
port = 104
name = "North Imaging"

[[peer]]
ae_title = "RIVERSIDE"
host = "127.0.0.1"
port = 104
name = "Riverside Clinic"
TOML
dicom=$(free_port)
"$BIN/dcmrecv" -q --root "$ROOT" --bind 127.0.0.1 --port "$dicom" & PIDS+=($!)
wait_port "$dicom"
i=0
while IFS='|' read -r aet modality series instances name id; do
    i=$((i + 1))
    "$BIN/dcmsynth" -q --out "$WORK/s$i" --modality "$modality" --series "$series" --instances "$instances" \
        --instance-size 8k --patient-name "$name" --patient-id "$id" >/dev/null
    /usr/bin/storescu -aet "$aet" -aec TANDEM +sd +r 127.0.0.1 "$dicom" "$WORK/s$i"
done <<'LIST'
NORTHMRI|MR|6|24|Lindqvist^Karin|NI-20417
RIVERSIDE|MR|5|30|Okafor^Chidi|RC-88213
CENTRE7|CT|2|60|Moreau^Hélène|C7-5521
NORTHMRI|MR|7|26|Brandt^Jonas|NI-20433
RIVERSIDE|MR|4|22|Tanaka^Yui|RC-88240
NORTHMRI|MR|6|28|Costa^Marta|NI-20451
CENTRE7|MR|5|20|Novak^Petr|C7-5530
LIST
for user in anna ben; do
    echo "$user-password-1" | "$BIN/dcmweb" user add "$user" --role radiologist --password-stdin --root "$ROOT" >/dev/null
done
http=$(free_port)
"$BIN/dcmweb" serve -q --root "$ROOT" --bind 127.0.0.1 --port "$http" & PIDS+=($!)
wait_port "$http"
uids=$(curl -s -u anna:anna-password-1 "http://127.0.0.1:$http/api/worklist?sort=patientID&order=asc" \
    | python3 -c 'import json,sys; print(" ".join(s["studyInstanceUID"] for s in json.load(sys.stdin)["studies"]))')
set -- $uids
act() { curl -s -o /dev/null -u "$1:$1-password-1" -H 'Content-Type: application/json' --data "{\"action\":\"$3\"}" \
    "http://127.0.0.1:$http/api/studies/$2/reading"; }
act ben "$1" claim; act ben "$1" read       # C7-5521
act anna "$3" claim                          # NI-20417
act ben "$4" claim; act ben "$4" read        # NI-20433
act ben "$6" claim                           # RC-88213
python3 "$REPO/scripts/browser/harness.py" screenshot "http://127.0.0.1:$http" user.anna=anna-password-1 "path=$OUT"
echo "wrote $OUT"
