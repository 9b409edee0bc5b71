#!/usr/bin/env python3
"""Hostile peers and hostile data sets for a DICOM receiver on loopback (no dependencies).

  hold PORT [--silent N] [--half-header N] [--big-start N] [--slowloris N]
       [--sources K] [--seconds S]
      Opens the connections (spread over source addresses 127.0.0.2 .. 127.0.0.(K+1)), prints
      "ready OPEN" once they are connected, holds them until stdin closes or S seconds pass
      (default 60) or SIGTERM arrives, then prints "held OPEN closed-by-peer CLOSED unaccepted U"
      and exits. A connection the server does not accept within 2 s counts as unaccepted, so a
      server that stops accepting cannot keep the harness waiting.
        silent       connects and sends nothing
        half-header  sends 3 bytes: half an A-ASSOCIATE-RQ PDU header
        big-start    an A-ASSOCIATE-RQ header claiming 1 MiB, then 60 KB of its body
        slowloris    drips a valid A-ASSOCIATE-RQ one byte per second
  legit PORT AET FILE [--seconds S] [--interval I]
      Runs DCMTK echoscu and storescu (one FILE) in turn until S seconds pass, one at a time;
      prints one line per run ("echo|store ok|fail SECONDS") and a summary line.
  sample PID [--seconds S]
      Prints the peak resident set of PID and its descendants (sampled every 0.2 s) once stdin
      closes, SIGTERM arrives or S seconds pass: a forking server's children count too.
  dataset KIND OUT [--size BYTES] [--frames N]
      Writes a Part 10 file (Explicit VR Little Endian) built to stress a parser:
        empty-items   one sequence of SIZE bytes of empty items (8 bytes each)
        zero-length   SIZE bytes of zero-length private elements (8 bytes each)
        enhanced-mr   an enhanced MR with N frames of 16 x 16 and per-frame functional groups
Every loop is bounded in count and time; only 127.0.0.0/8 is ever contacted.
"""
import argparse
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

HOST = "127.0.0.1"
STOP = []  # set by SIGTERM: hold and sample finish and print their closing line
CONNECT_TIMEOUT = 2.0  # seconds for a connection to be accepted and take its first bytes


def watch_stdin(selector):
    """Stops on EOF of stdin as well, when stdin can be watched (not /dev/null)."""
    try:
        selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    except (PermissionError, ValueError):
        pass


def uid_element(group, element, uid):
    value = uid.encode()
    if len(value) % 2:
        value += b"\0"
    return short(group, element, b"UI", value)


def short(group, element, vr, value):
    return struct.pack("<HH2sH", group, element, vr, len(value)) + value


def long_header(group, element, vr, length):
    return struct.pack("<HH2sHI", group, element, vr, 0, length)


def text(group, element, vr, value):
    value = value.encode()
    if len(value) % 2:
        value += b" "
    return short(group, element, vr, value)


def item(content):
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(content)) + content


def sequence(group, element, items):
    return long_header(group, element, b"SQ", 0xFFFFFFFF) + b"".join(items) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)


def part10(sop_class, sop_instance, body):
    meta = long_header(0x0002, 0x0001, b"OB", 2) + b"\0\1"
    meta += uid_element(0x0002, 0x0002, sop_class) + uid_element(0x0002, 0x0003, sop_instance)
    meta += uid_element(0x0002, 0x0010, "1.2.840.10008.1.2.1") + uid_element(0x0002, 0x0012, "1.2.826.0.1.3680043.10.1")
    group_length = struct.pack("<HH2sHI", 0x0002, 0x0000, b"UL", 4, len(meta))
    return b"\0" * 128 + b"DICM" + group_length + meta + body


def identity(sop_class, instance, modality, patient):
    return (uid_element(0x0008, 0x0016, sop_class) + uid_element(0x0008, 0x0018, instance)
            + text(0x0008, 0x0060, b"CS", modality) + text(0x0010, 0x0010, b"PN", patient)
            + text(0x0010, 0x0020, b"LO", patient))


