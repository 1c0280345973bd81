"""A site's closed-minute sums of ``site_minute`` (views, events), kept by the one process that writes.

The 24 h minute series reads 1,440 rows of plain sums beside the open minutes (counted from
the events) only to learn which cached minute buckets are still right.  When the store is
the only writer of its database (chDB runs in the writer's process, which also serves the
query API), it sees every insert: each one notes the (site, minute)s it touched, and the
sums read last stay right for every minute no insert touched since.  A read whose closed
minutes were all left alone takes their sums from here and reads only the open minutes.

It also keeps, per site, the last insert that touched each hour (``hours_touched``): the
KPI summary's finished hours, found current in ``visit_hour`` by one state read, and an hour or
day series' finished buckets' plain sums stay right until an insert touches one of those hours
(a late event), so the next reads skip those reads.

Anything else that changes the rollups (a crash repair, an events restore, a migration)
drops it all.  A cache: dropping it costs one sums read.  On such a read the open minutes'
counts are the events' alone, not the rollup's: they differ only where a rollup counted a
block twice that the events table kept once (a replay under a new token, which the writer's
ledger prevents and crash repair takes back).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

KEEP = 100_000  # touches remembered per site; past it the site's window is dropped
HOURS_KEPT = 1_000  # hours remembered per site; past it they collapse into one "some earlier hour" mark
EARLIER = -1  # the hour key of that mark: before every hour


class MinuteSums:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seq = 0  # inserts noted so far
        self._touched: dict[str, list[tuple[int, int]]] = {}  # site -> (seq, minute epoch s), in seq order
        self._windows: dict[str, tuple[int, np.ndarray, np.ndarray, int]] = {}  # site -> (lo, views, events, as_of)
        self._hours: dict[str, dict[int, int]] = {}  # site -> hour epoch s -> the last insert (seq) that touched it
        self.dropped = 0  # the seq of the last drop: nothing kept from before it holds

    def mark(self) -> int:
        """The point a read starts from: sums read after it hold every insert noted before it."""
        with self._lock:
            return self.seq

    def touch(self, minutes: Iterable[tuple[str, int]]) -> None:
        """An insert wrote to these (site, minute epoch seconds)."""
        with self._lock:
            self.seq += 1
            for site, minute in minutes:
                touched = self._touched.setdefault(site, [])
                touched.append((self.seq, int(minute)))
                if len(touched) > KEEP:
                    self._touched.pop(site)
                    self._windows.pop(site, None)
                hours = self._hours.setdefault(site, {})
                hours[int(minute) // 3600 * 3600] = self.seq
                if len(hours) > HOURS_KEPT:
                    hours.clear()
                    hours[EARLIER] = self.seq

    def drop(self) -> None:
        with self._lock:
            self.seq += 1
            self.dropped = self.seq
            self._touched.clear()
            self._windows.clear()
            self._hours.clear()

    def hours_touched(self, site: str, since: int, before: int) -> bool:
        """Whether an insert noted after ``since`` (a ``mark()``) touched an hour of ``site``
        starting before ``before`` (epoch seconds), or everything was dropped since."""
        with self._lock:
            if self.dropped > since:
                return True
            return any(seq > since and hour < before for hour, seq in self._hours.get(site, {}).items())

    def get(self, site: str, lo: int, until: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(views, events) of the minutes lo <= m < until, if kept and untouched since they were read."""
        with self._lock:
            window = self._windows.get(site)
            if window is None:
                return None
            base, views, events, as_of = window
            if lo < base or until > base + 60 * len(views):
                return None
            for seq, minute in reversed(self._touched.get(site, ())):
                if seq <= as_of:
                    break
                if lo <= minute < until:
                    return None
            i, j = (lo - base) // 60, (until - base) // 60
            return views[i:j], events[i:j]

    def put(self, site: str, lo: int, views: np.ndarray, events: np.ndarray, as_of: int) -> None:
        """The sums of the minutes from ``lo`` as read after ``mark()`` returned ``as_of``."""
        with self._lock:
            self._windows[site] = (lo, views.copy(), events.copy(), as_of)
            touched = self._touched.get(site)
            if touched:  # touches at or before the oldest window's read are in its sums: forget them
                self._touched[site] = [t for t in touched if t[0] > as_of]
