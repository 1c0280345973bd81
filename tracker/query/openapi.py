"""The query API's OpenAPI document, served at ``/openapi.json``.

The API is plain Starlette (it validates its own parameters in ``tracker.query.params``),
so the document is written here; the schemathesis run in
``tests/tracker/query/test_query_openapi.py`` keeps it and the routes together.
"""

from __future__ import annotations

from starlette.routing import Route

from tracker.openapi_route import openapi_route
from tracker.model import DIMENSIONS

BASE = "/api/v1/metrics"
ERROR = {"application/json": {"schema": {"type": "object", "required": ["detail"], "properties": {"detail": {
    "type": "array", "items": {"type": "object", "properties": {
        "loc": {"type": "array", "items": {"type": "string"}}, "msg": {"type": "string"}, "type": {"type": "string"}}}}}}}}
UNAVAILABLE = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}
COMMON = {"422": {"description": "a parameter is invalid (each error names its field)", "content": ERROR},
          "503": {"description": "OLAP unavailable; retry", "content": UNAVAILABLE}}


def _param(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


SITE = _param("site", "the site (host name)", {"type": "string", "minLength": 1, "maxLength": 253}, True)
TIME = {"type": "string", "format": "date-time"}
RANGE = [SITE, _param("from", "start, ISO-8601 (floored to the interval)", TIME),
         _param("to", "end, ISO-8601 (exclusive)", TIME),
         _param("path", "only this page path", {"type": "string", "maxLength": 2048}),
         _param("referrer", "only this referrer host", {"type": "string", "maxLength": 2048})]
FILTERS = [_param(name, f"only this {name} (empty: none set)", {"type": "string", "maxLength": 2048})
           for name in DIMENSIONS if name != "referrer"]
COUNTS = {"views": {"type": "integer"}, "visitors": {"type": "integer"}}
WATERMARK = {"type": "string", "format": "date-time", "nullable": True,
             "description": "every hit received before it is counted"}


def _ok(properties: dict) -> dict:
    return {"description": "the answer", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"site": {"type": "string"}, "watermark": WATERMARK, **properties}}}}}


def _get(summary: str, operation: str, parameters: list, ok: dict, **extra) -> dict:
    return {"get": {"summary": summary, "operationId": operation, "parameters": parameters,
                    "responses": {"200": ok, **COMMON, **extra}}}


def _top(key: str) -> dict:
    return _ok({"items": {"type": "array", "items": {"type": "object", "properties": {key: {"type": "string"}, **COUNTS}}}})


def document() -> dict:
    limit = _param("limit", "how many items (default 10)", {"type": "integer", "minimum": 1, "maximum": 100})
    series = _ok({"interval": {"type": "string"}, "points": {"type": "array", "items": {
        "type": "object", "properties": {"t": TIME, **COUNTS}}}})
    stream = {"description": "server-sent events: hello, then minute updates",
              "content": {"text/event-stream": {"schema": {"type": "string"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Tessera query API", "version": "1",
                 "description": "Page views, visitors, top pages and referrers from the rollups, and a live stream."},
        "paths": {
            "/healthz": {"get": {"summary": "Liveness", "operationId": "health", "responses": {
                "200": {"description": "serving", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            f"{BASE}/pageviews": _get("Views and visitors per interval", "pageviews", [
                *RANGE, _param("interval", "bucket size", {"type": "string", "enum": ["1m", "1h", "1d"]})], series),
            f"{BASE}/top-pages": _get("Top pages", "topPages", [*RANGE, limit], _top("path")),
            f"{BASE}/top-referrers": _get("Top referrers", "topReferrers", [*RANGE, limit], _top("referrer")),
            f"{BASE}/visitors": _get("Totals over a range", "visitors", RANGE, _ok(COUNTS)),
            f"{BASE}/live": _get("The last minutes", "live", [SITE], _ok({**COUNTS, "window_seconds": {"type": "integer"},
                                                                            "current_minute": {"type": "object"}})),
            f"{BASE}/breakdown": _get("Views and visitors by one dimension, under any filters", "breakdown", [
                *RANGE, _param("dimension", "what to break down by", {"type": "string", "enum": list(DIMENSIONS)}, True),
                limit, *FILTERS], _ok({"dimension": {"type": "string"}, "rows": {"type": "array", "items": {
                    "type": "object", "properties": {"value": {"type": "string"}, **COUNTS}}}})),
            f"{BASE}/summary": _get("KPIs for a range and the period before it", "summary", [*RANGE, *FILTERS],
                                    _ok({"current": {"type": "object"}, "previous": {"type": "object"}})),
            f"{BASE}/recent": {"get": {
                "summary": "Single page views as they arrive (SSE): `recent` (the newest, oldest first), then "
                           "`pageviews`; no visitor ids or addresses", "operationId": "recent",
                "parameters": [SITE, _param("limit", "how many recent page views to open with (default 20)",
                                            {"type": "integer", "minimum": 1, "maximum": 100}),
                               _param("lastEventId", "resume: page views at or after this time (ms)",
                                      {"type": "integer", "minimum": 0}),
                               {"name": "Last-Event-ID", "in": "header", "required": False,
                                "schema": {"type": "integer", "minimum": 0}}],
                "responses": {"200": {"description": "server-sent events: recent, then pageviews",
                                      "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                              **COMMON,
                              "429": {"description": "this client holds too many streams", "content": ERROR}}}},
            f"{BASE}/stream": {"get": {
                "summary": "Live updates (SSE); resumes after Last-Event-ID", "operationId": "stream",
                "parameters": [_param("site", "only this site"), _param("lastEventId", "resume after this id",
                                                                        {"type": "integer"}),
                               {"name": "Last-Event-ID", "in": "header", "required": False,
                                "schema": {"type": "integer"}}],
                "responses": {"200": stream, "422": COMMON["422"],
                              "429": {"description": "this client holds too many streams", "content": ERROR},
                              "503": {"description": "too many streams in all", "content": ERROR}}}},
        },
    }


def route() -> Route:
    return openapi_route(document)
