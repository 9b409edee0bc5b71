#!/usr/bin/env python3
"""Checks a data root against the list of acknowledged SOP Instance UIDs.

Every acknowledged instance must be indexed, its file present and completely readable, and
every indexed row must point at a complete object (nothing partial indexed). Once recovery has
run and the receiver is idle, every file under objects/ must be indexed (no orphan: recovery
settled its journal entry), incoming/ must hold nothing but the running receiver's spare temp
files (empty, one link, named with a live pid: created ahead of receptions) and no row may still
be noted in unflushed_object (every file flush settled).
Prints "acknowledged A indexed I present P bad B" and exits 1 on any violation.

With --unreadable-entries-allowed (after a power cut): a journal entry in incoming/ whose file
does not parse (its data never reached the device) is left in place by recovery, reported, with
its object under objects/ (same inode, no row); such pairs are counted, not failed. They were
never acknowledged: an acknowledged object was fsynced first.

Usage: verify-archive.py ROOT ACKFILE [--unreadable-entries-allowed]
"""
import os
import sqlite3
import sys

from pydicom import dcmread

root, ack_path = sys.argv[1:3]
unreadable_allowed = "--unreadable-entries-allowed" in sys.argv[3:]
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

def parses(path):
    try:
        dcmread(path)
        return True
    except Exception:  # unreadable is exactly what is asked
        return False


incoming = os.path.join(root, "incoming")
leftovers = sorted(os.listdir(incoming))
# Inodes of unparsable published entries (two links), when the caller allows them.
unreadable_inodes = set()
if unreadable_allowed:
    for name in leftovers:
        status = os.lstat(os.path.join(incoming, name))
        if status.st_nlink == 2 and not parses(os.path.join(incoming, name)):
            unreadable_inodes.add(status.st_ino)

indexed_paths = set(rows.values())
unreadable_pairs = 0
for directory, _, names in os.walk(os.path.join(root, "objects")):
    for name in names:
        relative = os.path.relpath(os.path.join(directory, name), root)
        if relative in indexed_paths:
            continue
        if os.lstat(os.path.join(root, relative)).st_ino in unreadable_inodes:
            unreadable_pairs += 1
            continue
        problems.append(f"orphan (a file no row points at): {relative}")
notes = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'unflushed_object'").fetchone()[0] and \
    db.execute("SELECT file_path FROM unflushed_object").fetchall()
if notes:
    problems.append(f"{len(notes)} row(s) still noted as being flushed: {[n[0] for n in notes[:3]]}")
def is_live_spare(name):
    """An empty, never-linked temp file of a process still running: a receiver's spare."""
    status = os.lstat(os.path.join(incoming, name))
    pid = name.split(".", 1)[0]
    return status.st_nlink == 1 and status.st_size == 0 and pid.isdigit() and os.path.exists(f"/proc/{pid}")


leftovers = [name for name in leftovers
             if os.lstat(os.path.join(incoming, name)).st_ino not in unreadable_inodes and not is_live_spare(name)]
if leftovers:
    problems.append(f"{len(leftovers)} file(s) left in incoming/: {leftovers[:3]}")

unreadable = f" unreadable-entries {unreadable_pairs}" if unreadable_allowed else ""
print(f"acknowledged {len(acked)} indexed {len(rows)} present {present} bad {len(problems)}{unreadable}")
for problem in problems[:20]:
    print("  " + problem, file=sys.stderr)
sys.exit(1 if problems else 0)
