"""Exactly-once bookkeeping for the writer. Pure: no I/O, no clock.

The writer inserts one *block* per partition and flush: the records of offsets
``first..last`` of one partition, with the deduplication token
``topic/partition/first-last``, and every stored row carries that token (``_batch``).

After a crash between insert and commit the stream replays from the committed
offset. The writer then asks OLAP which blocks of the replay window it holds and
re-inserts *exactly those blocks* (same records, same token): the events table
drops the repeat by its token, and a materialized view whose part was lost in the
crash receives it, while one that has it drops it too. Records outside a stored
block form fresh blocks. So the count is exact whatever the old batch boundaries.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from tracker.stream.port import Record, TopicPartition


@dataclass(frozen=True, slots=True, order=True)
class Block:
    topic: str
    partition: int
    first: int
    last: int

    @property
    def token(self) -> str:
        return f"{self.topic}/{self.partition}/{self.first}-{self.last}"

    @classmethod
    def parse(cls, token: str) -> Block:
        topic, partition, span = token.rsplit("/", 2)
        first, last = span.split("-")
        return cls(topic, int(partition), int(first), int(last))


@dataclass
class PartitionBatch:
    """Records polled from one partition, in offset order, and the stored blocks among them."""

    tp: TopicPartition
    records: list[Record] = field(default_factory=list)
    stored: list[Block] = field(default_factory=list)  # sorted, non-overlapping

    @property
    def last_offset(self) -> int:
        return self.records[-1].offset

    def complete(self) -> bool:
        """A stored block can only be re-inserted whole: is its last record here yet?"""
        if not self.records:
            return False
        last = self.last_offset
        return not any(b.first <= last < b.last for b in self.stored)

    def blocks(self) -> list[tuple[Block, list[Record]]]:
        """Split into stored blocks (re-inserted as they were) and fresh blocks in between."""
        if not self.records:
            return []
        first, last = self.records[0].offset, self.records[-1].offset
        if not any(b.first <= last and b.last >= first for b in self.stored):  # the usual case: all fresh
            return [(Block(self.tp.topic, self.tp.partition, first, last), list(self.records))]
        out: list[tuple[Block, list[Record]]] = []
        fresh: list[Record] = []
        firsts = [b.first for b in self.stored]

        def close_fresh() -> None:
            if fresh:
                out.append((Block(self.tp.topic, self.tp.partition, fresh[0].offset, fresh[-1].offset), list(fresh)))
                fresh.clear()

        current: tuple[Block, list[Record]] | None = None
        for record in self.records:
            i = bisect.bisect_right(firsts, record.offset) - 1
            block = self.stored[i] if i >= 0 and self.stored[i].last >= record.offset else None
            if block is None:
                current = None
                fresh.append(record)
                continue
            if current is None or current[0] is not block:
                close_fresh()
                current = (block, [])
                out.append(current)
            current[1].append(record)
        close_fresh()
        return out


class ReplayGuard:
    """Which partitions need a look at OLAP, and the stored blocks found there."""

    def __init__(self) -> None:
        self._stored: dict[TopicPartition, list[Block]] = {}
        self._next: dict[TopicPartition, int] = {}

    def needs_lookup(self, tp: TopicPartition, first_offset: int) -> bool:
        """True when this partition is new to us or went back (start, re-assignment, seek)."""
        expected = self._next.get(tp)
        return expected is None or first_offset < expected

    def remember(self, tp: TopicPartition, tokens: set[str]) -> None:
        self._stored[tp] = sorted(Block.parse(t) for t in tokens)

    def seen(self, tp: TopicPartition, last_offset: int) -> None:
        self._next[tp] = last_offset + 1

    def blocks(self, tp: TopicPartition) -> list[Block]:
        """The stored blocks of this partition not yet committed past."""
        return list(self._stored.get(tp, ()))

    def outstanding(self) -> list[str]:
        """Tokens of every stored block not yet committed past, all partitions."""
        return [b.token for blocks in self._stored.values() for b in blocks]

    def passed(self, tp: TopicPartition, committed_next: int) -> None:
        """Blocks wholly before the committed offset are done."""
        if tp in self._stored:
            self._stored[tp] = [b for b in self._stored[tp] if b.last >= committed_next]

    def forget(self, tp: TopicPartition) -> None:
        """The partition was revoked: look it up again if it comes back."""
        self._stored.pop(tp, None)
        self._next.pop(tp, None)
