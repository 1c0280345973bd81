"""Turns "these (site, minute) counts changed" into ``minute`` events on the live feed.

In the writer process the trigger is a committed batch; in a query-only process a
ticker asks for the current and previous minute of the sites someone watches.
An event is published only when a minute's numbers differ from the last ones sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from tracker.olap.port import MetricsSource, OlapUnavailable
from tracker.query.live import LiveFeed
from tracker.model import Range, SeriesQuery
from tracker.query.wire import iso

log = logging.getLogger("tessera.query")
MAX_SITES = 200
MAX_SPAN = timedelta(hours=6)


ALL = "*"  # a subscriber without a site filter


class MinutePublisher:
    def __init__(self, source: MetricsSource, feed: LiveFeed, watermark, min_interval_s: float = 0.2,
                 watched=None) -> None:
        self.source = source
        self.feed = feed
        self.watermark = watermark
        self.min_interval_s = min_interval_s
        self.watched = watched  # () -> sites someone streams (ALL for everything); None: publish all
        self._dirty: dict[str, set[datetime]] = defaultdict(set)
        self._wake = asyncio.Event()
        self._sent: dict[tuple[str, datetime], tuple[int, int]] = {}

    def mark(self, minutes) -> None:
        """Note changed (site, minute)s; called on the event loop (the writer's commit)."""
        watched = None if self.watched is None else set(self.watched())
        if watched is not None and not watched:
            return  # nobody is listening: no queries for nothing
        for site, minute in minutes:
            if watched is None or ALL in watched or site in watched:
                self._dirty[site].add(minute)
        if self._dirty:
            self._wake.set()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            dirty, self._dirty = self._dirty, defaultdict(set)
            try:
                await asyncio.to_thread(self.refresh, dirty)
            except OlapUnavailable as exc:
                log.warning("live feed refresh failed: %s", exc)
            await asyncio.sleep(self.min_interval_s)

    def refresh(self, dirty: dict[str, set[datetime]]) -> None:
        mark = self.watermark()
        for site in list(dirty)[:MAX_SITES]:
            minutes = sorted(dirty[site])
            start = max(minutes[0], minutes[-1] - MAX_SPAN)
            buckets = self.source.series(SeriesQuery(Range(site, start, minutes[-1] + timedelta(minutes=1)), "1m"))
            for b in buckets:
                if b.t not in dirty[site] or self._sent.get((site, b.t)) == (b.views, b.visitors):
                    continue
                self._sent[(site, b.t)] = (b.views, b.visitors)
                self.feed.publish("minute", {"site": site, "t": iso(b.t), "views": b.views,
                                             "visitors": b.visitors, "watermark": iso(mark)})
        if len(self._sent) > 50_000:
            self._sent.clear()


async def tick(publisher: MinutePublisher, sites, every_s: float = 1.0) -> None:
    """Query-only mode: refresh the current and previous minute of watched sites."""
    while True:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        watched = list(sites())
        if watched:
            publisher.mark((s, m) for s in watched for m in (now - timedelta(minutes=1), now))
        await asyncio.sleep(every_s)
