"""Client event ids the collector has already made durable: a retry is the same event.

A tracker that did not hear the answer (a lost response, a collector killed after the
append) sends the same event again with the same id (Snowplow's ``eid``, a batch
event's ``event_id``/``id``).  The collector claims each such id when the event arrives
and records it once the event is on the stream or the spill, so a later copy is
acknowledged without being stored again.  Ids are kept for ``ttl_s`` (a day by default)
in memory and in a small SQLite file beside the spill, so a restarted collector still
knows them.  Ids the collector makes itself (UUIDv7) are unique and never claimed.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Callable


class SeenIds:
    def __init__(self, path: Path, ttl_s: float = 86_400.0, max_ids: int = 1_000_000,
                 clock: Callable[[], float] = time.time) -> None:
        self.ttl, self.max_ids, self.clock = ttl_s, max_ids, clock
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # a committed id survives kill -9 (not power loss)
        self.db.execute("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID")
        self.db.execute("DELETE FROM seen WHERE at < ?", (clock() - ttl_s,))
        self.stored: dict[str, float] = dict(self.db.execute("SELECT id, at FROM seen ORDER BY at"))
        self.pending: set[str] = set()
        self._pruned = clock()

    def claim(self, event_id: str) -> bool:
        """True if this id is new (and now pending); False if it is stored or pending already."""
        if event_id in self.pending or event_id in self.stored:
            return False
        self.pending.add(event_id)
        return True

    def remember(self, ids: list[str]) -> None:
        """These ids' events are durable: a later copy is a duplicate, also after a restart."""
        if not ids:
            return
        now = self.clock()
        self.db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?)", [(i, now) for i in ids])
        for i in ids:
            self.pending.discard(i)
            self.stored[i] = now
        if len(self.stored) > self.max_ids or now - self._pruned > 60:
            self.prune(now)

    def release(self, ids: list[str]) -> None:
        """These ids' events were not stored: a retry must be taken."""
        for i in ids:
            self.pending.discard(i)

    def prune(self, now: float) -> None:
        """Forget ids older than the TTL, and the oldest beyond ``max_ids``."""
        self._pruned = now
        cutoff = now - self.ttl
        stored = self.stored
        excess = len(stored) - self.max_ids
        for i, at in list(stored.items()):  # insertion order is age order
            if at >= cutoff and excess <= 0:
                break
            del stored[i]
            excess -= 1
            cutoff = max(cutoff, at)
        self.db.execute("DELETE FROM seen WHERE at <= ?", (cutoff,))

    def close(self) -> None:
        self.db.close()
