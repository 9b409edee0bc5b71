#!/usr/bin/env bash
# C-FIND latency, dcmrecv vs Orthanc, over the same archive (default 20,000 studies, one small
# CT instance each; see find-archive.py), in one run. Each query is one DCMTK findscu run
# (Study Root, STUDY level), timed including findscu's start-up, alternating between the two
# servers; prints the median of ROUNDS runs per query and the ratio orthanc/dcmrecv (above 1:
# dcmrecv faster), beside the targets. Both archives are loaded over DICOM with four storescu
# associations each (one instance per study); the load times are printed too. The same queries
# are then timed from one pynetdicom association kept open (find-warm.py): the server's share,
# without any client start-up. Nothing is asserted.
# Usage: scripts/bench/find.sh [STUDIES] [ROUNDS]   (TANDEM_BIN=DIR to use already built tools)
# DCMTK is called from /usr/bin: Python packages put programs named findscu/storescu earlier on PATH.
source "$(dirname "$0")/common.sh"
STUDIES=${1:-20000}
ROUNDS=${2:-15}
build_release
command -v Orthanc >/dev/null || { echo "Orthanc is missing: apt-get install orthanc" >&2; exit 66; }
python3 -c 'import pydicom' 2>/dev/null || { echo "pydicom is missing: pip install pydicom" >&2; exit 66; }

echo "writing $STUDIES studies" >&2
python3 "$BENCH_DIR/find-archive.py" "$WORK/studies" "$STUDIES"

# load PORT: four storescu associations at once, each sending a quarter of the groups of 1,000.
load() {
    local port=$1 pids=() groups=("$WORK"/studies/*)
    for q in 0 1 2 3; do
        local mine=()
        for i in "${!groups[@]}"; do [ $((i % 4)) -eq $q ] && mine+=("${groups[$i]}"); done
        [ ${#mine[@]} -gt 0 ] || continue
        LD_PRELOAD=$SHIM /usr/bin/storescu -aec BENCH +sd +r 127.0.0.1 "$port" "${mine[@]}" & pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
}

declare -A ports pids
for kind in dcmrecv orthanc; do
    ports[$kind]=$(free_port)
    pids[$kind]=$(start_server "$kind" "${ports[$kind]}" "$WORK/srv-$kind"); PIDS+=("${pids[$kind]}")
    wait_port "${ports[$kind]}"
    load=$(seconds load "${ports[$kind]}")
    echo "$kind: loaded $STUDIES studies in ${load}s (four storescu associations)"
done

# find_study KIND KEY=VALUE: one findscu run at STUDY level matching KEY, returning the usual
# worklist columns (findscu lets a later -k of the same key replace an earlier one: KEY is not repeated).
find_study() {
    local kind=$1 match=$2
    local keys=(-k QueryRetrieveLevel=STUDY -k "$match")
    for key in StudyInstanceUID PatientName PatientID StudyDate AccessionNumber StudyDescription; do
        [ "$key" = "${match%%=*}" ] || keys+=(-k "$key")
    done
    LD_PRELOAD=$SHIM /usr/bin/findscu -S -aec BENCH "${keys[@]}" 127.0.0.1 "${ports[$kind]}"
}

# count KIND KEY: the number of matches (findscu -v logs one line per pending response).
count() {
    LD_PRELOAD=$SHIM /usr/bin/findscu -v -S -aec BENCH -k QueryRetrieveLevel=STUDY -k "$2" 127.0.0.1 "${ports[$1]}" 2>&1 \
        | grep -c "Find Response: .*Pending" || true
}

names=(name date id)
declare -A query target
query[name]="PatientName=GARCIA*";          target[name]=0.1
query[date]="StudyDate=20250301-20250330";  target[date]=0.1
query[id]="PatientID=$(printf PID%07d $((STUDIES / 4)))"; target[id]=0.04  # one patient, two studies

declare -A times
for name in "${names[@]}"; do
    for kind in dcmrecv orthanc; do find_study "$kind" "${query[$name]}" >/dev/null 2>&1; done  # warm
done
for round in $(seq "$ROUNDS"); do
    for name in "${names[@]}"; do
        for kind in dcmrecv orthanc; do
            times[$kind,$name]="${times[$kind,$name]:-} $(seconds find_study "$kind" "${query[$name]}")"
        done
    done
done

echo "C-FIND over $STUDIES studies, median of $ROUNDS findscu runs each (start-up included):"
for name in "${names[@]}"; do
    d=$(median ${times[dcmrecv,$name]}); o=$(median ${times[orthanc,$name]})
    echo "${query[$name]}: $(count dcmrecv "${query[$name]}") matches (orthanc $(count orthanc "${query[$name]}"));" \
         "dcmrecv ${d}s (target <= ${target[$name]}s)  orthanc ${o}s (x$(ratio "$o" "$d"))"
done
# The server's share: the same queries from one pynetdicom association kept open (no client start-up).
echo "the same queries on one open association (pynetdicom, median of $ROUNDS after a warm-up; no client start-up):"
for name in "${names[@]}"; do
    read -r d matches d_echo < <(python3 "$BENCH_DIR/find-warm.py" "${ports[dcmrecv]}" "$ROUNDS" "${query[$name]}")
    read -r o _ o_echo < <(python3 "$BENCH_DIR/find-warm.py" "${ports[orthanc]}" "$ROUNDS" "${query[$name]}")
    echo "${query[$name]}: $matches matches; dcmrecv ${d}s (target <= ${target[$name]}s; C-ECHO ${d_echo}s)" \
         " orthanc ${o}s (C-ECHO ${o_echo}s) (x$(ratio "$o" "$d"))"
done
# findscu's own start-up, for reading the figures: an echo-free run against nothing listening.
echo "findscu start-up alone (refused connection): $(median $(for _ in 1 2 3 4 5; do seconds /usr/bin/findscu -S -k QueryRetrieveLevel=STUDY 127.0.0.1 1; done))s"
