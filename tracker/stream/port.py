"""The stream port: append records, read them back in a consumer group, commit.

Adapters: ``memory`` (the fake, for unit tests), ``local`` (the durable on-disk
log, the embedded default) and ``kafka`` (aiokafka against Redpanda or Kafka).
Offsets follow Kafka's convention: a commit stores the *next* offset to read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class TopicPartition:
    topic: str
    partition: int


class StreamUnavailable(Exception):
    """The stream cannot take or give records right now (broker down, disk gone)."""


class Producer(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def send_batch(self, topic: str, records: list[tuple[bytes, bytes]]) -> None:
        """Append (key, value) pairs durably; raise StreamUnavailable when it cannot."""

    @abstractmethod
    async def stop(self) -> None: ...


class Consumer(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def poll(self, max_records: int, timeout_ms: int) -> dict[TopicPartition, list[Record]]:
        """Records after the group's committed offsets, for the partitions this member owns."""

    @abstractmethod
    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Store, per partition, the next offset to read."""

    @property
    def assignment(self) -> set[TopicPartition] | None:
        """The partitions this member owns right now; None when the adapter cannot tell."""
        return None

    def seek(self, tp: TopicPartition, offset: int) -> None:
        """Read this partition from ``offset`` at the next poll (records polled after it are
        given back: the writer trims a batch that a crash's replay filled; ``tracker.writer.ledger``)."""
        raise NotImplementedError

    @abstractmethod
    async def stop(self) -> None: ...
