#!/usr/bin/env python3
"""C-FIND time on the server's side, without any client start-up: one pynetdicom association
kept open, the query sent ROUNDS times after one warm-up, each timed from the request to the
final response (Study Root, STUDY level, the same return keys as find.sh). Prints the median in
seconds, the number of matches, and the median C-ECHO round trip on the same association: the
client's own floor, part of every figure.

Usage: find-warm.py PORT ROUNDS KEY=VALUE
"""
import socket
import statistics
import sys
import time

from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as FIND
from pynetdicom.sop_class import Verification

port, rounds, match = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
key, value = match.split("=", 1)
query = Dataset()
query.QueryRetrieveLevel = "STUDY"
for name in ("StudyInstanceUID", "PatientName", "PatientID", "StudyDate", "AccessionNumber", "StudyDescription"):
    setattr(query, name, "")
setattr(query, key, value)

ae = AE(ae_title="BENCH")
ae.add_requested_context(FIND)
ae.add_requested_context(Verification)
assoc = ae.associate("127.0.0.1", port, ae_title="BENCH")
if not assoc.is_established:
    sys.exit("association refused")
# pynetdicom leaves Nagle's algorithm on: its command and identifier PDUs would wait for a delayed ACK.
assoc.dul.socket.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def run():
    matches = 0
    for status, _ in assoc.send_c_find(query, FIND):
        if status and status.Status in (0xFF00, 0xFF01):
            matches += 1
    return matches


def timed(action):
    action()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


matches = run()
find_time, echo_time = timed(run), timed(assoc.send_c_echo)
assoc.release()
print(f"{find_time:.4f} {matches} {echo_time:.4f}")
