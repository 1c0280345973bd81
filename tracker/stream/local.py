"""The ``local`` stream adapter: async producer and consumer over ``SqliteLog``.

Blocking SQLite calls run on one worker thread per adapter, so the event loop
(the collector's hot path) never waits on the disk.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tracker.stream.membership import Membership
from tracker.stream.port import Consumer, Producer, Record, StreamUnavailable, TopicPartition
from tracker.stream.sqlite_log import SqliteLog
from tracker.stream.wake import DirectoryWatch

LOG_FILE = "log.sqlite3"


class _OnThread:
    def __init__(self, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def _run(self, fn, *args):
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        except StreamUnavailable:
            raise
        except Exception as exc:  # disk gone, permissions, corrupt file
            raise StreamUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def _shutdown(self) -> None:
        self._pool.shutdown(wait=True)


class LocalProducer(_OnThread, Producer):
    def __init__(self, directory: Path, partitions: int = 4, retention_ms: int = 7 * 86_400_000,
                 busy_timeout_ms: int = 1000) -> None:
        super().__init__("stream-producer")
        self.log = SqliteLog(Path(directory) / LOG_FILE, partitions, busy_timeout_ms)
        self.retention_ms = retention_ms
        self._pruned_at = 0.0

    async def start(self) -> None:
        await self._run(self.log.open)

    async def send_batch(self, topic: str, records: list[tuple[bytes, bytes]]) -> None:
        await self._run(self.log.append, topic, records)
        if time.monotonic() - self._pruned_at > 60:
            self._pruned_at = time.monotonic()
            try:  # the batch is already appended: a failed prune must not make it look unsent
                await self._run(self.log.prune, int(time.time() * 1000), self.retention_ms)
            except StreamUnavailable:
                pass

    async def stop(self) -> None:
        try:
            await self._run(self.log.close)
        finally:
            self._shutdown()


class LocalConsumer(_OnThread, Consumer):
    """A member of a consumer group; members of one group split the partitions.

    An idle member costs (almost) nothing: it waits on an inotify watch of the stream's
    directory (``tracker.stream.wake``) and reads only when the log was written, its
    rebalance is due, or shortly after a wake that found nothing (SQLite publishes a
    commit a moment after writing it).  Without inotify (``watch=False``, another OS) it
    polls, backing off from ``idle_sleep_ms`` to ``idle_sleep_max_ms``."""

    def __init__(self, directory: Path, group: str, topics: list[str], partitions: int = 4,
                 idle_sleep_ms: int = 10, rebalance_interval_ms: int = 500, idle_sleep_max_ms: int = 50,
                 watch: bool = True) -> None:
        super().__init__("stream-consumer")
        self.directory = Path(directory)
        self.log = SqliteLog(self.directory / LOG_FILE, partitions)
        self.group, self.topics = group, list(topics)
        self.membership = Membership(Path(directory), group)
        self.positions: dict[TopicPartition, int] = {}
        self.idle_sleep = idle_sleep_ms / 1000
        self.idle_sleep_max = max(idle_sleep_ms, idle_sleep_max_ms) / 1000
        self._idle = self.idle_sleep  # doubles while polls find nothing, so an idle member does not spin
        self.rebalance_interval = rebalance_interval_ms / 1000
        self._rebalanced_at = 0.0
        self._all: list[TopicPartition] = []
        self._version = -1
        self._drained = False
        self.use_watch = watch
        self.watch: DirectoryWatch | None = None
        self._rechecks = 0  # quick re-reads left after a wake that found nothing
        self._stale = True  # read at the next poll (start, a wake, a recheck)
        self.fetches = 0  # reads of the log (a measure of idle cost, for tests and benches)

    async def start(self) -> None:
        await self._run(self._start)
        if self.use_watch:
            self.watch = DirectoryWatch.open(self.directory)

    def _start(self) -> None:
        self.log.open()
        self.membership.join()
        self._all = [TopicPartition(t, p) for t in self.topics for p in range(self.log.partitions(t))]

    @property
    def assignment(self) -> set[TopicPartition]:
        return set(self.membership.owned)

    def _rebalance(self) -> bool:
        acquired, released = self.membership.rebalance(self._all)
        for tp in released:
            self.positions.pop(tp, None)
        for tp in acquired:
            self.positions[tp] = self.log.committed(self.group, tp)
        return bool(acquired)

    def _fetch(self, max_records: int) -> dict[TopicPartition, list[Record]]:
        self.fetches += 1
        changed = False
        if time.monotonic() - self._rebalanced_at >= self.rebalance_interval:
            self._rebalanced_at = time.monotonic()
            changed = self._rebalance()
        version = self.log.data_version()
        if not changed and self._drained and version == self._version:
            return {}  # nobody appended since we last read everything: skip the partition reads
        self._version = version
        out: dict[TopicPartition, list[Record]] = {}
        order = list(self.positions.items())
        turn = self.fetches % len(order) if order else 0  # each read starts at the next partition: a
        for tp, position in order[turn:] + order[:turn]:  # backlog in one does not starve the others
            if max_records <= 0:
                break
            records = self.log.read(tp, position, max_records)
            if records:
                out[tp] = records
                self.positions[tp] = records[-1].offset + 1
                max_records -= len(records)
        self._drained = not out
        return out

    async def poll(self, max_records: int, timeout_ms: int) -> dict[TopicPartition, list[Record]]:
        if self.watch is None:
            return await self._poll_sleeping(max_records, timeout_ms)
        deadline = time.monotonic() + timeout_ms / 1000
        watch = self.watch
        while True:
            woken = watch.changed.is_set()
            rebalance_in = self._rebalanced_at + self.rebalance_interval - time.monotonic()
            if woken or self._stale or rebalance_in <= 0:
                watch.changed.clear()  # before the read: a write during it wakes the next wait
                self._stale = False
                out = await self._run(self._fetch, max_records)
                if out:  # a full read may have left more: read again at the next poll
                    self._rechecks, self._idle = 0, self.idle_sleep
                    self._stale = sum(map(len, out.values())) >= max_records
                    return out
                if woken:  # the commit may not be published yet: look again shortly, a few times
                    self._rechecks, self._idle = 3, self.idle_sleep
                rebalance_in = self._rebalanced_at + self.rebalance_interval - time.monotonic()
            left = deadline - time.monotonic()
            if left <= 0:
                return {}
            wait = min(left, max(rebalance_in, 0.001))
            if self._rechecks:
                wait = min(wait, self._idle)
            if await watch.wait(wait):
                continue
            if self._rechecks and time.monotonic() < deadline:
                self._rechecks -= 1
                self._stale = True
                self._idle = min(2 * self._idle, self.idle_sleep_max)

    async def _poll_sleeping(self, max_records: int, timeout_ms: int) -> dict[TopicPartition, list[Record]]:
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            out = await self._run(self._fetch, max_records)
            if out:
                self._idle = self.idle_sleep
                return out
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            await asyncio.sleep(min(self._idle, left))
            self._idle = min(2 * self._idle, self.idle_sleep_max)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        if tp in self.positions:  # polls and seeks take turns on the writer's loop: no read runs now
            self.positions[tp] = offset
            self._stale, self._drained = True, False

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        # a partition handed over since the poll is skipped: its new owner re-reads (at least once)
        mine = {tp: o for tp, o in offsets.items() if tp in self.membership.owned}
        if mine:
            await self._run(self.log.commit, self.group, mine)

    async def stop(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None
        try:
            await self._run(self._stop)
        finally:
            self._shutdown()

    def _stop(self) -> None:
        self.membership.leave()
        self.log.close()
