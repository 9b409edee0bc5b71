#!/usr/bin/env python3
"""Checks a data root against the list of acknowledged SOP Instance UIDs.

Every acknowledged instance must be indexed, its file present and completely readable, and
every indexed row must point at a complete object (nothing partial indexed). Once recovery has
run and the receiver is idle, every file under objects/ must be indexed (no orphan: recovery
settled its journal entry), incoming/ must be empty and no row may still be noted in
unflushed_object (every file flush settled).
Prints "acknowledged A indexed I present P bad B" and exits 1 on any violation.

Usage: verify-archive.py ROOT ACKFILE
"""
import os
import sqlite3
import sys

from pydicom import dcmread

root, ack_path = sys.argv[1:3]
acked = set(open(ack_path).read().split()) if os.path.exists(ack_path) else set()
db = sqlite3.connect(f"file:{os.path.join(root, 'index.sqlite')}?mode=ro", uri=True, timeout=30)
rows = dict(db.execute("SELECT sop_instance_uid, file_path FROM instance").fetchall())

problems = [f"acknowledged but not indexed: {uid}" for uid in sorted(acked - rows.keys())]
present = 0
for uid, relative in rows.items():
    path = os.path.join(root, relative)
    try:
        ds = dcmread(path)
        frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
        expected = ds.Rows * ds.Columns * (ds.BitsAllocated // 8) * ds.SamplesPerPixel * frames
        if str(ds.SOPInstanceUID) != uid or len(ds.PixelData) < expected:
            problems.append(f"incomplete or wrong object for {uid}: {relative}")
        else:
            present += 1
    except Exception as error:  # a missing or unreadable file is exactly what this check is for
        problems.append(f"unreadable {relative}: {error}")

incoming = os.path.join(root, "incoming")
leftovers = sorted(os.listdir(incoming))

indexed_paths = set(rows.values())
for directory, _, names in os.walk(os.path.join(root, "objects")):
    for name in names:
        relative = os.path.relpath(os.path.join(directory, name), root)
        if relative in indexed_paths:
            continue
        problems.append(f"orphan (a file no row points at): {relative}")
notes = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'unflushed_object'").fetchone()[0] and \
    db.execute("SELECT file_path FROM unflushed_object").fetchall()
if notes:
    problems.append(f"{len(notes)} row(s) still noted as being flushed: {[n[0] for n in notes[:3]]}")
if leftovers:
    problems.append(f"{len(leftovers)} file(s) left in incoming/: {leftovers[:3]}")

print(f"acknowledged {len(acked)} indexed {len(rows)} present {present} bad {len(problems)}")
for problem in problems[:20]:
    print("  " + problem, file=sys.stderr)
sys.exit(1 if problems else 0)
