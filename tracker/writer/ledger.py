"""Exactly-once bookkeeping for the writer. Pure: no I/O, no clock.

A *block* is the records of offsets ``first..last`` of one partition
(``topic/partition/first-last``). The writer inserts one *group* of blocks per flush
- every partition's new records at once - under the deduplication token made of
its blocks' tokens joined by ``+`` (a one-block group's token is the block's), and
every stored row carries that token (``_batch``).

After a crash between insert and commit the stream replays from the committed
offset. The writer then asks OLAP which blocks of the replay window it holds and
re-inserts *exactly those groups* (same records, same token): the events table
drops the repeat by its token, and a materialized view whose part was lost in the
crash receives it, while one that has it drops it too. Records outside a stored
block form fresh blocks. So the count is exact whatever the old batch boundaries.

A group whose insert was started but which is not in the events table (an embedded
engine killed mid-insert can keep the rollups' parts and lose the events table's:
``tracker.olap.intents``) is *intended*: replayed whole under its token like a stored
group when it can be, so the tables that have it drop it; when it cannot (a block gone,
or the batch full first) it is *released*, its records fresh again.

A stored group can be re-inserted only by a writer that holds every one of its
blocks. When one of them can no longer come back here (its partition is another
member's now, or was committed past), the group is *settled* instead: its rows are
in the events table already (they are how it was found), so this writer's blocks
of it are committed without an insert and the rollups are checked against the
events table for that token (``tracker.olap.repair``).
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


SEP = "+"


@dataclass(frozen=True, slots=True)
class Group:
    """The blocks of one insert, sorted; at most a few per partition."""

    blocks: tuple[Block, ...]

    @property
    def token(self) -> str:
        return SEP.join(b.token for b in self.blocks)

    @classmethod
    def of(cls, blocks) -> Group:
        return cls(tuple(sorted(blocks)))

    @classmethod
    def parse(cls, token: str) -> Group:
        return cls.of(Block.parse(t) for t in token.split(SEP))

    def partitions(self) -> set[TopicPartition]:
        return {TopicPartition(b.topic, b.partition) for b in self.blocks}


def touching(tokens: list[str], tp: TopicPartition, from_offset: int) -> set[str]:
    """The group tokens with a block of ``tp`` that ends at or after ``from_offset`` (others'
    tokens, or a torn line of a journal, are skipped)."""
    out = set()
    for token in tokens:
        try:
            group = Group.parse(token)
        except ValueError:
            continue
        if any((b.topic, b.partition) == (tp.topic, tp.partition) and b.last >= from_offset for b in group.blocks):
            out.add(token)
    return out


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
    """Which partitions need a look at OLAP, and the stored blocks (and their groups) found there."""

    def __init__(self) -> None:
        self._stored: dict[TopicPartition, list[Block]] = {}
        self._next: dict[TopicPartition, int] = {}
        self._groups: dict[Block, Group] = {}
        self._settled: set[str] = set()  # stored groups settled without an insert (see the module doc)
        self._intended: set[str] = set()  # groups started but not in the events table (see the module doc)

    def needs_lookup(self, tp: TopicPartition, first_offset: int) -> bool:
        """True when this partition is new to us or went back (start, re-assignment, seek)."""
        expected = self._next.get(tp)
        return expected is None or first_offset < expected

    def remember(self, tp: TopicPartition, tokens: set[str], intended: set[str] = frozenset()) -> None:
        """This partition's stored groups (``tokens``) and the intended ones not among them; an
        intended group that overlaps another group's block here is left out (its records fresh)."""
        blocks = []
        for token in tokens:
            group = Group.parse(token)
            for b in group.blocks:
                if (b.topic, b.partition) == (tp.topic, tp.partition):
                    self._groups[b] = group
                    blocks.append(b)
        mine = {t: [b for b in Group.parse(t).blocks if (b.topic, b.partition) == (tp.topic, tp.partition)]
                for t in intended - set(tokens)}
        for token, own in mine.items():
            others = blocks + [b for t, bs in mine.items() if t != token for b in bs]
            if any(b.first <= o.last and o.first <= b.last for b in own for o in others):
                continue
            group = Group.parse(token)
            for b in own:
                self._groups[b] = group
            blocks += own
            self._intended.add(token)
        self._stored[tp] = sorted(blocks)

    def intended(self, group: Group) -> bool:
        return group.token in self._intended

    def release(self, group: Group) -> None:
        """An intended group that cannot be replayed whole: its blocks are not stored blocks any more."""
        for b in group.blocks:
            tp = TopicPartition(b.topic, b.partition)
            if tp in self._stored:
                self._stored[tp] = [s for s in self._stored[tp] if s != b]
            self._groups.pop(b, None)
        self._intended.discard(group.token)

    def group(self, block: Block) -> Group:
        """The stored group a stored block belongs to."""
        return self._groups.get(block) or Group((block,))

    def settle(self, group: Group) -> None:
        """Settled once, settled for good: its blocks still to come are committed without an insert too."""
        self._settled.add(group.token)

    def settled(self, group: Group, owned: set[TopicPartition] | None) -> bool:
        if group.token in self._intended:  # its rows are not in the events table: never committed without them
            return False
        return group.token in self._settled or any(self.gone(b, owned) for b in group.blocks)

    def gone(self, block: Block, owned: set[TopicPartition] | None) -> bool:
        """Can this block of a stored group no longer be read here? Its partition is not ours,
        or was looked up and the block is not among its stored blocks (committed past)."""
        tp = TopicPartition(block.topic, block.partition)
        if owned is not None and tp not in owned:
            return True
        return tp in self._next and block not in self._stored.get(tp, ())

    def seen(self, tp: TopicPartition, last_offset: int) -> None:
        self._next[tp] = last_offset + 1

    def blocks(self, tp: TopicPartition) -> list[Block]:
        """The stored blocks of this partition not yet committed past."""
        return list(self._stored.get(tp, ()))

    def outstanding(self) -> list[str]:
        """Tokens of every stored group with a block not yet committed past, all partitions."""
        return sorted({self.group(b).token for blocks in self._stored.values() for b in blocks})

    def passed(self, tp: TopicPartition, committed_next: int) -> None:
        """Blocks wholly before the committed offset are done."""
        if tp in self._stored:
            for b in self._stored[tp]:
                if b.last < committed_next:
                    self._groups.pop(b, None)
            self._stored[tp] = [b for b in self._stored[tp] if b.last >= committed_next]
        self._prune()

    def _prune(self) -> None:
        live = {g.token for g in self._groups.values()}
        self._settled &= live
        self._intended &= live

    def forget(self, tp: TopicPartition) -> None:
        """The partition was revoked: look it up again if it comes back."""
        for b in self._stored.pop(tp, ()):
            self._groups.pop(b, None)
        self._prune()
        self._next.pop(tp, None)


