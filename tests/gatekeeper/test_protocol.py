"""EdgeProtocol on a real socket (uvicorn in-process on 127.0.0.1): every limit bites, normal traffic passes."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tests.support.raw_http import read_answer, send_all, status_of
from tests.support.servers import free_port, serving

LIMITS = EdgeLimits(max_request_line=2048, max_header_bytes=8192, max_headers=50, max_body_bytes=64 * 1024,
                    max_json_depth=16, keep_alive_timeout=1.0, header_timeout=1.0, body_timeout=1.0)


class Echo:
    """Answers the body's length; counts the requests it saw."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        self.calls += 1
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        body = json.dumps({"size": size, "path": scope["path"]}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def served():
    app = Echo()
    port = free_port()
    with serving(server.config(app, LIMITS, host="127.0.0.1", port=port, log_level="warning", lifespan="off")):
        yield app, port


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def detail_of(answer: bytes) -> dict:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])["detail"][0]


def test_ordinary_requests_pass_keep_alive_and_bodies(served):
    app, port = served
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(3):
            assert client.get("/a", headers={f"x-h{i}": "v" * 50 for i in range(40)}).json()["path"] == "/a"
        assert client.post("/b", content=b"x" * 60_000).json()["size"] == 60_000
        assert client.post("/c", content=iter([b"y" * 30_000, b"y" * 30_000])).json()["size"] == 60_000
        assert client.post("/d", json={"a": [[[[1]]]]}).json()["size"] == len(b'{"a":[[[[1]]]]}')


def test_pipelined_requests_are_all_answered(served):
    _, port = served
    with connect(port) as sock:
        sock.sendall(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = read_answer(sock)
    assert answer.count(b"HTTP/1.1 200") == 2 and b'"/2"' in answer


def test_a_header_flood_is_431_before_it_is_buffered(served):
    app, port = served
    calls = app.calls
    with connect(port) as sock:
        # larger than loopback's socket buffers can absorb (tcp_rmem max 32 MiB + tcp_wmem 4 MiB),
        # so "sent < len(flood)" holds only if the server stopped reading, even on a loaded machine
        flood = b"GET / HTTP/1.1\r\nHost: x\r\nX-Flood: " + b"a" * (48 * 1024 * 1024) + b"\r\n\r\n"
        sent = send_all(sock, flood)
        answer = read_answer(sock)
    assert status_of(answer) == 431, answer[:200]
    assert detail_of(answer)["type"] == "limit.max_header_bytes"
    assert sent < len(flood)  # the server closed the connection instead of reading 48 MiB
    assert app.calls == calls


def test_ten_thousand_headers_are_431(served):
    _, port = served
    with connect(port) as sock:
        head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(10_000)) + b"\r\n"
        send_all(sock, head)
        answer = read_answer(sock)
    assert status_of(answer) == 431
    assert detail_of(answer)["type"] in ("limit.max_headers", "limit.max_header_bytes")


def test_many_small_headers_within_the_byte_limit_are_431_by_count(served):
    _, port = served
    with connect(port) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"a%d:\r\n" % i for i in range(60)) + b"\r\n")
        answer = read_answer(sock)
    assert status_of(answer) == 431 and detail_of(answer)["type"] == "limit.max_headers"


def test_a_long_request_line_is_414(served):
    _, port = served
    for size in (4096, 1024 * 1024):
        with connect(port) as sock:
            send_all(sock, b"GET /" + b"a" * size + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = read_answer(sock)
        assert status_of(answer) == 414, (size, answer[:200])
        assert detail_of(answer)["loc"] == ["request-line"]


def test_a_declared_oversize_body_is_413_before_the_app_runs(served):
    app, port = served
    calls = app.calls
    with connect(port) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n" + b"z" * 1000)
        answer = read_answer(sock)
    assert status_of(answer) == 413 and detail_of(answer)["type"] == "limit.max_body_bytes"
    assert app.calls == calls


def test_a_chunked_oversize_body_is_413(served):
    _, port = served
    with connect(port) as sock:
        chunk = b"%x\r\n%s\r\n" % (32 * 1024, b"z" * 32 * 1024)
        send_all(sock, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 4)
        answer = read_answer(sock)
    assert status_of(answer) == 413


def test_json_nested_too_deep_is_400_and_never_reaches_the_app(served):
    app, port = served
    calls = app.calls
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        deep = b"[" * 1000 + b"]" * 1000
        r = client.post("/x", content=deep, headers={"content-type": "application/json"})
        assert r.status_code == 400 and r.json()["detail"][0]["type"] == "limit.max_json_depth"
        assert app.calls == calls
        # JSON sent as text/plain (as Plausible's tracker does) is checked too; other bodies are not
        assert client.post("/x", content=b"\n " + deep, headers={"content-type": "text/plain"}).status_code == 400
        assert client.post("/x", content=b"x" + deep, headers={"content-type": "text/plain"}).status_code == 200
        assert client.post("/x", content=b"[" * 16 + b"]" * 16, headers={"content-type": "application/json"}).status_code == 200


def test_slowloris_connections_are_answered_408_and_closed(served):
    _, port = served
    socks = [connect(port) for _ in range(5)]
    started = time.monotonic()
    closed: set[int] = set()
    answers: dict[int, bytes] = {}
    try:
        for sock in socks:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            sock.setblocking(False)
        while len(closed) < len(socks) and time.monotonic() - started < 6:
            for i, sock in enumerate(socks):
                if i in closed:
                    continue
                try:
                    sock.send(b"X-a: b\r\n")  # one more header line, never the blank line
                    data = sock.recv(65536)
                    answers[i] = answers.get(i, b"") + data
                    if not data:
                        closed.add(i)
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    closed.add(i)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        for sock in socks:
            sock.close()
    assert len(closed) == len(socks), f"{len(closed)} of {len(socks)} closed after {elapsed:.1f} s"
    assert elapsed < 4
    assert any(status_of(a) == 408 for a in answers.values())


def test_a_connection_that_never_sends_is_closed(served):
    _, port = served
    with connect(port) as sock:
        started = time.monotonic()
        assert read_answer(sock, timeout=5) == b""
        assert time.monotonic() - started < 3


def test_a_slow_body_is_408(served):
    _, port = served
    with connect(port) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        answer = read_answer(sock, timeout=5)
    assert status_of(answer) == 408 and detail_of(answer)["type"] == "limit.body_timeout"
