"""Writer test fixtures: events and an in-memory stream fake (chDB comes from
tests/tracker/conftest.py)."""

from __future__ import annotations

import asyncio

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from tracker.event import EVENTS_TOPIC, TrackingEvent, stream_key
from tracker.stream.memory import MemoryConsumer, MemoryLog, MemoryProducer
from tracker.stream.port import StreamUnavailable, TopicPartition

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def make_event(i: int, site: str = "demo.local", **kw) -> TrackingEvent:
    ts = kw.pop("ts", T0 + timedelta(seconds=i % 600))
    return TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site=site,
                         path=f"/p{i % 7}", visitor=f"{i % 97:016x}", referrer_host=f"r{i % 3}.example", **kw)


def encode(event: TrackingEvent) -> tuple[bytes, bytes]:
    return stream_key(event.site, event.visitor), msgspec.json.encode(event)


GROUP = "tessera-writer"


class FakeLog(MemoryLog):
    """The stream's in-memory log, read by the writer's consumer group."""

    def __init__(self, partitions: int = 3) -> None:
        super().__init__(partitions)

    @property
    def offsets(self) -> dict[TopicPartition, int]:
        """The writer group's committed offsets, per partition."""
        return {tp: offset for (group, tp), offset in self.committed.items() if group == GROUP}


class FakeConsumer(MemoryConsumer):
    """The in-memory consumer, with faults: commits refused, or lost as if the process died first."""

    def __init__(self, log: FakeLog, topic: str = EVENTS_TOPIC, fail_commits: int = 0,
                 lose_commits: bool = False) -> None:
        super().__init__(log, GROUP, [topic])
        self.fail_commits = fail_commits
        self.lose_commits = lose_commits
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True
        self.positions = {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.fail_commits:
            self.fail_commits -= 1
            raise StreamUnavailable("commit refused (test)")
        if not self.lose_commits:
            await super().commit(offsets)

    async def stop(self) -> None:
        self.stopped = True


async def run_until(writer, done, timeout=20.0):
    """Run ``writer`` until ``done()`` holds (a writer that crashed raises its error here), then stop it."""
    task = asyncio.create_task(writer.run())
    try:
        async with asyncio.timeout(timeout):
            while not done():
                if task.done():
                    task.result()
                await asyncio.sleep(0.005)
    finally:
        writer.request_stop()
        await task


@pytest.fixture
def kit():
    """The helpers above, for test modules (conftest is not importable under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(make_event=make_event, encode=encode, FakeLog=FakeLog, FakeConsumer=FakeConsumer,
                           FakeProducer=MemoryProducer, T0=T0, run_until=run_until)
