"""Answers about periods that can no longer change, kept a while.

A KPI summary compares its range with the one before it; that earlier period ends a day or
more in the past and is read again by every dashboard that opens (the scope is whole hours,
so the same key all hour long). Its answer is kept once it can no longer change under the
tracker's own rules: the read's watermark says every record appended before T is counted,
and no event is given a time more than ``PAST_SKEW_S`` before its receipt
(``tracker.event``), so a period ending at or before ``T - PAST_SKEW_S`` is closed to
records appended since. What those rules do not cover (a spill replayed after an outage,
rows expiring by the retention TTL, a crash repair) is bounded by ``ttl`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta

from tracker.event import PAST_SKEW_S

TTL_S = 60.0
SIZE = 512


def closed(end: datetime, watermark: datetime | None) -> bool:
    """True when no record appended after a read at ``watermark`` can fall before ``end``."""
    return watermark is not None and end <= watermark - timedelta(seconds=PAST_SKEW_S)


class ClosedAnswers:
    """A small LRU of answers, each kept ``ttl`` seconds (thread-safe: reads run on threads)."""

    def __init__(self, ttl: float = TTL_S, size: int = SIZE, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.size, self.clock = ttl, size, clock
        self._items: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if self.clock() - found[0] > self.ttl:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, answer: object) -> None:
        with self._lock:
            self._items[key] = (self.clock(), answer)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
