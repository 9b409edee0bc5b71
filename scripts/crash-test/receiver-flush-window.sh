#!/usr/bin/env bash
# Crash test of the window between an index row's commit and the end of its file's flush.
# Ingest commits an instance's row (noted in unflushed_object) while its file is fsynced, and
# answers once both are done. Here dcmrecv runs under strace, which holds every fsync for
# DELAY_MS before it enters the kernel: the object writer's flushes of files and directories
# (SQLite syncs its WAL with fdatasync, which is left alone), so each row is committed while its
# file's flush is held. The data root is on a loop-mounted ext4 image (commit=60). Four
# pynetdicom senders store new instances; once notes show up in the index, dcmrecv is killed
# with SIGKILL in the middle of held flushes, and the block device is copied with O_DIRECT as it
# holds it at that moment: a power cut, where what was never flushed is not in the copy.
# Both outcomes are then recovered by dcmrecv's start-up: the file system as the killed process
# left it (the page cache kept every byte written: noted rows must be confirmed) and the copy
# (journal replay by fsck first; a noted row whose file did not reach the device is rolled back).
# After each: every acknowledged instance indexed, present and readable; no row pointing at an
# incomplete file; no orphan; incoming/ empty; unflushed_object empty. Unacknowledged instances
# may be there or not: they are not counted.
# Needs root (losetup, mount) and strace. Usage:
#   scripts/crash-test/receiver-flush-window.sh [REPETITIONS=3] [DELAY_MS=300]
#   TANDEM_BIN=DIR  directory holding dcmrecv and dcmsynth (default .build/release)
# Prints one line per repetition and a total; exits 1 on the first violation, 77 when it cannot run here.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${TANDEM_BIN:-$REPO/.build/release}
REPETITIONS=${1:-3}
DELAY_MS=${2:-300}
[ "$(id -u)" = 0 ] && command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null && command -v strace >/dev/null || {
    echo "needs root, losetup, mkfs.ext4 and strace" >&2; exit 77; }
WORK=$(mktemp -d /tmp/tandem-flush-window.XXXXXX)
TRACER=""
RECEIVER=""
SENDERS=()

# shellcheck source=receiver-lib.sh
source "$HERE/receiver-lib.sh"
# shellcheck source=loop-image-lib.sh
source "$HERE/loop-image-lib.sh"
trap 'clean_up_loop_test $TRACER $RECEIVER "${SENDERS[@]}"' EXIT
PORT=$(free_port)

# kill_when_noted ROOT PID: waits (at most 60 s) until instances were acknowledged and rows are
# noted in unflushed_object, then SIGKILLs PID from the same loop (no start-up delay between the
# look and the kill); prints the notes the index holds once PID is dead (0: none was caught).
kill_when_noted() {
    python3 - "$1" "$2" "$WORK" <<'PY'
import glob, os, shutil, signal, sqlite3, sys, tempfile, time
root, pid, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def notes(database, mode="ro"):
    try:
        db = sqlite3.connect(f"file:{database}?mode={mode}", uri=True, timeout=5)
        return db.execute("SELECT count(*) FROM unflushed_object").fetchone()[0]
    except sqlite3.Error:
        return 0
def alive():
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    acked = any(os.path.getsize(f) for f in glob.glob(f"{work}/acked-*.txt"))
    if acked and notes(f"{root}/index.sqlite") > 0:
        break
    time.sleep(0.01)
os.kill(pid, signal.SIGKILL)
# A thread inside a write() when the signal comes finishes it, so a WAL commit can land after
# kill() returns, and the killed writer may have appended a commit without updating the
# WAL index in -shm. So count once the process is gone (a zombie under strace), on a copy of
# the database and its WAL without -shm: opening it rebuilds the index from the WAL, as
# dcmrecv's start-up will, and the data root is left untouched for the power-cut copy.
deadline = time.monotonic() + 30
while alive() and time.monotonic() < deadline:
    time.sleep(0.005)
with tempfile.TemporaryDirectory(dir=work) as probe:
    for suffix in ("", "-wal"):
        if os.path.exists(f"{root}/index.sqlite{suffix}"):
            shutil.copyfile(f"{root}/index.sqlite{suffix}", f"{probe}/index.sqlite{suffix}")
    print(notes(f"{probe}/index.sqlite", mode="rw"))
PY
}

# recover ROOT LABEL: runs dcmrecv's start-up recovery on ROOT, stops it, prints the recovery's
# "confirmed_unflushed rolled_back_unflushed" from its log.
recover() {
    local log=$WORK/recovery-$2.log
    "$BIN/dcmrecv" --log-format json --root "$1" --bind 127.0.0.1 --port "$PORT" --aet WINDOW >/dev/null 2>"$log" &
    RECEIVER=$!
    wait_port "$PORT" || { echo "dcmrecv did not start" >&2; cat "$log" >&2; exit 1; }
    kill "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true; RECEIVER=""
    python3 - "$log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("message") == "archive recovered":
        fields = entry.get("metadata", entry)
        print(fields["confirmed_unflushed"], fields["rolled_back_unflushed"])
        break
else:
    sys.exit("no recovery summary in the log")
PY
}

