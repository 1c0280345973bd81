"""In-process live feed: a ring of recent events with monotonic ids, for SSE and resume.

Ids are milliseconds since the epoch, bumped to stay strictly increasing, so they
keep increasing across a restart and a client's ``Last-Event-ID`` stays meaningful.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LiveEvent:
    id: int
    event: str
    data: dict


class LiveFeed:
    def __init__(self, ring: int = 1_000, clock: Callable[[], float] = time.time) -> None:
        self._ring: deque[LiveEvent] = deque(maxlen=ring)
        self._last_id = 0
        self._clock = clock
        self._changed = asyncio.Event()

    @property
    def last_id(self) -> int:
        return self._last_id

    def publish(self, event: str, data: dict) -> LiveEvent:
        self._last_id = max(self._last_id + 1, int(self._clock() * 1000))
        item = LiveEvent(self._last_id, event, data)
        self._ring.append(item)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        return item

    def since(self, last_id: int | None) -> list[LiveEvent]:
        """Events after ``last_id`` still in the ring (all of them for None)."""
        if last_id is None:
            return []
        return [e for e in self._ring if e.id > last_id]

    async def next(self, last_id: int, timeout: float) -> list[LiveEvent]:
        """Wait up to ``timeout`` s for events after ``last_id``."""
        ready = self.since(last_id)
        if ready:
            return ready
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return []
        return self.since(last_id)
