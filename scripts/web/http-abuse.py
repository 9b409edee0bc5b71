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
  slowbody PORT AUTH PIECE INTERVAL MAX FILE
                                STOW-RS of the Part 10 file FILE, chunked, PIECE bytes every
                                INTERVAL s, for at most MAX s: "status=S seconds=T sent=BYTES"
  expect PORT AUTH FILE         STOW-RS of the Part 10 file FILE with "Expect: 100-continue", the body
                                held until an interim response comes (at most 10 s):
                                "interim=S waited=T status=S"
  tlstrickle PORT INTERVAL MAX  a TLS ClientHello one byte per INTERVAL s: "closed=0|1 seconds=T"
  tlssilent PORT MAX            a TCP connection that never sends: "closed=0|1 seconds=T"
"""
import base64, select, socket, ssl, sys, time


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


STOW_PART = b"--xyz\r\nContent-Type: application/dicom\r\n"


def stow_head(auth):
    return (b"POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
            + base64.b64encode(auth.encode()) + b"\r\n"
            + b'Content-Type: multipart/related; type="application/dicom"; boundary=xyz\r\n')


def send_chunk(s, data):
    s.sendall(b"%x\r\n" % len(data) + data + b"\r\n")


def stow(port, auth, mode, limit_bytes, start):
    s = connect(port)
    head = stow_head(auth)
    part = STOW_PART
    sent = 0
    if mode == "declared":
        s.sendall(head + b"Content-Length: 5000000000\r\n\r\n" + part + b"\r\n" + b"\0" * 1024)
        print(f"status={status_of(s)} sent=1024")
        return
    s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")

    def chunk(data):
        send_chunk(s, data)

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


def slowbody(port, auth, piece, interval, maximum, instance):
    """Stops sending once the server answers or closes; a body sent whole ends with the last chunk."""
    s = connect(port)
    s.sendall(stow_head(auth) + b"Transfer-Encoding: chunked\r\n\r\n")
    body = STOW_PART + b"\r\n" + instance + b"\r\n--xyz--\r\n"
    start = time.monotonic()
    sent = 0
    status = 0
    answered = False
    while sent < len(body) and time.monotonic() - start < maximum:
        try:
            send_chunk(s, body[sent:sent + piece])
        except OSError:
            answered = True
            break
        sent += len(body[sent:sent + piece])
        ready, _, _ = select.select([s], [], [], interval)
        if ready:
            answered = True
            break
    if not answered and sent == len(body):
        send_chunk(s, b"")
        answered = True
    if answered:
        status = status_of(s)
    print(f"status={status} seconds={time.monotonic() - start:.1f} sent={sent}")


def expect_continue(port, auth, instance):
    """What a client that asks before sending (curl, for a large body) sees."""
    s = connect(port)
    body = STOW_PART + b"\r\n" + instance + b"\r\n--xyz--\r\n"
    s.sendall(stow_head(auth) + b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
    start = time.monotonic()
    ready, _, _ = select.select([s], [], [], 10)
    waited = time.monotonic() - start
    interim = status_of(s) if ready else 0
    s.sendall(body)
    print(f"interim={interim} waited={waited:.2f} status={status_of(s)}")


def wait_closed(s, start, maximum):
    """True once the server closes (or resets) the connection, False at the end of MAX s."""
    while time.monotonic() - start < maximum:
        ready, _, _ = select.select([s], [], [], 0.25)
        if ready:
            try:
                if not s.recv(65536):
                    return True
            except OSError:
                return True
    return False


def client_hello():
    """The bytes of a TLS ClientHello, as Python's ssl module would open a handshake."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def tlstrickle(port, interval, maximum):
    s = connect(port)
    start = time.monotonic()
    closed = False
    for byte in client_hello():
        if time.monotonic() - start > maximum:
            break
        try:
            s.send(bytes([byte]))
        except OSError:
            closed = True
            break
        if wait_closed(s, time.monotonic(), interval):
            closed = True
            break
    print(f"closed={int(closed)} seconds={time.monotonic() - start:.1f}")


def tlssilent(port, maximum):
    s = connect(port)
    start = time.monotonic()
    closed = wait_closed(s, start, maximum)
    print(f"closed={int(closed)} seconds={time.monotonic() - start:.1f}")


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
elif mode == "slowbody":
    slowbody(port, sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]),
             open(sys.argv[7], "rb").read())
elif mode == "expect":
    expect_continue(port, sys.argv[3], open(sys.argv[4], "rb").read())
elif mode == "tlstrickle":
    tlstrickle(port, float(sys.argv[3]), float(sys.argv[4]))
elif mode == "tlssilent":
    tlssilent(port, float(sys.argv[3]))
elif mode == "stow":
    start = open(sys.argv[6], "rb").read() if len(sys.argv) > 6 else b""
    stow(port, sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 0, start)
