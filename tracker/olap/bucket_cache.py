"""Finalised series buckets kept in the query process, each with the count it was computed at.

A bucket's visitors are a function of the rows stored in it, and every row stored raises
the bucket's counts in the rollups (inserts only add rows; a replay that is not
deduplicated adds them again): ``events`` for a minute of ``site_minute``, and ``views``
for any span, since only counted rows add visitors.  So a bucket cached with that count
stays right for as long as the rollup still shows the same count: a reader compares the
two (one query of plain sums, no states) and recomputes a bucket whose count moved.
A cache, so dropping it costs speed only.
"""

from __future__ import annotations

from collections.abc import Hashable

from tracker.model import Bucket

LIMIT = 100_000  # buckets (~70 site-days of minutes); past it the cache starts over


class BucketCache:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._size = 0
        self._sites: dict[str, dict[Hashable, tuple[int, Bucket]]] = {}

    def of(self, site: str) -> dict[Hashable, tuple[int, Bucket]]:
        """Bucket key (the minute's epoch second, or interval and span) -> (count, bucket) for
        this site; read only."""
        return self._sites.get(site, {})

    def put(self, site: str, entries: dict[Hashable, tuple[int, Bucket]]) -> None:
        if self._size + len(entries) > self.limit:
            self._sites.clear()
            self._size = 0
        minutes = self._sites.setdefault(site, {})
        before = len(minutes)
        minutes.update(entries)
        self._size += len(minutes) - before

    def __len__(self) -> int:
        return self._size
