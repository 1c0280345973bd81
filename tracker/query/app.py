"""The query API (Starlette): metrics read from the rollups, plus an SSE live feed.

``create_app`` is the factory; it takes its collaborators and builds nothing at import.
Every answer carries ``watermark``: every record appended to the stream before it
is counted (see ``tracker.writer.progress``; a query-only process uses the newest
``received_at`` stored in OLAP).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gatekeeper.stream_quota import StreamQuota, event_streams
from tracker.olap.port import MetricsSource, OlapUnavailable
from tracker.olap.recent_events import reader_for
from tracker.query import breakdown_routes, openapi, params, recent
from tracker.query.live import LiveFeed
from tracker.query.publisher import ALL
from tracker.model import Range, SeriesQuery
from tracker.query.series import points
from tracker.query.settings import QuerySettings
from tracker.query.timing import ServerTiming
from tracker.query.wire import iso

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class ORJSONResponse(JSONResponse):
    def render(self, content) -> bytes:
        return orjson.dumps(content)


class MetricsApi:
    def __init__(self, source: MetricsSource, settings: QuerySettings, feed: LiveFeed,
                 watermark: Callable[[], datetime | None], clock: Clock = _now,
                 watermark_in_memory: bool = False) -> None:
        self.source = source
        self.settings = settings
        self.feed = feed
        self.watermark_of = watermark
        self.watermark_in_memory = watermark_in_memory  # the writer's progress: no read, no thread
        self.clock = clock
        self.watchers: Counter[str] = Counter()  # site -> open SSE streams

    async def _call(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    async def _watermark(self) -> str | None:
        if self.watermark_in_memory:
            return iso(self.watermark_of())
        return iso(await self._call(self.watermark_of))

    async def _read(self, *reads: tuple) -> tuple[list, str | None]:
        """The results of ``reads`` (each a function and its arguments), run side by side on
        threads of their own, and the answer's watermark.  A watermark kept in memory is taken on
        the event loop before the reads start, so everything it claims was visible to them (and
        no thread waits for it); one read from the store is read beside them."""
        if self.watermark_in_memory:
            mark = await self._watermark()
            return list(await asyncio.gather(*(self._call(*read) for read in reads))), mark
        mark, *results = await asyncio.gather(self._watermark(), *(self._call(*read) for read in reads))
        return results, mark

    async def pageviews(self, request: Request) -> Response:
        q = params.series_query(request.query_params, self.clock(), self.settings.max_points)
        (buckets,), mark = await self._read((self.source.series, q))
        r = q.range
        return ORJSONResponse({
            "site": r.site, "interval": q.interval, "from": iso(r.start), "to": iso(r.end),
            "path": r.path, "referrer": r.referrer, "filters": dict(r.filters), "watermark": mark,
            "points": points(buckets, r.start, r.end, q.interval),
        })

    async def _top(self, request: Request, dimension: str, key: str) -> Response:
        q = params.top_query(request.query_params, self.clock(), dimension, self.settings.max_top)
        (items,), mark = await self._read((self.source.top, q))
        r = q.range
        return ORJSONResponse({
            "site": r.site, "from": iso(r.start), "to": iso(r.end), "watermark": mark,
            "items": [{key: i.key, "views": i.views, "visitors": i.visitors} for i in items],
        })

    async def top_pages(self, request: Request) -> Response:
        return await self._top(request, "path", "path")

    async def top_referrers(self, request: Request) -> Response:
        return await self._top(request, "referrer_host", "referrer")

    async def visitors(self, request: Request) -> Response:
        r = params.range_query(request.query_params, self.clock())
        (totals,), mark = await self._read((self.source.totals, r))
        return ORJSONResponse({
            "site": r.site, "from": iso(r.start), "to": iso(r.end), "watermark": mark,
            "visitors": totals.visitors, "views": totals.views,
        })

    async def live(self, request: Request) -> Response:
        p = params.Params(request.query_params, self.clock())
        site = p.site()
        p.check()
        now = self.clock()
        window = timedelta(seconds=self.settings.live_window_s)
        minute = now.replace(second=0, microsecond=0)
        (totals, current), mark = await self._read(  # two independent reads, side by side
            (self.source.totals, Range(site, now - window, now + timedelta(seconds=1))),
            (self.source.series, SeriesQuery(Range(site, minute, minute + timedelta(minutes=1)), "1m")))
        cur = current[0] if current else None
        return ORJSONResponse({
            "site": site, "watermark": mark, "window_seconds": self.settings.live_window_s,
            "views": totals.views, "visitors": totals.visitors,
            "current_minute": {"t": iso(minute), "views": cur.views if cur else 0, "visitors": cur.visitors if cur else 0},
        })

    async def stream(self, request: Request) -> Response:
        site = (request.query_params.get("site") or "").strip().lower() or None
        raw = request.headers.get("last-event-id") or request.query_params.get("lastEventId")
        try:
            last_id = int(raw) if raw else None
        except ValueError:
            return _invalid([{"loc": ["header", "Last-Event-ID"], "msg": "Last-Event-ID must be an integer",
                              "type": "int_parsing"}])
        return EventSourceResponse(self._events(request, site, last_id), ping=self.settings.stream_heartbeat_s,
                                   headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def _events(self, request: Request, site: str | None, last_id: int | None):
        key = site or ALL
        self.watchers[key] += 1
        try:
            cursor = self.feed.last_id if last_id is None else last_id
            yield ServerSentEvent(event="hello", id=str(cursor),
                                  data=orjson.dumps({"watermark": await self._watermark(), "site": site}).decode())
            while not await request.is_disconnected():
                for e in await self.feed.next(cursor, timeout=1.0):
                    cursor = e.id
                    if site and e.data.get("site") != site:
                        continue
                    yield ServerSentEvent(event=e.event, id=str(e.id), data=orjson.dumps(e.data).decode())
        finally:
            self.watchers[key] -= 1
            if self.watchers[key] <= 0:
                del self.watchers[key]


def _invalid(errors: list[dict]) -> Response:
    return ORJSONResponse({"detail": errors}, status_code=422)


async def _on_invalid(request: Request, exc: Exception) -> Response:
    return _invalid(exc.errors)


async def _on_unavailable(request: Request, exc: Exception) -> Response:
    return ORJSONResponse({"detail": f"OLAP unavailable: {exc}"[:500]}, status_code=503,
                          headers={"Retry-After": "1"})


async def healthz(request: Request) -> Response:
    return ORJSONResponse({"status": "ok"})


def create_app(source: MetricsSource, settings: QuerySettings, feed: LiveFeed | None = None,
               watermark: Callable[[], datetime | None] | None = None, lifespan=None,
               clock: Clock = _now, watermark_in_memory: bool = False) -> Starlette:
    """``watermark_in_memory``: ``watermark`` only reads memory (the writer's progress), so the
    API calls it on the event loop; by default it is a read of the store, run on a thread."""
    api = MetricsApi(source, settings, feed or LiveFeed(settings.stream_ring), watermark or source.watermark, clock,
                     watermark_in_memory)
    base = "/api/v1/metrics"
    recent_api = recent.RecentApi(reader_for(source), clock, settings.stream_heartbeat_s)
    routes = [
        Route("/healthz", healthz),
        Route(f"{base}/pageviews", api.pageviews),
        Route(f"{base}/top-pages", api.top_pages),
        Route(f"{base}/top-referrers", api.top_referrers),
        Route(f"{base}/visitors", api.visitors),
        Route(f"{base}/live", api.live),
        Route(f"{base}/stream", api.stream),
        *breakdown_routes.routes(api, base),
        *recent.routes(recent_api, base),
        openapi.route(),
    ]
    quota = Middleware(StreamQuota, per_client=settings.max_streams_per_client, total=settings.max_streams,
                       is_stream=event_streams([f"{base}/stream", f"{base}/recent"]))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(ServerTiming), quota],
                    exception_handlers={params.InvalidParams: _on_invalid, OlapUnavailable: _on_unavailable})
    app.state.api = api
    app.state.recent = recent_api
    return app
