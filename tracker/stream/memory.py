"""The in-memory fake of the stream port: one process, no durability, for unit tests."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import defaultdict

from tracker.stream.port import Consumer, Producer, Record, StreamUnavailable, TopicPartition


class MemoryLog:
    """Topics, partitions and committed offsets held in dicts; shared by its producers and consumers."""

    def __init__(self, partitions: int = 4) -> None:
        self.partitions = partitions
        self.records: dict[TopicPartition, list[Record]] = defaultdict(list)
        self.committed: dict[tuple[str, TopicPartition], int] = {}
        self.available = True
        self._changed = asyncio.Event()

    def append(self, topic: str, records: list[tuple[bytes, bytes]]) -> None:
        if not self.available:
            raise StreamUnavailable("memory log switched off")
        now = int(time.time() * 1000)
        for key, value in records:
            tp = TopicPartition(topic, zlib.crc32(key) % self.partitions)
            log = self.records[tp]
            log.append(Record(topic, tp.partition, len(log), key, value, now))
        self._changed.set()
        self._changed = asyncio.Event()

    def values(self, topic: str) -> list[bytes]:
        """Every value on a topic, partition by partition (a test helper)."""
        return [r.value for tp, log in sorted(self.records.items(), key=lambda i: i[0].partition)
                if tp.topic == topic for r in log]

    def producer(self) -> "MemoryProducer":
        return MemoryProducer(self)

    def consumer(self, group: str, topics: list[str]) -> "MemoryConsumer":
        return MemoryConsumer(self, group, topics)


class MemoryProducer(Producer):
    def __init__(self, log: MemoryLog) -> None:
        self.log = log

    async def start(self) -> None:
        return None

    async def send_batch(self, topic: str, records: list[tuple[bytes, bytes]]) -> None:
        self.log.append(topic, records)

    async def stop(self) -> None:
        return None


class MemoryConsumer(Consumer):
    """One member owning every partition of its topics."""

    def __init__(self, log: MemoryLog, group: str, topics: list[str]) -> None:
        self.log, self.group, self.topics = log, group, list(topics)
        self.positions: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        return None

    @property
    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition(t, p) for t in self.topics for p in range(self.log.partitions)}

    def _take(self, max_records: int) -> dict[TopicPartition, list[Record]]:
        out: dict[TopicPartition, list[Record]] = {}
        for topic in self.topics:
            for partition in range(self.log.partitions):
                tp = TopicPartition(topic, partition)
                pos = self.positions.get(tp, self.log.committed.get((self.group, tp), 0))
                got = self.log.records.get(tp, [])[pos:pos + max_records]
                if got:
                    out[tp] = got
                    self.positions[tp] = pos + len(got)
                    max_records -= len(got)
                if max_records <= 0:
                    return out
        return out

    async def poll(self, max_records: int, timeout_ms: int) -> dict[TopicPartition, list[Record]]:
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            out = self._take(max_records)
            left = deadline - time.monotonic()
            if out or left <= 0:
                return out
            try:
                await asyncio.wait_for(self.log._changed.wait(), left)
            except TimeoutError:
                pass

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        for tp, offset in offsets.items():
            self.log.committed[(self.group, tp)] = offset

    async def stop(self) -> None:
        return None