@dataclass
class Plan:
    """What one flush does: the partitions it commits, the inserts it makes, the stored groups it settles."""

    ready: list[PartitionBatch] = field(default_factory=list)
    inserts: list[tuple[Group, list[Record], bool]] = field(default_factory=list)  # (group, records, replayed)
    settled: list[str] = field(default_factory=list)  # stored groups committed without an insert
    skipped: list[Record] = field(default_factory=list)  # their records here (poison is dead-lettered again)
    trims: dict[TopicPartition, int] = field(default_factory=dict)  # partition -> last offset kept (the rest re-read)


def plan(batches: list[PartitionBatch], guard: ReplayGuard, owned: set[TopicPartition] | None,
         split_rows: int = 0, full: bool = False) -> Plan:
    """One insert for every partition's fresh records, one per stored group replayed whole.
    An intended group (see the module doc) waits like a stored one; when the batch is ``full``
    its partitions' records past its blocks are given back (``trims``) so the polls can reach
    its other blocks, and it is released when nothing can be given back.
    With ``split_rows``, fresh blocks are packed into inserts of at least that many rows each
    instead (big batches: the decode of one overlaps the insert of the one before).

    A partition waits while a stored group its records reach is not wholly here yet
    (another of its blocks is still to be polled, or its partition is waiting too);
    a group with a block that cannot come back here is settled (see the module doc), and
    so is one still incomplete when the batch is ``full`` (the polls may not reach its
    other partitions before the backlog of this one is read)."""
    pieces = {pb.tp: pb.blocks() for pb in batches if pb.records}
    by_tp = {pb.tp: pb for pb in batches}
    trims: dict[TopicPartition, int] = {}
    stored = {pb.tp: set(pb.stored) for pb in batches}
    ready = {tp for tp in pieces if next(pb for pb in batches if pb.tp == tp).complete()}

    def settled(group: Group) -> bool:
        return guard.settled(group, owned)

    def whole(block: Block, ready: set[TopicPartition]) -> bool:
        tp = TopicPartition(block.topic, block.partition)
        return tp in ready and any(b == block and recs[0].offset == b.first and recs[-1].offset == b.last
                                   for b, recs in pieces[tp])

    changed = True
    while changed:
        changed = False
        for tp in sorted(ready, key=lambda t: (t.topic, t.partition)):
            for block, _ in pieces[tp]:
                if block in stored[tp]:
                    group = guard.group(block)
                    if not settled(group) and not all(whole(b, ready) for b in group.blocks):
                        if guard.intended(group):
                            cut = {TopicPartition(b.topic, b.partition): b.last for b in group.blocks
                                   if (pb := by_tp.get(TopicPartition(b.topic, b.partition))) is not None
                                   and pb.records and pb.last_offset > b.last} if full else {}
                            if any(guard.gone(b, owned) for b in group.blocks) or (full and not cut):
                                guard.release(group)  # cannot come back whole: its records are fresh blocks again
                                for pb in batches:
                                    pb.stored = [b for b in pb.stored if b not in group.blocks]
                                return plan(batches, guard, owned, split_rows, full)
                            trims.update(cut)  # full: give back what was polled past its blocks, and wait
                            ready -= {TopicPartition(b.topic, b.partition) for b in group.blocks}
                            changed = True
                            break
                        if full:
                            guard.settle(group)
                            continue
                        ready.discard(tp)
                        changed = True
                        break
    out = Plan(ready=[pb for pb in batches if pb.tp in ready], trims=trims)
    fresh: list[tuple[Block, list[Record]]] = []
    replayed: dict[Group, dict[Block, list[Record]]] = {}
    for pb in out.ready:
        for block, recs in pieces[pb.tp]:
            if block not in stored[pb.tp]:
                fresh.append((block, recs))
                continue
            group = guard.group(block)
            if settled(group):
                out.skipped.extend(recs)
                if group.token not in out.settled:
                    out.settled.append(group.token)
            else:
                replayed.setdefault(group, {})[block] = recs
    for group, members in replayed.items():
        out.inserts.append((group, [r for b in group.blocks for r in members[b]], True))
    fresh.sort(key=lambda item: item[0])
    packed: list[list[tuple[Block, list[Record]]]] = []
    for item in fresh:
        if not packed or (split_rows and sum(len(recs) for _, recs in packed[-1]) >= split_rows):
            packed.append([])
        packed[-1].append(item)
    for items in packed:
        out.inserts.append((Group.of(b for b, _ in items), [r for _, recs in items for r in recs], False))
    return out
