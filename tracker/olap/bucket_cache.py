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

import threading
from collections.abc import Hashable

import numpy as np

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


SPAN = 20_160  # minutes a site's window keeps (14 days: a 10,000-point 1m series and its neighbours)


class MinuteWindow:
    """One site's minutes from ``base`` (epoch seconds, on a minute), ``len(buckets)`` of them:
    the event count each bucket was computed at (-1: none cached) as an array, so a read
    compares a whole range of counts at once, and the buckets."""

    __slots__ = ("base", "events", "buckets")

    def __init__(self, base: int, n: int) -> None:
        self.base = base
        self.events = np.full(n, -1, dtype=np.int64)
        self.buckets: list[Bucket | None] = [None] * n

    @property
    def end(self) -> int:
        return self.base + 60 * len(self.buckets)


class MinuteCache:
    """The minute buckets of ``site_minute`` (same validity rule as ``BucketCache``: a bucket
    stays right while the minute's ``events`` sum is the count it was computed at), kept per
    site as one window of consecutive minutes.  Thread-safe: a read takes a snapshot, and
    ``put`` writes (count, bucket) pairs under the same lock."""

    def __init__(self, limit: int = LIMIT, span: int = SPAN) -> None:
        self.limit = limit
        self.span = span
        self._lock = threading.Lock()
        self._sites: dict[str, MinuteWindow] = {}

    def snapshot(self, site: str, lo: int, n: int) -> tuple[np.ndarray, list[Bucket | None]]:
        """(counts, buckets) of the n minutes from ``lo``; the site's window widens to cover them
        (keeping its newest ``span`` minutes beside them, or starting over past that)."""
        with self._lock:
            w = self._cover(site, lo, lo + 60 * n)
            i = (lo - w.base) // 60
            return w.events[i:i + n].copy(), w.buckets[i:i + n]

    def put(self, site: str, entries: dict[int, tuple[int, Bucket]]) -> None:
        """Minute (epoch seconds) -> (count, bucket); minutes outside the site's window are dropped."""
        with self._lock:
            w = self._sites.get(site)
            if w is None:
                return
            for t, (count, bucket) in entries.items():
                i = (t - w.base) // 60
                if 0 <= i < len(w.buckets):
                    w.events[i] = count
                    w.buckets[i] = bucket

    def _cover(self, site: str, lo: int, hi: int) -> MinuteWindow:
        old = self._sites.get(site)
        if old is not None and old.base <= lo and hi <= old.end:
            return old
        base, end = (lo, hi) if old is None else (min(old.base, lo), max(old.end, hi))
        if (end - base) // 60 > max(self.span, (hi - lo) // 60):  # too wide: keep the old minutes nearest
            if base < lo:  # the old window lies before the range
                base, end = min(lo, hi - 60 * self.span), hi
            else:
                base, end = lo, max(hi, lo + 60 * self.span)
        if len(self) - (len(old.buckets) if old else 0) + (end - base) // 60 > self.limit:
            self._sites.clear()
            old = None
        w = MinuteWindow(base, (end - base) // 60)
        if old is not None:  # the overlap carries over
            a, b = max(base, old.base), min(end, old.end)
            if a < b:
                i, j, k = (a - base) // 60, (a - old.base) // 60, (b - a) // 60
                w.events[i:i + k] = old.events[j:j + k]
                w.buckets[i:i + k] = old.buckets[j:j + k]
        self._sites[site] = w
        return w

    def __len__(self) -> int:
        return sum(len(w.buckets) for w in self._sites.values())
