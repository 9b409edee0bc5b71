#!/usr/bin/env python3
"""Hostile HTTP/1.1 clients for dcmweb's tool tests, over raw sockets (what curl will not send).
Each mode prints one line of facts for the test to check; every loop is bounded.
  slowloris PORT INTERVAL MAX   trickle a request head one byte per INTERVAL s: "status=S seconds=T"
  keepalive PORT PAUSE          two requests on one connection, PAUSE s apart: "first=S second=S"
  bighead PORT BYTES            one header field of BYTES: "status=S"
  limit PORT N                  N idle connections, then a request on one more: "extra=S after=S"
  stow PORT AUTH MODE [LIMIT]   STOW-RS bodies: declared (Content-Length 5 GB), partclaim (a part
                                claiming 4 GiB), endless (a part that starts as the Part 10 file FILE
                                and never ends, up to 16 x LIMIT) [LIMIT FILE]:
                                "status=S sent=BYTES"
"""
import base64, select, socket, sys, time


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def status_of(s):
    """The status of the next response (its body read when Content-Length says), 0 when closed first."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    if not data.startswith(b"HTTP/1.1 "):
        return 0
    head, _, rest = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            while len(rest) < length:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
    return int(data[9:12])


def request(path="/healthz", extra=b""):
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n"


def slowloris(port, interval, maximum):
    s = connect(port)
    head = request(extra=b"X-Slow: " + b"a" * 1000 + b"\r\n")
    start = time.monotonic()
    status = 0
    for byte in head:
        if time.monotonic() - start > maximum:
            break
        try:
            s.send(bytes([byte]))
        except OSError:
            break
        ready, _, _ = select.select([s], [], [], interval)
        if ready:
            status = status_of(s)
            break
    print(f"status={status} seconds={time.monotonic() - start:.1f}")


def keepalive(port, pause):
    s = connect(port)
    s.sendall(request())
    first = status_of(s)
    time.sleep(pause)
    try:
        s.sendall(request())
        second = status_of(s)
    except OSError:
        second = 0
    print(f"first={first} second={second}")


def bighead(port, size):
    s = connect(port)
    try:
        s.sendall(request(extra=b"X-Big: " + b"b" * size + b"\r\n"))
    except OSError:
        pass
    print(f"status={status_of(s)}")


def limit(port, count):
    idle = [connect(port) for _ in range(count)]
    time.sleep(1)
    extra = connect(port)
    extra.sendall(request())
    refused = status_of(extra)
    extra.close()
    for s in idle:
        s.close()
    time.sleep(1)
    s = connect(port)
    s.sendall(request())
    print(f"extra={refused} after={status_of(s)}")


def stow(port, auth, mode, limit_bytes, start):
    s = connect(port)
    head = (b"POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
            + base64.b64encode(auth.encode()) + b"\r\n"
            + b'Content-Type: multipart/related; type="application/dicom"; boundary=xyz\r\n')
    part = b"--xyz\r\nContent-Type: application/dicom\r\n"
    sent = 0
    if mode == "declared":
        s.sendall(head + b"Content-Length: 5000000000\r\n\r\n" + part + b"\r\n" + b"\0" * 1024)
        print(f"status={status_of(s)} sent=1024")
        return
    s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")

    def chunk(data):
        s.sendall(b"%x\r\n" % len(data) + data + b"\r\n")

    if mode == "partclaim":
        chunk(part + b"Content-Length: 4294967296\r\n\r\n" + b"\0" * 1024)
        print(f"status={status_of(s)} sent=1024")
        return
    chunk(part + b"\r\n" + start)
    block = b"\0" * 65536
    status = 0
    while sent < 16 * limit_bytes:
        ready, _, _ = select.select([s], [], [], 0)
        if ready:
            status = status_of(s)
            break
        try:
            chunk(block)
        except OSError:
            status = status_of(s)
            break
        sent += len(block)
    print(f"status={status} sent={sent}")


mode = sys.argv[1]
port = int(sys.argv[2])
if mode == "slowloris":
    slowloris(port, float(sys.argv[3]), float(sys.argv[4]))
elif mode == "keepalive":
    keepalive(port, float(sys.argv[3]))
elif mode == "bighead":
    bighead(port, int(sys.argv[3]))
elif mode == "limit":
    limit(port, int(sys.argv[3]))
elif mode == "stow":
    start = open(sys.argv[6], "rb").read() if len(sys.argv) > 6 else b""
    stow(port, sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 0, start)
