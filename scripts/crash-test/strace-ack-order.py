#!/usr/bin/env python3
"""Checks in an strace log of dcmrecv that every C-STORE success was flushed before it was sent.

For each C-STORE-RSP with status 0000 sent on a socket (a P-DATA-TF whose command set, implicit
VR little endian per PS3.7 §6.3.1, has Command Field 8001H), the object of its Affected SOP
Instance UID must show, before the response's send:
  - the temp file created in incoming/ (openat), then an fsync of incoming/ that started after
    that and ended before the object's link (the journal entry is durable before the link);
  - the link of the temp file under objects/;
  - an fsync/fdatasync of the file itself, started after it was created;
  - an fsync of the directory it was linked into, started after the link;
  - an fsync/fdatasync of the index (index.sqlite-wal, or index.sqlite in delete mode) started
    after the link (the commit of its row, written after the link).
Prints "responses R checked C violations V" and the first violations; exits 1 on any violation
or when no response was found.

Usage: strace-ack-order.py TRACE    (strace -f -s 4096 -xx -e trace=openat,link,fsync,fdatasync,write,writev,sendmsg,sendto)
"""
import os
import re
import sys

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
STRING = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')
RESULT = re.compile(r"=\s+(-?\d+)")


def strings(text):
    return [bytes.fromhex(s.replace("\\x", "")) for s in STRING.findall(text)]


def first_int(text):
    match = re.match(r"\s*(\d+)", text)
    return int(match.group(1)) if match else None


def command_elements(pdv):
    """The elements of an implicit VR LE command set: {(group, element): value}."""
    elements, at = {}, 0
    while at + 8 <= len(pdv):
        group, elem = int.from_bytes(pdv[at:at + 2], "little"), int.from_bytes(pdv[at + 2:at + 4], "little")
        length = int.from_bytes(pdv[at + 4:at + 8], "little")
        elements[(group, elem)] = pdv[at + 8:at + 8 + length]
        at += 8 + length
    return elements


def store_responses(payload):
    """(sop_instance_uid, status) of the C-STORE-RSPs in P-DATA-TF PDUs written to a socket."""
    found, at = [], 0
    while at + 6 <= len(payload) and payload[at] == 0x04:
        end = at + 6 + int.from_bytes(payload[at + 2:at + 6], "big")
        item = at + 6
        while item + 6 <= min(end, len(payload)):
            length = int.from_bytes(payload[item:item + 4], "big")
            control = payload[item + 5]
            if control & 0x01:  # a command fragment (PS3.8 E.2)
                elements = command_elements(payload[item + 6:item + 4 + length])
                if elements.get((0x0000, 0x0100)) == b"\x01\x80" and (0x0000, 0x0900) in elements:
                    uid = elements.get((0x0000, 0x1000), b"").rstrip(b"\x00 ").decode()
                    found.append((uid, int.from_bytes(elements[(0x0000, 0x0900)], "little")))
            item += 4 + length
        at = end
    return found


def main(trace_path):
    calls = []  # (name, args, entry index, completion index, result)
    pending = {}
    with open(trace_path, errors="replace") as trace:
        for index, raw in enumerate(trace):
            match = LINE.match(raw.rstrip("\n"))
            if not match:
                continue
            pid, rest = match.groups()
            resumed = RESUMED.match(rest)
            if resumed:
                name, tail = resumed.groups()
                if pid in pending:
                    entry_name, args, entry = pending.pop(pid)
                    result = RESULT.search(tail)
                    calls.append((entry_name, args + tail, entry, index, int(result.group(1)) if result else None))
                continue
            call = CALL.match(rest)
            if not call:
                continue
            name, args = call.groups()
            if args.endswith("<unfinished ...>"):
                pending[pid] = (name, args[: -len("<unfinished ...>")], index)
                continue
            result = RESULT.search(args[args.rfind(")"):] if ")" in args else args)
            calls.append((name, args, index, index, int(result.group(1)) if result else None))

    calls.sort(key=lambda call: call[3])
    descriptors = {}  # fd -> path, as of the moment of each call
    created = {}  # temp path -> completion index of its openat
    linked = {}  # object uid -> (temp path, object path, link index)
    syncs = []  # (path, entry, completion)
    responses = []  # (uid, status, entry index)
    for name, args, entry, done, result in calls:
        if name == "openat" and result is not None and result >= 0:
            path = strings(args)[0].decode(errors="replace")
            descriptors[result] = path
            if "/incoming/" in path and path.endswith(".part"):
                created.setdefault(path, done)
        elif name == "link" and result == 0:
            source, target = (s.decode(errors="replace") for s in strings(args)[:2])
            linked[os.path.basename(target)] = (source, target, done)
        elif name in ("fsync", "fdatasync"):
            fd = first_int(args)
            if fd in descriptors and result == 0:
                syncs.append((descriptors[fd], entry, done))
        elif name in ("write", "writev", "sendmsg", "sendto"):
            payload = b"".join(strings(args))
            for uid, status in store_responses(payload):
                responses.append((uid, status, entry))

    violations = []
    checked = 0
    for uid, status, sent in responses:
        if status != 0:
            continue
        candidates = [value for name, value in linked.items()
                      if name == uid + ".dcm" or (name.startswith(uid + ".") and name.endswith(".dcm")
                                                  and name[len(uid) + 1:-4].isalnum())]
        candidates = [c for c in candidates if c[2] < sent]
        if not candidates:
            violations.append(f"{uid}: answered success without a link under objects/ before it")
            continue
        temp, target, link_at = max(candidates, key=lambda c: c[2])
        created_at = created.get(temp)
        directory = os.path.dirname(target)
        incoming = os.path.dirname(temp)

        def synced(path_test, after, before):
            return any(path_test(path) and entry > after and done < before for path, entry, done in syncs)

        problems = []
        if created_at is None:
            problems.append("temp file creation not traced")
        else:
            if not synced(lambda p: p in (temp, target), created_at, sent):
                problems.append("file not fsynced")
            if not synced(lambda p: p.rstrip("/") == incoming, created_at, link_at):
                problems.append("incoming/ not fsynced between creation and link")
        if not synced(lambda p: p.rstrip("/") == directory, link_at, sent):
            problems.append("object directory not fsynced after the link")
        if not synced(lambda p: p.endswith("index.sqlite-wal") or p.endswith("index.sqlite"), link_at, sent):
            problems.append("no index commit (fsync) after the link")
        checked += 1
        if problems:
            violations.append(f"{uid}: " + ", ".join(problems))

    print(f"responses {len(responses)} checked {checked} violations {len(violations)}")
    for violation in violations[:20]:
        print("  " + violation, file=sys.stderr)
    return 1 if violations or not responses else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
