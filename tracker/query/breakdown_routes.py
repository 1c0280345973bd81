"""The breakdown and summary routes of the query API (``/api/v1/metrics/breakdown`` and
``/summary``), mounted by ``create_app`` beside the others on the same ``MetricsApi``."""

from __future__ import annotations

from datetime import datetime

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tracker import model
from tracker.query import breakdown
from tracker.query.closed_answers import ClosedAnswers, closed
from tracker.query.wire import iso


class _Json(JSONResponse):
    def render(self, content) -> bytes:
        return orjson.dumps(content)


def _scope_wire(s: model.Scope) -> dict:
    return {"from": iso(s.start), "to": iso(s.end)}


def _filters_wire(s: model.Scope) -> dict:
    return {model.WIRE_NAME[column]: value for column, value in s.filters}


class BreakdownRoutes:
    def __init__(self, api) -> None:
        self.api = api  # a tracker.query.app.MetricsApi: source, settings, clock, watermark
        self.closed = ClosedAnswers()  # the summaries of periods before: closed once a day old

    async def breakdown(self, request: Request) -> Response:
        q = breakdown.breakdown_query(request.query_params, self.api.clock(), self.api.settings.max_top)
        (rows,), mark = await self.api._read((self.api.source.breakdown, q))
        s = q.scope
        return _Json({
            "site": s.site, **_scope_wire(s), "dimension": model.WIRE_NAME[q.dimension],
            "filters": _filters_wire(s), "limit": q.limit, "watermark": mark,
            "rows": [{"value": r.value, "views": r.views, "visitors": r.visitors} for r in rows],
        })

    async def summary(self, request: Request) -> Response:
        s = breakdown.summary_scope(request.query_params, self.api.clock())
        before = s.before()
        previous = self.closed.get(before)  # a period that can no longer change, answered a moment ago
        if previous is not None:
            (current,), mark = await self.api._read((self.api.source.summary, s))
        else:
            (current, previous), mark = await self.api._read((self.api.source.summary, s),  # side by side
                                                             (self.api.source.summary, before))
            if closed(before.end, datetime.fromisoformat(mark) if mark else None):
                self.closed.put(before, previous)
        return _Json({
            "site": s.site, **_scope_wire(s), "filters": _filters_wire(s), "watermark": mark,
            "current": current.wire(), "previous": {**_scope_wire(before), **previous.wire()},
        })


def routes(api, base: str) -> list[Route]:
    r = BreakdownRoutes(api)
    return [Route(f"{base}/breakdown", r.breakdown), Route(f"{base}/summary", r.summary)]
