#!/usr/bin/env python3
"""What this disk allows a durable receiver, measured where the receivers write.

serial DIR COUNT SIZE: per file, what a minimal durable receiver must do before it may answer a
sender that waits for each response: write the file under a temporary name, fdatasync it, link it
under its final name, fsync the directory. Prints the seconds for COUNT files of SIZE bytes.
indexed DIR COUNT SIZE: the same, and per file also one row committed to a SQLite index in WAL
mode with synchronous=FULL (what "indexed before acknowledged" adds: the log's fdatasync), one
step after the other.
sequential DIR MB: one file written in 1 MiB chunks and flushed once at the end; prints MB/s.
Used by receive.sh so that every receiver's figure is also a ratio to the disk's own price."""
import os
import sqlite3
import sys
import time


def serial(directory, count, size, indexed=False):
    os.makedirs(directory, exist_ok=True)
    payload = os.urandom(size)
    dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    index = None
    if indexed:
        index = sqlite3.connect(os.path.join(directory, "index.sqlite"), isolation_level=None)
        index.execute("PRAGMA journal_mode = WAL")
        index.execute("PRAGMA synchronous = FULL")
        index.execute("CREATE TABLE instance (uid TEXT PRIMARY KEY, path TEXT, size INTEGER)")
    start = time.perf_counter()
    for number in range(count):
        store(directory, dir_fd, number, payload)
        if index is not None:
            index.execute("BEGIN IMMEDIATE")
            index.execute("INSERT INTO instance VALUES (?, ?, ?)", (f"2.25.{number}", f"{number}.dcm", size))
            index.execute("COMMIT")
    elapsed = time.perf_counter() - start
    os.close(dir_fd)
    if index is not None:
        index.close()
    print(f"{elapsed:.3f}")


def store(directory, dir_fd, number, payload):
    """Write, fdatasync, link under the final name, fsync the directory."""
    temporary = os.path.join(directory, f".incoming-{number}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, payload)
    os.fdatasync(fd)
    os.close(fd)
    os.link(temporary, os.path.join(directory, f"{number}.dcm"))
    os.unlink(temporary)
    os.fsync(dir_fd)


def sequential(directory, megabytes):
    os.makedirs(directory, exist_ok=True)
    chunk = os.urandom(1 << 20)
    path = os.path.join(directory, "sequential.bin")
    start = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for _ in range(megabytes):
        os.write(fd, chunk)
    os.fsync(fd)
    os.close(fd)
    elapsed = time.perf_counter() - start
    os.unlink(path)
    print(f"{megabytes / elapsed:.0f}")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode in ("serial", "indexed") and len(sys.argv) == 5:
        serial(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), indexed=mode == "indexed")
    elif mode == "sequential" and len(sys.argv) == 4:
        sequential(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