def write_dataset(kind, out, size, frames):
    stamp = str(int(time.time() * 1000) % 10**12)
    study, series, instance = (f"2.25.{n}{stamp}" for n in (1, 2, 3))
    if kind == "enhanced-mr":
        sop_class = "1.2.840.10008.5.1.4.1.1.4.1"
        body = identity(sop_class, instance, "MR", "HOSTILE^ENHANCED")
        body += uid_element(0x0020, 0x000D, study) + uid_element(0x0020, 0x000E, series) + text(0x0020, 0x0013, b"IS", "1")
        body += struct.pack("<HH2sHH", 0x0028, 0x0002, b"US", 2, 1) + text(0x0028, 0x0004, b"CS", "MONOCHROME2")
        body += text(0x0028, 0x0008, b"IS", str(frames))
        for element, value in ((0x0010, 16), (0x0011, 16), (0x0100, 16), (0x0101, 16), (0x0102, 15), (0x0103, 0)):
            body += struct.pack("<HH2sHH", 0x0028, element, b"US", 2, value)
        shared = item(sequence(0x0028, 0x9110, [item(text(0x0018, 0x0050, b"DS", "1")
                                                    + text(0x0028, 0x0030, b"DS", "0.5\\0.5"))]))
        body += sequence(0x5200, 0x9229, [shared])
        per_frame = []
        for frame in range(frames):
            groups = sequence(0x0018, 0x9114, [item(struct.pack("<HH2sHd", 0x0018, 0x9082, b"FD", 8, 4.5))])
            groups += sequence(0x0020, 0x9111, [item(
                text(0x0018, 0x9074, b"DT", "20260101120000")
                + struct.pack("<HH2sHII", 0x0020, 0x9157, b"UL", 8, 1, frame + 1))])
            groups += sequence(0x0020, 0x9113, [item(text(0x0020, 0x0032, b"DS", f"0\\0\\{frame}"))])
            groups += sequence(0x0020, 0x9116, [item(text(0x0020, 0x0037, b"DS", "1\\0\\0\\0\\1\\0"))])
            per_frame.append(item(groups))
        body += sequence(0x5200, 0x9230, per_frame)
        pixels = bytes(frames * 16 * 16 * 2)
        body += long_header(0x7FE0, 0x0010, b"OW", len(pixels)) + pixels
    else:
        sop_class = "1.2.840.10008.5.1.4.1.1.7"
        body = identity(sop_class, instance, "OT", "HOSTILE^" + kind.upper())
        body += uid_element(0x0020, 0x000D, study) + uid_element(0x0020, 0x000E, series)
        count = size // 8
        if kind == "empty-items":
            empty = struct.pack("<HHI", 0xFFFE, 0xE000, 0)
            body += long_header(0x0040, 0xA730, b"SQ", 0xFFFFFFFF) + empty * count + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
        elif kind == "zero-length":
            # Private groups 0021H, 0023H, … (elements 1000H–FFFFH), in ascending tag order.
            parts = []
            for index in range(count):
                group, element = 0x0021 + 2 * (index // 0xF000), 0x1000 + index % 0xF000
                parts.append(struct.pack("<HH2sH", group, element, b"LO", 0))
            body += b"".join(parts)
        else:
            sys.exit(f"unknown data set kind {kind}")
    with open(out, "wb") as handle:
        handle.write(part10(sop_class, instance, body))
    print(f"{kind} {out} {len(body)} bytes")


def associate_rq(called=b"TANDEM", calling=b"ABUSE"):
    def sub(kind, payload):
        return struct.pack(">BBH", kind, 0, len(payload)) + payload
    context = sub(0x30, b"1.2.840.10008.1.1") + sub(0x40, b"1.2.840.10008.1.2")
    user = sub(0x51, struct.pack(">I", 16384)) + sub(0x52, b"1.2.826.0.1.3680043.10.1")
    body = (struct.pack(">H2x", 1) + called.ljust(16) + calling.ljust(16) + bytes(32)
            + sub(0x10, b"1.2.840.10008.3.1.1.1") + sub(0x20, struct.pack(">BBBB", 1, 0, 0, 0) + context) + sub(0x50, user))
    return struct.pack(">BBI", 1, 0, len(body)) + body


def hold(args):
    plan = ["silent"] * args.silent + ["half-header"] * args.half_header + ["big-start"] * args.big_start \
        + ["slowloris"] * args.slowloris
    selector = selectors.DefaultSelector()
    sockets = []
    unaccepted = 0
    deadline = time.monotonic() + args.seconds
    for index, kind in enumerate(plan):
        if STOP or time.monotonic() >= deadline:
            break
        source = f"127.0.0.{2 + index % max(args.sources, 1)}"
        connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        connection.bind((source, 0))
        connection.settimeout(CONNECT_TIMEOUT)
        try:
            connection.connect((HOST, args.port))
        except OSError:
            connection.close()
            unaccepted += 1
            continue
        try:
            if kind == "half-header":
                connection.sendall(b"\x01\x00\x00")
            elif kind == "big-start":
                connection.sendall(struct.pack(">BBI", 1, 0, 1 << 20) + bytes(60_000))
        except OSError:
            pass
        connection.setblocking(False)
        sockets.append([connection, kind, 0, True])
        selector.register(connection, selectors.EVENT_READ, len(sockets) - 1)
    print(f"ready {len(sockets)}", flush=True)
    watch_stdin(selector)
    request = associate_rq()
    next_drip = time.monotonic()
    while time.monotonic() < deadline and not STOP:
        for key, _ in selector.select(timeout=0.2):
            if key.data == "stdin":
                if not sys.stdin.readline():
                    deadline = 0
                continue
            entry = sockets[key.data]
            try:
                data = entry[0].recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                entry[3] = False
                selector.unregister(entry[0])
        if time.monotonic() >= next_drip:
            next_drip += 1
            for entry in sockets:
                if entry[1] == "slowloris" and entry[3] and entry[2] < len(request):
                    try:
                        entry[0].send(request[entry[2]:entry[2] + 1])
                        entry[2] += 1
                    except OSError:
                        entry[3] = False
    closed = sum(1 for entry in sockets if not entry[3])
    for entry in sockets:
        entry[0].close()
    print(f"held {len(sockets)} closed-by-peer {closed} unaccepted {unaccepted}", flush=True)


def legit(args):
    outcomes = []
    deadline = time.monotonic() + args.seconds
    runs = 0
    while time.monotonic() < deadline and runs < 10_000:
        for tool in ("echo", "store"):
            command = ["/usr/bin/echoscu", "-aec", args.aet, "-to", "20", "-ta", "20", HOST, str(args.port)] if tool == "echo" \
                else ["/usr/bin/storescu", "-aec", args.aet, "-to", "20", "-ta", "20", "-td", "20", HOST, str(args.port),
                      args.file]
            started = time.monotonic()
            try:
                ok = subprocess.run(command, capture_output=True, timeout=60).returncode == 0
            except subprocess.TimeoutExpired:
                ok = False
            elapsed = time.monotonic() - started
            outcomes.append((tool, ok, elapsed))
            print(f"{tool} {'ok' if ok else 'fail'} {elapsed:.3f}", flush=True)
        runs += 1
        time.sleep(args.interval)
    for tool in ("echo", "store"):
        times = sorted(elapsed for name, ok, elapsed in outcomes if name == tool and ok)
        total = sum(1 for name, _, _ in outcomes if name == tool)
        median = times[len(times) // 2] if times else float("nan")
        worst = times[-1] if times else float("nan")
        print(f"summary {tool} ok {len(times)}/{total} median {median:.3f} max {worst:.3f}", flush=True)


def tree_rss_kb(pid):
    """Resident set of a process and all its descendants, in KB (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
        pending += children.get(current, [])
    return total


def sample(args):
    """Peak of the process tree's resident set, sampled every 0.2 s until stdin closes (bounded)."""
    peak = 0
    selector = selectors.DefaultSelector()
    watch_stdin(selector)
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline and not STOP:
        peak = max(peak, tree_rss_kb(args.pid))
        if selector.select(timeout=0.2) and not sys.stdin.readline():
            break
    print(f"peak-rss-mb {peak / 1024:.1f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    holding = commands.add_parser("hold")
    holding.add_argument("port", type=int)
    for option in ("--silent", "--half-header", "--big-start", "--slowloris"):
        holding.add_argument(option, type=int, default=0)
    holding.add_argument("--sources", type=int, default=10)
    holding.add_argument("--seconds", type=float, default=60)
    legitimate = commands.add_parser("legit")
    legitimate.add_argument("port", type=int)
    legitimate.add_argument("aet")
    legitimate.add_argument("file")
    legitimate.add_argument("--seconds", type=float, default=30)
    legitimate.add_argument("--interval", type=float, default=0.5)
    sampling = commands.add_parser("sample")
    sampling.add_argument("pid", type=int)
    sampling.add_argument("--seconds", type=float, default=600)
    making = commands.add_parser("dataset")
    making.add_argument("kind", choices=["empty-items", "zero-length", "enhanced-mr"])
    making.add_argument("out")
    making.add_argument("--size", type=int, default=16 << 20)
    making.add_argument("--frames", type=int, default=3000)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: STOP.append(True))
    if args.command == "hold":
        if not 1 <= args.sources <= 250 or args.seconds > 3600:
            sys.exit("--sources must be 1..250 and --seconds at most 3600")
        hold(args)
    elif args.command == "legit":
        legit(args)
    elif args.command == "sample":
        sample(args)
    else:
        write_dataset(args.kind, args.out, args.size, args.frames)


if __name__ == "__main__":
    main()
