#!/usr/bin/env bash
# Power-cut test of dcmrecv's durability: the data root lives on an ext4 file system in a loop
# device. While two pynetdicom senders store new instances, dcmrecv is frozen (SIGSTOP) at a
# random moment and the block device is copied as it holds it, read with O_DIRECT so nothing
# comes from a page cache: what the receiver wrote but never flushed was never sent to the device,
# so it is not in the copy. The copy is then recovered like a machine after a power cut (journal
# replay by fsck, mount, dcmrecv's start-up recovery), and every instance acknowledged before the
# freeze must be indexed, present and completely readable, with nothing partial indexed.
# The file system is mounted with commit=60 so that no periodic journal commit lands while the
# device is copied (the copy is read while the frozen receiver issues nothing, but the kernel's
# writeback may still write unflushed data, which a real disk may equally have kept or lost).
# Needs root (losetup, mount). Usage: scripts/crash-test/receiver-power-cut.sh [REPETITIONS=5] [COUNT=400]
#   TANDEM_BIN=DIR  directory holding dcmrecv and dcmsynth (default .build/release)
# Prints one line per repetition and a total; exits 1 on the first violation, 77 when it cannot run here.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${TANDEM_BIN:-$REPO/.build/release}
REPETITIONS=${1:-5}
COUNT=${2:-400}
[ "$(id -u)" = 0 ] && command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null || {
    echo "needs root, losetup and mkfs.ext4" >&2; exit 77; }
WORK=$(mktemp -d /tmp/tandem-power-cut.XXXXXX)
RECEIVER=""
SENDERS=()

# shellcheck source=receiver-lib.sh
source "$HERE/receiver-lib.sh"
# shellcheck source=loop-image-lib.sh
source "$HERE/loop-image-lib.sh"
trap 'clean_up_loop_test $RECEIVER "${SENDERS[@]}"' EXIT
PORT=$(free_port)

stop_receiver() {
    kill "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true; RECEIVER=""
}

"$BIN/dcmsynth" --out "$WORK/templates" --modality CT --instances 20 --instance-size 64k >/dev/null
total_acked=0
for rep in $(seq "$REPETITIONS"); do
    truncate -s 512M "$WORK/disk.img"
    mkfs.ext4 -q -F "$WORK/disk.img"
    attach "$WORK/disk.img" "$WORK/disk" commit=60; device=$ATTACHED
    start_receiver "$WORK/disk/root" POWERCUT
    SENDERS=()
    for sender in 1 2; do
        python3 "$HERE/acked-sender.py" 127.0.0.1 "$PORT" POWERCUT "$WORK/templates" "$WORK/acked-$rep-$sender.txt" \
            "$COUNT" 120 >"$WORK/sender-$rep-$sender.log" 2>&1 &
        SENDERS+=($!)
    done
    # Freeze at a random moment once the senders are storing.
    for _ in $(seq 600); do [ -s "$WORK/acked-$rep-1.txt" ] && break; sleep 0.1; done
    sleep "$(python3 -c 'import random; print(f"{random.uniform(0.1, 2.0):.2f}")')"
    kill -STOP "$RECEIVER"
    dd if="$device" of="$WORK/copy.img" iflag=direct bs=4M status=none
    # Every acknowledgement a sender holds now was sent before the freeze.
    for pid in "${SENDERS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    SENDERS=()
    cat "$WORK"/acked-"$rep"-*.txt >"$WORK/acked-$rep.txt" 2>/dev/null || true
    kill -9 "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true; RECEIVER=""
    detach "$WORK/disk" "$device"

    # The machine comes back: journal replay, mount, dcmrecv's recovery, then the check.
    fsck_status=0; fsck.ext4 -p "$WORK/copy.img" >"$WORK/fsck-$rep.log" 2>&1 || fsck_status=$?
    if [ "$fsck_status" -ge 4 ]; then echo "repetition $rep: fsck found errors" >&2; cat "$WORK/fsck-$rep.log" >&2; exit 1; fi
    attach "$WORK/copy.img" "$WORK/copy"; copy=$ATTACHED
    start_receiver "$WORK/copy/root" POWERCUT
    stop_receiver
    result=$(python3 "$HERE/verify-archive.py" "$WORK/copy/root" "$WORK/acked-$rep.txt") || {
        echo "repetition $rep: $result" >&2; exit 1; }
    acked=$(wc -l <"$WORK/acked-$rep.txt")
    total_acked=$((total_acked + acked))
    echo "repetition $rep: $acked acknowledged before the freeze; copy after recovery: $result"
    detach "$WORK/copy" "$copy"
    rm -f "$WORK/disk.img" "$WORK/copy.img"
done
[ "$total_acked" -gt 0 ] || { echo "no instance was acknowledged before a freeze: nothing was tested" >&2; exit 1; }
echo "total: $REPETITIONS power cuts, $total_acked acknowledged, all present and indexed"
