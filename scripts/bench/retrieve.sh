#!/usr/bin/env bash
# C-MOVE from dcmrecv to DCMTK storescp vs dcmsend sending the same study to it, alternating in
# one run: a 500-instance 512 KB CT study, first stored in dcmrecv (storescp is a [[peer]]).
# Also times getscu retrieving the study from dcmrecv on its own association, storing it as
# storescp does.
# Prints the median seconds of each and the ratios movescu/dcmsend and getscu/dcmsend (target
# for the move: at most 1.2). movescu's and getscu's start-up are included, as dcmsend's is.
# Usage: scripts/bench/retrieve.sh [ROUNDS]   (TANDEM_BIN=DIR to use already built tools)
# DCMTK is called by absolute path (DCMTK_BIN, default /usr/bin): pynetdicom installs
# programs of the same names that may come first on PATH.
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
DCMTK_BIN=${DCMTK_BIN:-/usr/bin}
build_release

"$BIN/dcmsynth" --out "$WORK/ct" --modality CT --instances 500 --instance-size 512k >/dev/null
STUDY=$("$DCMTK_BIN/dcmdump" -q -s +P 0020,000d "$(find "$WORK/ct" -type f | head -1)" | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)

SCP_PORT=$(free_port)
mkdir -p "$WORK/scp"
LD_PRELOAD=$SHIM "$DCMTK_BIN/storescp" --fork -od "$WORK/scp" -aet STORESCP "$SCP_PORT" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$SCP_PORT"

ARCHIVE_PORT=$(free_port)
mkdir -p "$WORK/archive"
cat > "$WORK/archive/tandem.toml" <<TOML
[[peer]]
ae_title = "STORESCP"
host = "127.0.0.1"
port = $SCP_PORT
TOML
"$BIN/dcmrecv" -q --root "$WORK/archive" --bind 127.0.0.1 --port "$ARCHIVE_PORT" --aet BENCH >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$ARCHIVE_PORT"
"$BIN/dcmsend" -q -aec BENCH 127.0.0.1 "$ARCHIVE_PORT" "$WORK/ct" >/dev/null

run_dcmsend() { "$BIN/dcmsend" -q -aet BENCH -aec STORESCP -j 1 127.0.0.1 "$SCP_PORT" "$WORK/ct"; }
run_movescu() {
    LD_PRELOAD=$SHIM "$DCMTK_BIN/movescu" -S -aet MOVER -aec BENCH -aem STORESCP -k QueryRetrieveLevel=STUDY \
        -k StudyInstanceUID="$STUDY" 127.0.0.1 "$ARCHIVE_PORT"
}
run_getscu() {
    LD_PRELOAD=$SHIM "$DCMTK_BIN/getscu" -S -aet GETTER -aec BENCH -od "$WORK/scp" -k QueryRetrieveLevel=STUDY \
        -k StudyInstanceUID="$STUDY" 127.0.0.1 "$ARCHIVE_PORT"
}

# A timing counts only if every instance arrived.
received() {
    local got; got=$(find "$WORK/scp" -type f | wc -l)
    if [ "$got" -ne 500 ]; then echo "only $got of 500 instances arrived ($1)" >&2; exit 1; fi
    rm -rf "${WORK:?}/scp/"*
}

send_times=(); move_times=(); get_times=()
for _ in $(seq "$ROUNDS"); do
    send_times+=("$(seconds run_dcmsend)"); received dcmsend
    move_times+=("$(seconds run_movescu)"); received "C-MOVE"
    get_times+=("$(seconds run_getscu)"); received "C-GET"
done
s=$(median "${send_times[@]}"); m=$(median "${move_times[@]}"); g=$(median "${get_times[@]}")
echo "500 x 512 KB: dcmsend -j1 ${s}s  C-MOVE (movescu) ${m}s (x$(ratio "$m" "$s") of dcmsend)  C-GET (getscu) ${g}s (x$(ratio "$g" "$s"))"
