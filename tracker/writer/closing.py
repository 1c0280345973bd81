"""Closing minutes: once a minute the writer touched is over, finalise its visitor count.

Merging 1,440 ``uniqCombined(12)`` states costs a day's per-minute series ~35 ms; a
closed minute's finalised count is read as a plain number instead (see
``schema.closed_minute_statements``). The closed row is a cache checked against the
minute's event count, so a minute written to after it was closed is merged from its
states until it is closed again: a late or failed close costs speed, never accuracy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tracker.olap.port import EventSink
from tracker.writer.progress import BatchCommitted

log = logging.getLogger("tessera.writer")
MINUTE = timedelta(minutes=1)


def _now() -> datetime:
    return datetime.now(UTC)


class MinuteCloser:
    def __init__(self, sink: EventSink, every_s: float = 5.0, clock: Callable[[], datetime] = _now) -> None:
        self.sink = sink
        self.every_s = every_s
        self.clock = clock
        self.pending: set[datetime] = set()  # minutes written to and not closed since

    def mark(self, batch: BatchCommitted) -> None:
        self.pending.update(minute for _, minute in batch.minutes)

    def due(self) -> tuple[set[datetime], datetime, datetime] | None:
        """The pending minutes that are over, and the span [since, before) covering them."""
        current = self.clock().astimezone(UTC).replace(second=0, microsecond=0)
        over = {m for m in self.pending if m < current}
        return (over, min(over), max(over) + MINUTE) if over else None

    async def close(self) -> int:
        """Close the minutes that are over; return how many. Bookkeeping stays on the event loop."""
        due = self.due()
        if due is None:
            return 0
        over, since, before = due
        await asyncio.to_thread(self.sink.close_minutes, since, before)
        self.pending -= over
        return len(over)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            try:
                await self.close()
            except Exception as exc:  # a cache: retried next round, readers merge states meanwhile
                log.warning("closing minutes failed, retrying in %.0fs: %s", self.every_s, exc)
