"""Finalised per-minute buckets kept in the query process, keyed by the minute's event count.

A minute's visitors are a function of the rows stored in it, and every row stored in a
minute raises its ``events`` sum in ``site_minute`` (inserts only add rows; a replay that is
not deduplicated adds them again).  So a bucket cached with the ``events`` it was computed
at stays right for as long as the minute still holds that many events: a reader compares
the two and recomputes a minute whose count moved.  A cache, so dropping it costs speed only.
"""

from __future__ import annotations

from tracker.model import Bucket

LIMIT = 100_000  # minutes (~70 site-days); past it the cache starts over


class MinuteCache:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._size = 0
        self._sites: dict[str, dict[int, tuple[int, Bucket]]] = {}

    def of(self, site: str) -> dict[int, tuple[int, Bucket]]:
        """Epoch second of the minute -> (events, bucket) for this site (read only)."""
        return self._sites.get(site, {})

    def put(self, site: str, entries: dict[int, tuple[int, Bucket]]) -> None:
        if self._size + len(entries) > self.limit:
            self._sites.clear()
            self._size = 0
        minutes = self._sites.setdefault(site, {})
        before = len(minutes)
        minutes.update(entries)
        self._size += len(minutes) - before

    def __len__(self) -> int:
        return self._size
