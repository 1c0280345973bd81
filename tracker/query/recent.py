"""``GET /api/v1/metrics/recent``: single page views as they arrive, over SSE (the live feed).

The stream opens with a ``recent`` event (the newest ``limit`` page views of the last
30 minutes, oldest first), then sends a ``pageviews`` event whenever new ones are stored.
New rows are found by one poll loop per site, shared by every open stream of that site, so
OLAP sees one small query a second per watched site however many browsers watch it. The
poll reads the newest rows after a cursor (timestamp, event id), looking back ``LAG`` for
rows stored out of order, and never sends an event id twice.

Each event carries its event id (to tell a repeat), time, path, referrer host, device,
browser and OS: no visitor hash, no address, no user agent, no query strings. An SSE id is
the newest event's time in ms; resuming (``Last-Event-ID`` / ``lastEventId``) sends again
the page views at or after it, and a client drops the ids it has.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tracker.olap.port import OlapUnavailable
from tracker.olap.recent_events import RecentEvent, RecentEventsReader
from tracker.query import params
from tracker.query.wire import iso

WINDOW = timedelta(minutes=30)  # the opening backlog reaches this far back at most
LAG = timedelta(seconds=10)  # rows may be stored this much out of time order
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_PER_POLL = 100  # a busier second than this shows its newest 100
QUEUE = 16  # poll batches a slow stream may fall behind before the oldest are dropped


def wire(event: RecentEvent) -> dict:
    return {"id": event.event_id, "t": iso(event.ts), "path": event.path, "referrer": event.referrer_host or None,
            "device": event.device or None, "browser": event.browser or None, "os": event.os or None}


def millis(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class SitePoll:
    """One poll loop for one site while any stream follows it."""

    def __init__(self, reader: RecentEventsReader, site: str, poll_s: float, clock: Callable[[], datetime]) -> None:
        self.reader = reader
        self.site = site
        self.poll_s = poll_s
        self.clock = clock
        self.queues: set[asyncio.Queue] = set()
        self.task: asyncio.Task | None = None
        self.sent: dict[str, datetime] = {}  # ids sent within LAG of the newest
        self.newest: datetime | None = None
        self.polls = 0

    def join(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(QUEUE)
        self.queues.add(queue)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.run())
        return queue

    def leave(self, queue: asyncio.Queue) -> None:
        self.queues.discard(queue)
        if not self.queues and self.task is not None:
            self.task.cancel()
            self.task = None

    async def poll(self) -> list[RecentEvent]:
        since = (self.newest or self.clock()) - LAG
        rows = await asyncio.to_thread(self.reader.newest, self.site, since, MAX_PER_POLL)
        self.polls += 1
        fresh = [r for r in reversed(rows) if r.event_id not in self.sent]
        for row in fresh:
            self.sent[row.event_id] = row.ts
            self.newest = max(self.newest or row.ts, row.ts)
        if self.newest is not None:
            floor = self.newest - LAG
            self.sent = {k: t for k, t in self.sent.items() if t >= floor}
        else:
            self.newest = self.clock()
        return fresh

    async def run(self) -> None:
        while self.queues:
            await asyncio.sleep(self.poll_s)  # a new stream's backlog is read now; the first poll can wait
            try:
                fresh = await self.poll()
            except OlapUnavailable:
                fresh = []  # try again next time; the streams stay open
            if fresh:
                for queue in list(self.queues):
                    if queue.full():
                        queue.get_nowait()
                    queue.put_nowait(fresh)


class RecentApi:
    def __init__(self, reader: RecentEventsReader, clock: Callable[[], datetime], heartbeat_s: float,
                 poll_s: float = 1.0) -> None:
        self.reader = reader
        self.clock = clock
        self.heartbeat_s = heartbeat_s
        self.poll_s = poll_s
        self.polls: dict[str, SitePoll] = {}

    def poll_for(self, site: str) -> SitePoll:
        if site not in self.polls:
            self.polls[site] = SitePoll(self.reader, site, self.poll_s, self.clock)
        return self.polls[site]

    async def stream(self, request: Request) -> Response:
        p = params.Params(request.query_params, self.clock())
        site = p.site()
        limit = p.limit(DEFAULT_LIMIT, MAX_LIMIT)
        raw = request.headers.get("last-event-id") or request.query_params.get("lastEventId")
        resume = None
        if raw is not None:
            if raw.isascii() and raw.isdigit() and len(raw) <= 15:
                resume = datetime.fromtimestamp(int(raw) / 1000, UTC)
            else:
                p.errors.append({"loc": ["query", "lastEventId"], "msg": "lastEventId must be an integer (ms)",
                                 "type": "int_parsing"})
        p.check()
        since = max(resume or datetime.min.replace(tzinfo=UTC), self.clock() - WINDOW)
        poll = self.poll_for(site)
        queue = poll.join()
        try:
            backlog = await asyncio.to_thread(self.reader.newest, site, since, limit)
        except BaseException:
            self.release(poll, queue)
            raise
        return EventSourceResponse(self._events(request, poll, queue, backlog, since), ping=self.heartbeat_s,
                                   headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    def release(self, poll: SitePoll, queue: asyncio.Queue) -> None:
        poll.leave(queue)
        if not poll.queues:
            self.polls.pop(poll.site, None)

    async def _events(self, request: Request, poll: SitePoll, queue: asyncio.Queue, backlog: list[RecentEvent],
                      since: datetime):
        try:
            first = list(reversed(backlog))
            sent = {r.event_id for r in first}  # the first polls may overlap the backlog (≤ MAX_LIMIT ids)
            last = millis(first[-1].ts) if first else millis(since)
            yield self._message("recent", poll.site, first, last)
            while not await request.is_disconnected():
                batch = None
                with contextlib.suppress(TimeoutError):
                    batch = await asyncio.wait_for(queue.get(), 1.0)
                events = [r for r in batch or () if r.event_id not in sent]
                if events:
                    yield self._message("pageviews", poll.site, events, millis(events[-1].ts))
        finally:
            self.release(poll, queue)

    @staticmethod
    def _message(event: str, site: str, events: list[RecentEvent], last: int) -> ServerSentEvent:
        body = {"site": site, "events": [wire(r) for r in events]}
        return ServerSentEvent(event=event, id=str(last), data=orjson.dumps(body).decode())


def routes(api: RecentApi, base: str) -> list[Route]:
    return [Route(f"{base}/recent", api.stream)]
