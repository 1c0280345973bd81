"""Writer test fixtures: events and an in-memory stream fake (chDB comes from
tests/tracker/conftest.py)."""

from __future__ import annotations

import asyncio
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from tracker.event import EVENTS_TOPIC, TrackingEvent, stream_key
from tracker.stream.port import Consumer, Producer, Record, StreamUnavailable, TopicPartition

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def make_event(i: int, site: str = "demo.local", **kw) -> TrackingEvent:
    ts = kw.pop("ts", T0 + timedelta(seconds=i % 600))
    return TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site=site,
                         path=f"/p{i % 7}", visitor=f"{i % 97:016x}", referrer_host=f"r{i % 3}.example", **kw)


def encode(event: TrackingEvent) -> tuple[bytes, bytes]:
    return stream_key(event.site, event.visitor), msgspec.json.encode(event)


class FakeLog:
    """Partitions of records and a group's committed offsets; shared by fake members."""

    def __init__(self, partitions: int = 3) -> None:
        self.partitions = partitions
        self.records: dict[TopicPartition, list[Record]] = {}
        self.committed: dict[TopicPartition, int] = {}
        self.commit_calls = 0

    def append(self, topic: str, pairs: list[tuple[bytes, bytes]]) -> None:
        for key, value in pairs:
            tp = TopicPartition(topic, zlib.crc32(key) % self.partitions)
            log = self.records.setdefault(tp, [])
            log.append(Record(topic, tp.partition, len(log), key, value, 0))

    def values(self, topic: str) -> list[bytes]:
        return [r.value for tp, rs in self.records.items() if tp.topic == topic for r in rs]


class FakeConsumer(Consumer):
    def __init__(self, log: FakeLog, topic: str = EVENTS_TOPIC, fail_commits: int = 0,
                 lose_commits: bool = False) -> None:
        self.log, self.topic = log, topic
        self.positions: dict[TopicPartition, int] = {}
        self.fail_commits = fail_commits
        self.lose_commits = lose_commits  # the process "dies" before each commit lands
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True
        self.positions = {}

    async def poll(self, max_records: int, timeout_ms: int) -> dict[TopicPartition, list[Record]]:
        out = {}
        for p in range(self.log.partitions):
            tp = TopicPartition(self.topic, p)
            pos = self.positions.get(tp, self.log.committed.get(tp, 0))
            got = self.log.records.get(tp, [])[pos:pos + max_records]
            if got:
                out[tp] = got
                self.positions[tp] = pos + len(got)
                max_records -= len(got)
            if max_records <= 0:
                break
        if not out:
            await asyncio.sleep(min(timeout_ms, 5) / 1000)
        return out

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.fail_commits:
            self.fail_commits -= 1
            raise StreamUnavailable("commit refused (test)")
        self.log.commit_calls += 1
        if not self.lose_commits:
            self.log.committed.update(offsets)

    async def stop(self) -> None:
        self.stopped = True


class FakeProducer(Producer):
    def __init__(self, log: FakeLog) -> None:
        self.log = log

    async def start(self) -> None:
        return None

    async def send_batch(self, topic: str, records: list[tuple[bytes, bytes]]) -> None:
        self.log.append(topic, records)

    async def stop(self) -> None:
        return None


@pytest.fixture
def kit():
    """The helpers above, for test modules (conftest is not importable under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(make_event=make_event, encode=encode, FakeLog=FakeLog, FakeConsumer=FakeConsumer,
                           FakeProducer=FakeProducer, T0=T0)
