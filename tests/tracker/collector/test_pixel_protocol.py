"""``PixelProtocol``: the pixel answered below ASGI, on real sockets, byte for byte as the ASGI route answers.

Two collectors serve side by side (uvicorn in-process, memory streams, one salts directory so
both hash a visitor alike): one behind the plain ``EdgeProtocol`` (every request through ASGI),
one behind ``PixelProtocol``.  Each case sends both the same raw bytes and compares the answers
(all but the ``date`` header) and what reached the streams; a spy proves the fast path ran.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time

import msgspec
import pytest

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from gatekeeper.protocol import EdgeProtocol
from tests.support.raw_http import read_answer, send_all, status_of
from tests.support.servers import free_port, serving
from tracker.collector.app import create_app
from tracker.collector.pixel_protocol import PixelProtocol
from tracker.collector.settings import CollectorSettings
from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.stream.memory import MemoryLog

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
LIMITS = EdgeLimits(max_request_line=2048, max_header_bytes=8192, max_headers=50, max_body_bytes=64 * 1024,
                    max_json_depth=16, keep_alive_timeout=1.0, header_timeout=1.0, body_timeout=1.0)
HIT = ("/t.gif?site=demo.local&url=https%3A%2F%2Fdemo.local%2Fpricing&referrer=https%3A%2F%2Fwww.google.com%2F"
       "&p.plan=pro")


class Spy(PixelProtocol):
    """Counts the hits the protocol answered itself."""

    answered = 0
    answers: list = []  # the PixelAnswer of each hit, in order

    def _pixel(self, query: bytes, head: bool) -> None:
        Spy.answered += 1
        super()._pixel(query, head)
        Spy.answers.append(self.cycle)


class Served:
    def __init__(self, app, log: MemoryLog, port: int) -> None:
        self.app, self.log, self.port = app, log, port

    def exchange(self, data: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            send_all(sock, data)
            return read_answer(sock)

    def records(self, topic: str = EVENTS_TOPIC) -> list[dict]:
        time.sleep(0.05)  # the group commit of the last answered hit has written (it answered after)
        return [msgspec.json.decode(v) for v in self.log.values(topic)]


@pytest.fixture
def pair(tmp_path):
    """(ASGI route, pixel protocol): two collectors alike but for the protocol."""
    served, contexts = [], []
    for name, protocol_of in (("asgi", lambda app: EdgeProtocol), ("pixel", Spy.serving)):
        settings = CollectorSettings(stream_backend="memory", stream_dir=tmp_path / name / "stream",
                                     spill_dir=tmp_path / name / "spill", salts_dir=tmp_path / "salts",
                                     flush_interval_ms=1, replay_interval_ms=50, cors_origins="https://shop.example",
                                     trust_forwarded_for=True)
        log = MemoryLog(4)
        app = create_app(settings, producer=log.producer())
        port = free_port()
        context = serving(server.config(app, LIMITS, protocol_of(app), host="127.0.0.1", port=port,
                                        log_level="warning", access_log=False))
        context.__enter__()
        contexts.append(context)
        served.append(Served(app, log, port))
    Spy.answered, Spy.answers = 0, []
    try:
        yield served[0], served[1]
    finally:
        for context in contexts:
            context.__exit__(None, None, None)


def without_date(answer: bytes) -> bytes:
    return re.sub(rb"(?im)^date: [^\r\n]*\r\n", b"", answer)


def request(target: str = HIT, method: str = "GET", version: str = "1.1", close: bool = True, **headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/{version}", "Host: collector", f"User-Agent: {CHROME}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def same_events(a: list[dict], b: list[dict]) -> bool:
    drop = {"event_id", "ts", "received_at"}
    return [{k: v for k, v in e.items() if k not in drop} for e in a] == \
        [{k: v for k, v in e.items() if k not in drop} for e in b]


CASES = {
    "get": request(),
    "head": request(method="HEAD"),
    "allowed origin": request(Origin="https://shop.example"),
    "other origin": request(Origin="https://evil.example"),
    "do not track": request(DNT="1"),
    "forwarded for": request(X_Forwarded_For="198.51.100.23, 10.0.0.1"),
    "no site: a dead letter": request("/t.gif?url=https%3A%2F%2Fdemo.local%2F"),
    "http/1.0": request(version="1.0", close=False),
    "keep-alive, then close": request(close=False) + request("/t.gif?site=demo.local&url=https%3A%2F%2Fdemo.local%2Fb"),
    "pipelined with a health check": request(close=False) + request("/healthz", close=False) + request(),
}


@pytest.mark.parametrize("case", CASES)
def test_answers_and_records_are_the_asgi_routes(pair, case):
    asgi, pixel = pair
    data = CASES[case]
    got, expected = pixel.exchange(data), asgi.exchange(data)
    assert status_of(expected) == 200 and without_date(got) == without_date(expected)
    assert Spy.answered >= 1  # the protocol answered it, not the ASGI route
    assert same_events(pixel.records(), asgi.records())
    assert len(pixel.records(DEAD_LETTER_TOPIC)) == len(asgi.records(DEAD_LETTER_TOPIC))


def test_a_pipelined_pixel_waits_for_the_one_before(pair):
    """Answers come in request order: the second hit of one write is held back until the first is answered."""
    asgi, pixel = pair
    data = b"".join(request(HIT + f"&title=n{i}", close=i == 2) for i in range(3))
    answer = pixel.exchange(data)
    assert answer.count(b"HTTP/1.1 200 OK") == 3 and answer.count(b"GIF89a") == 3
    assert sorted(e["title"] for e in pixel.records()) == ["n0", "n1", "n2"]


def test_a_stream_and_spill_that_both_fail_answer_503_as_the_asgi_route(pair):
    def disk_full(batches):
        raise OSError("disk full")

    for served in pair:
        served.log.available = False  # the stream is down...
        served.app.committer.spill.append = disk_full  # ...and the spill cannot take them either
    asgi, pixel = pair
    got, expected = pixel.exchange(request()), asgi.exchange(request())
    assert status_of(expected) == 503 and without_date(got) == without_date(expected)


def test_a_capture_that_fails_is_a_500_and_logged(pair, caplog):
    def broken(query, sender, now):
        raise RuntimeError("enricher bug")

    for served in pair:
        served.app.intake.pixel_records = broken
    asgi, pixel = pair
    with caplog.at_level(logging.ERROR, logger="tracker.collector.app"):
        got, expected = pixel.exchange(request()), asgi.exchange(request())
    assert status_of(expected) == 500 and without_date(got) == without_date(expected)
    assert sum("pixel capture failed" in r.getMessage() for r in caplog.records) == 2


def test_a_client_gone_before_its_answer_leaves_the_hit_stored_and_the_server_serving(pair, caplog):
    _, pixel = pair
    committer = pixel.app.committer
    held: list = []  # (the loop, the protocol's callback): answered only when the test says so
    store_then = committer.store_then

    def held_back(done, events, dead=()):
        held.append((asyncio.get_running_loop(), done))
        store_then(lambda error: None, events, dead)

    committer.store_then = held_back
    with caplog.at_level(logging.WARNING):
        with socket.create_connection(("127.0.0.1", pixel.port), timeout=5) as sock:
            send_all(sock, request())
            deadline = time.monotonic() + 5
            while not held and time.monotonic() < deadline:
                time.sleep(0.01)
        deadline = time.monotonic() + 5
        while not Spy.answers[0].disconnected and time.monotonic() < deadline:
            time.sleep(0.01)  # until the server has seen the connection go
        assert Spy.answers[0].disconnected
        ((loop, done),) = held
        loop.call_soon_threadsafe(done, None)
        time.sleep(0.2)
    committer.store_then = store_then
    assert [e["path"] for e in pixel.records()] == ["/pricing"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert status_of(pixel.exchange(request())) == 200


def test_an_answer_given_at_once_leaves_the_idle_timer_armed(pair):
    """A hit dropped for DNT is answered without waiting for a group; the keep-alive connection
    still closes once idle for ``keep_alive_timeout`` (the answer comes after the parser's end of message)."""
    _, pixel = pair
    with socket.create_connection(("127.0.0.1", pixel.port), timeout=5) as sock:
        send_all(sock, request(close=False, DNT="1"))
        started = time.monotonic()
        answer = read_answer(sock, timeout=4)
    assert status_of(answer) == 200 and Spy.answered == 1
    assert 0.5 < time.monotonic() - started < 3


def test_the_edge_limits_still_bite_before_the_pixel(pair):
    _, pixel = pair
    flood = request(**{f"X_H{i}": "v" for i in range(60)})
    assert status_of(pixel.exchange(flood)) == 431 and Spy.answered == 0
    with_body = request(method="GET", Content_Length="3").replace(b"\r\n\r\n", b"\r\n\r\nabc")
    assert status_of(pixel.exchange(with_body)) == 200 and Spy.answered == 0  # a body: the ASGI route


async def test_the_group_commit_tells_each_callback_once_a_failing_one_alone(tmp_path, caplog):
    """``store_then``: no future; every caller of a group hears once, after its records are stored, even
    when another caller's callback raises; a group neither the stream nor the spill took says why."""
    from tracker.collector.committer import Counters, GroupCommit, NotStored
    from tracker.collector.spill import Spill

    log = MemoryLog(4)
    committer = GroupCommit(log.producer(), Spill(tmp_path / "spill"), Counters(), interval_ms=1)
    await committer.start()
    heard: list = []

    def broken(error):
        raise RuntimeError("a caller's bug")

    committer.store_then(lambda error: heard.append(("a", error, len(log.values(EVENTS_TOPIC)))), [(b"k", b"1")])
    committer.store_then(broken, [(b"k", b"2")])
    committer.store_then(lambda error: heard.append(("b", error, len(log.values(EVENTS_TOPIC)))), [(b"k", b"3")])
    with caplog.at_level(logging.ERROR, logger="tracker.collector.committer"):
        for _ in range(100):
            if len(heard) == 2:
                break
            await asyncio.sleep(0.01)
    assert heard == [("a", None, 3), ("b", None, 3)]  # one group of three, stored before anyone heard
    assert any("callback failed" in r.getMessage() for r in caplog.records)

    log.available = False

    def disk_full(batches):
        raise OSError("disk full")

    committer.spill.append = disk_full
    committer.store_then(lambda error: heard.append(("c", error)), [(b"k", b"4")])
    for _ in range(100):
        if len(heard) == 3:
            break
        await asyncio.sleep(0.01)
    assert isinstance(heard[2][1], NotStored) and committer.counters.lost == 1
    committer.spill.append = lambda batches: None
    await committer.stop()