"$BIN/dcmsynth" --out "$WORK/templates" --modality CT --instances 20 --instance-size 64k >/dev/null
total_acked=0 total_held=0 total_confirmed=0 total_rolled_back=0
for rep in $(seq "$REPETITIONS"); do
    truncate -s 256M "$WORK/disk.img"
    mkfs.ext4 -q -F "$WORK/disk.img"
    attach "$WORK/disk.img" "$WORK/disk" commit=60; device=$ATTACHED
    root=$WORK/disk/root
    strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=$((DELAY_MS * 1000)) \
        "$BIN/dcmrecv" -q --root "$root" --bind 127.0.0.1 --port "$PORT" --aet WINDOW >>"$WORK/dcmrecv.log" 2>&1 &
    TRACER=$!
    wait_port "$PORT" || { echo "dcmrecv did not start under strace" >&2; cat "$WORK/dcmrecv.log" >&2; exit 1; }
    RECEIVER=$(pgrep -P "$TRACER" | head -1)
    SENDERS=()
    for sender in 1 2 3 4; do
        python3 "$HERE/acked-sender.py" 127.0.0.1 "$PORT" WINDOW "$WORK/templates" "$WORK/acked-$rep-$sender.txt" \
            100 120 >"$WORK/sender-$rep-$sender.log" 2>&1 &
        SENDERS+=($!)
    done
    # Kill once some instances were answered and rows are committed with their flushes held.
    held=$(kill_when_noted "$root" "$RECEIVER"); RECEIVER=""
    [ "$held" -gt 0 ] || { echo "repetition $rep: no row was caught committed during its file's flush" >&2; exit 1; }
    dd if="$device" of="$WORK/copy.img" iflag=direct bs=4M status=none
    # strace ends by the signal that killed its tracee; the braces keep bash's "Killed" line quiet.
    { wait "$TRACER" || true; } 2>/dev/null; TRACER=""
    # Every acknowledgement a sender holds now was given before the kill.
    for pid in "${SENDERS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    SENDERS=()
    cat "$WORK"/acked-"$rep"-*.txt >"$WORK/acked-$rep.txt" 2>/dev/null || true
    mkdir -p "$WORK/acks"; mv "$WORK"/acked-*.txt "$WORK/acks/"
    acked=$(wc -l <"$WORK/acks/acked-$rep.txt")

    # The process crashed, the machine did not: every noted row's file is complete.
    read -r confirmed rolled_back <<<"$(recover "$root" "$rep-killed")"
    result=$(python3 "$HERE/verify-archive.py" "$root" "$WORK/acks/acked-$rep.txt") || {
        echo "repetition $rep, killed: $result" >&2; exit 1; }
    [ "$confirmed" = "$held" ] && [ "$rolled_back" = 0 ] || {
        echo "repetition $rep, killed: $held noted at the kill, recovery confirmed $confirmed, rolled back $rolled_back" >&2; exit 1; }
    echo "repetition $rep: $acked acknowledged, $held rows noted at the kill; killed: confirmed $confirmed, $result"
    detach "$WORK/disk" "$device"

    # The power cut: journal replay, mount, recovery, the same check.
    fsck_status=0; fsck.ext4 -p "$WORK/copy.img" >"$WORK/fsck-$rep.log" 2>&1 || fsck_status=$?
    if [ "$fsck_status" -ge 4 ]; then echo "repetition $rep: fsck found errors" >&2; cat "$WORK/fsck-$rep.log" >&2; exit 1; fi
    attach "$WORK/copy.img" "$WORK/copy"; device=$ATTACHED
    read -r cut_confirmed cut_rolled_back <<<"$(recover "$WORK/copy/root" "$rep-cut")"
    # A published object whose row and data both missed the device is left, with its unreadable
    # journal entry, for the operator (recovery does not walk objects/ to find it): counted, not failed.
    result=$(python3 "$HERE/verify-archive.py" "$WORK/copy/root" "$WORK/acks/acked-$rep.txt" --unreadable-entries-allowed) || {
        echo "repetition $rep, power cut: $result" >&2; exit 1; }
    echo "repetition $rep: power cut: confirmed $cut_confirmed, rolled back $cut_rolled_back, $result"
    detach "$WORK/copy" "$device"
    rm -f "$WORK/disk.img" "$WORK/copy.img"
    total_acked=$((total_acked + acked)) total_held=$((total_held + held))
    total_confirmed=$((total_confirmed + confirmed)) total_rolled_back=$((total_rolled_back + cut_rolled_back))
done
[ "$total_acked" -gt 0 ] || { echo "no instance was acknowledged before a kill: nothing was tested" >&2; exit 1; }
echo "total: $REPETITIONS kills during held flushes, $total_acked acknowledged, $total_held rows noted at the kills;" \
    "killed: $total_confirmed confirmed; power cuts: $total_rolled_back rolled back; all acknowledged present and indexed"
