"""Exactly-once bookkeeping for the writer. Pure: no I/O, no clock.

* ``OffsetRanges``: what a batch covers per partition; gives the insert's
  deduplication token and the offsets to commit (last + 1, Kafka's convention).
* ``ReplayGuard``: after a start or a re-assignment the stream replays from the
  last *committed* offset, but a crash between insert and commit means some of
  those records are already in OLAP. The writer asks OLAP which offsets of the
  replay window it holds (``stored_offsets``) and the guard drops exactly those,
  whatever the batch boundaries were before the crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.stream.port import Record, TopicPartition


@dataclass(slots=True)
class OffsetRanges:
    first: dict[TopicPartition, int] = field(default_factory=dict)
    last: dict[TopicPartition, int] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        tp = TopicPartition(record.topic, record.partition)
        if tp not in self.first or record.offset < self.first[tp]:
            self.first[tp] = record.offset
        if tp not in self.last or record.offset > self.last[tp]:
            self.last[tp] = record.offset

    def __bool__(self) -> bool:
        return bool(self.first)

    def token(self) -> str:
        """Deterministic for the same records, different for any other offset range."""
        parts = sorted(self.first, key=lambda tp: (tp.topic, tp.partition))
        return ",".join(f"{tp.topic}/{tp.partition}/{self.first[tp]}-{self.last[tp]}" for tp in parts)

    def commits(self) -> dict[TopicPartition, int]:
        return {tp: last + 1 for tp, last in self.last.items()}


class ReplayGuard:
    def __init__(self) -> None:
        self._stored: dict[TopicPartition, set[int]] = {}
        self._stored_max: dict[TopicPartition, int] = {}
        self._next: dict[TopicPartition, int] = {}

    def needs_lookup(self, tp: TopicPartition, first_offset: int) -> bool:
        """True when this partition is new to us or went back (start, re-assignment, seek)."""
        expected = self._next.get(tp)
        return expected is None or first_offset < expected

    def remember(self, tp: TopicPartition, stored: set[int]) -> None:
        self._stored[tp] = set(stored)
        self._stored_max[tp] = max(stored, default=-1)

    def admit(self, record: Record) -> bool:
        """False if the record is already in OLAP (skip it, but still commit past it)."""
        tp = TopicPartition(record.topic, record.partition)
        self._next[tp] = record.offset + 1
        stored = self._stored.get(tp)
        if not stored:
            return True
        if record.offset in stored:
            stored.discard(record.offset)
            return False
        if record.offset > self._stored_max[tp]:
            stored.clear()
        return True

    def forget(self, tp: TopicPartition) -> None:
        """The partition was revoked: look it up again if it comes back."""
        self._stored.pop(tp, None)
        self._stored_max.pop(tp, None)
        self._next.pop(tp, None)
