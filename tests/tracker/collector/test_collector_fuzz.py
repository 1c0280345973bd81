"""Arbitrary input at the collector's edges: never a 5xx, and nothing it writes to the
events topic is poison to the writer (every record decodes as the writer decodes it)."""

import asyncio
import json
import os
from urllib.parse import quote_from_bytes

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.collector.app import create_app
from tracker.collector.settings import CollectorSettings
from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.stream.memory import MemoryLog
from tracker.stream.port import Record
from tracker.writer.decoding import Poison, decode_one

# CI runs a fixed set of examples (derandomize); FUZZ_EXAMPLES=5000 searches afresh
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                derandomize=not os.environ.get("FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = ["site", "name", "url", "referrer", "title", "props", "ts", "event_id", "user_agent", "ip", "events"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
events = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=8)
json_bodies = (st.lists(events, max_size=6) | st.fixed_dictionaries({"events": st.lists(events, max_size=6)})).map(
    lambda v: json.dumps(v).encode())
bodies = json_bodies | st.binary(max_size=300) | json_bodies.flatmap(
    lambda b: st.integers(0, max(len(b) - 1, 0)).flatmap(  # a valid body with one byte replaced
        lambda i: st.binary(min_size=1, max_size=1).map(lambda x: b[:i] + x + b[i + 1:])))
PIXEL_KEYS = [b"site", b"d", b"url", b"u", b"referrer", b"r", b"title", b"n", b"name", b"props", b"ts", b"p.plan"]
queries = st.lists(st.tuples(st.sampled_from(PIXEL_KEYS) | st.binary(max_size=6), st.binary(max_size=40)),
                   max_size=6).map(lambda pairs: b"&".join(quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode() for k, v in pairs))
raw_queries = st.binary(max_size=120).map(lambda b: bytes(c for c in b if 0x21 <= c < 0x7F and c not in b"#"))


class Harness:
    def __init__(self, root) -> None:
        self.loop = asyncio.new_event_loop()
        self.log = MemoryLog(4)
        self.app = create_app(CollectorSettings(stream_backend="memory", spill_dir=root / "spill",
                                                salts_dir=root / "salts", flush_interval_ms=1),
                              producer=self.log.producer())
        self.loop.run_until_complete(self.app.committer.start())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app, raise_app_exceptions=False,
                                                                    client=("203.0.113.9", 4444)),
                                      base_url="http://collector", headers={"user-agent": "Mozilla/5.0 fuzz"})

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def drain(self) -> list[bytes]:
        """Flush, then take (and forget) what reached the events topic."""
        self.run(self.app.committer.flush())
        values = self.log.values(EVENTS_TOPIC)
        self.log.records.clear()
        return values

    def close(self) -> None:
        self.run(self.http.aclose())
        self.run(self.app.committer.stop())
        self.loop.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    h = Harness(tmp_path_factory.mktemp("fuzz"))
    yield h
    h.close()


def assert_not_poison(values: list[bytes]) -> None:
    for offset, value in enumerate(values):
        decoded = decode_one(Record(EVENTS_TOPIC, 0, offset, b"k", value, 0))
        assert not isinstance(decoded, Poison), f"{decoded.reason}: {value[:300]!r}"


@FUZZ
@given(body=bodies)
@example(body=b'[{"site": "s.example", "props": {"a": "\xff"}}]')  # props are kept raw until rendered
@example(body=b'[{"site": "s.example", "title": "\xed\xa0\x80"}]')
def test_any_batch_body_gets_a_report_or_a_4xx(harness, body):
    response = harness.run(harness.http.post("/api/v1/events", content=body))
    assert response.status_code in (200, 207, 400, 413), (body[:300], response.text)
    if response.status_code in (200, 207):
        report = response.json()
        assert report["accepted"] + report["rejected"] == len(report["results"])
    else:
        assert response.json()["detail"]
    assert_not_poison(harness.drain())


@FUZZ
@given(query=queries | raw_queries)
def test_any_pixel_query_gets_the_gif_and_writes_no_poison(harness, query):
    response = harness.run(harness.http.get("/t.gif?" + query.decode("latin-1")))
    assert response.status_code == 200 and response.content.startswith(b"GIF89a")
    assert_not_poison(harness.drain())


def test_dead_letters_name_their_reason(harness):
    harness.run(harness.http.post("/api/v1/events", content=b'[{"site": 5}, {"site": "s.example", "title": "\xff"}]'))
    harness.run(harness.app.committer.flush())
    letters = [msgspec.json.decode(v) for v in harness.log.values(DEAD_LETTER_TOPIC)]
    assert len(letters) == 2 and all(letter["reason"] and letter["source"] == "batch" for letter in letters)
