#!/usr/bin/env python3
"""Takes from a power-cut copy the data a real power cut may lose: the object files of rows noted
in unflushed_object whose fsync had not returned when the receiver died.

The receiver ran under `strace -f -y -e trace=fsync`, whose log names each fsync's file and
says which returned. A file written but never flushed may reach the device with nothing in it
(ext4 allocates its blocks, and so sets its size on disk, only when it writes them back), so
each such noted file is truncated to zero bytes. A file whose fsync returned keeps its data: it
may have been acknowledged.

Writes the lost instances as "study series sop" lines to LOSTFILE and prints
"truncated T expected E": T files truncated, E the rows recovery must roll back (every noted
row whose file is now short or missing, the truncated ones included).

Usage: lose-unflushed.py ROOT STRACE_LOG LOSTFILE
"""
import os
import re
import sqlite3
import sys

root, strace_log, lost_path = sys.argv[1:4]

# "PID fsync(FD</path>) = 0", or the same split over "<unfinished ...>" and "<... fsync resumed>".
flushed, pending = set(), {}
call = re.compile(r"^(\d+)\s+fsync\(\d+<([^>]*)>\)?\s*(.*)$")
resumed = re.compile(r"^(\d+)\s+<\.\.\. fsync resumed>\)\s*=\s*0")
for line in open(strace_log, errors="replace"):
    if match := call.match(line):
        pid, path, rest = match.groups()
        if rest.startswith("= 0"):
            flushed.add(os.path.basename(path))
        elif "unfinished" in rest:
            pending[pid] = os.path.basename(path)
    elif (match := resumed.match(line)) and match.group(1) in pending:
        flushed.add(pending.pop(match.group(1)))

db = sqlite3.connect(f"file:{os.path.join(root, 'index.sqlite')}?mode=ro", uri=True, timeout=30)
noted = db.execute("""
    SELECT unflushed_object.file_path, unflushed_object.journal_entry, instance.file_size,
           study.study_uid, series.series_uid, instance.sop_instance_uid
    FROM unflushed_object JOIN instance ON instance.file_path = unflushed_object.file_path
    JOIN series ON series.id = instance.series_ref JOIN study ON study.id = series.study_ref
    """).fetchall()
db.close()

truncated, expected = 0, 0
with open(lost_path, "w") as lost:
    for file_path, journal_entry, size, study, series, sop in noted:
        path = os.path.join(root, file_path)
        if journal_entry not in flushed and os.path.basename(file_path) not in flushed and os.path.exists(path):
            os.truncate(path, 0)
            truncated += 1
            lost.write(f"{study} {series} {sop}\n")
        if not os.path.exists(path) or os.path.getsize(path) != size:
            expected += 1
print(f"truncated {truncated} expected {expected}")
