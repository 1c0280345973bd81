"""The collector's OpenAPI document, served at ``/openapi.json``.

The collector is raw ASGI (no framework on its hot paths), so nothing generates this
document: it is written here, next to the routes in ``tracker.collector.app``, and the
schemathesis run in ``tests/tracker/collector/test_collector_openapi.py`` holds the two
together (every documented route, no input answered with a 5xx).
"""

from __future__ import annotations

from starlette.routing import Route

from tracker.openapi_route import openapi_route

GIF = {"description": "a 1x1 GIF, always (even when the stream is down)",
       "content": {"image/gif": {"schema": {"type": "string", "format": "binary"}}}}
TEXT = {"text/plain": {"schema": {"type": "string"}}}
DETAIL = {"application/json": {"schema": {"type": "object", "properties": {"detail": {}}}}}
LIMITS = {
    "413": {"description": "body larger than the collector's limit", "content": {**DETAIL, **TEXT}},
    "431": {"description": "headers larger than the edge limit", "content": DETAIL},
    "503": {"description": "not stored; retry", "content": {**DETAIL, **TEXT}},
}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


EVENT = {
    "type": "object",
    "properties": {
        "site": {"type": "string", "description": "the site's host name"},
        "name": {"type": "string", "default": "pageview"},
        "url": {"type": "string"},
        "referrer": {"type": "string"},
        "title": {"type": "string"},
        "props": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
        "ts": {"oneOf": [{"type": "number", "description": "epoch milliseconds"},
                         {"type": "string", "format": "date-time"}]},
        "event_id": {"type": "string", "format": "uuid", "description": "the sender's id: a retry is the same event"},
        "user_agent": {"type": "string"},
        "ip": {"type": "string", "description": "used for the visitor hash only, never stored"},
    },
}
REPORT = {
    "type": "object",
    "properties": {"accepted": {"type": "integer"}, "rejected": {"type": "integer"},
                   "results": {"type": "array", "items": {"type": "object"}}},
}
PIXEL_PARAMS = [
    _query("site", "the site's host name (else the page URL's)"),
    _query("url", "the page URL"),
    _query("referrer", "the page's referrer"),
    _query("title", "the page title"),
    _query("name", "the event name (default pageview)"),
    _query("ts", "client time, epoch milliseconds"),
]
SNOWPLOW_PARAMS = [
    _query("e", "event type (pv, pp, se, ue, ...)"), _query("aid", "application id (the site)"),
    _query("url", "page URL"), _query("refr", "referrer"), _query("page", "page title"),
    _query("eid", "event id (a retry is the same event)"), _query("dtm", "client time, epoch ms"),
    _query("p", "platform"), _query("se_ac", "structured event action"), _query("ue_pr", "unstructured event JSON"),
    _query("ue_px", "unstructured event, base64"),
]


def document() -> dict:
    pixel = {"parameters": PIXEL_PARAMS, "responses": {"200": GIF, "414": LIMITS["431"], "431": LIMITS["431"]}}
    snowplow_pixel = {"parameters": SNOWPLOW_PARAMS, "responses": {"200": GIF}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Tessera collector", "version": "1",
                 "description": "The tracking pixel, the JSON batch and drop-in Plausible and Snowplow endpoints."},
        "paths": {
            "/t.gif": {"get": {"summary": "Tracking pixel", "operationId": "pixel", **pixel}},
            "/i": {"get": {"summary": "Snowplow tracker-protocol pixel", "operationId": "snowplowPixel",
                           **snowplow_pixel}},
            "/api/v1/events": {"post": {
                "summary": "A batch of events, with a result per event", "operationId": "batch",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                    {"type": "array", "items": EVENT},
                    {"type": "object", "required": ["events"],
                     "properties": {"events": {"type": "array", "items": EVENT}}}]}}}},
                "responses": {"200": {"description": "every event accepted",
                                      "content": {"application/json": {"schema": REPORT}}},
                              "207": {"description": "some events rejected (see results)",
                                      "content": {"application/json": {"schema": REPORT}}},
                              "400": {"description": "not a batch", "content": DETAIL}, **LIMITS}}},
            "/api/event": {"post": {
                "summary": "Plausible's event API (drop-in)", "operationId": "plausibleEvent",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"n": {"type": "string"}, "u": {"type": "string"},
                                                     "d": {"type": "string"}, "r": {"type": "string"},
                                                     "p": {"type": "object"}}}}}},
                "responses": {"202": {"description": "accepted", "content": TEXT},
                              "400": {"description": "not an event", "content": TEXT}, **LIMITS}}},
            "/com.snowplowanalytics.snowplow/tp2": {"post": {
                "summary": "Snowplow's POST endpoint (payload_data)", "operationId": "snowplowPost",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["data"],
                    "properties": {"schema": {"type": "string"},
                                   "data": {"type": "array", "items": {"type": "object",
                                                                       "additionalProperties": {"type": "string"}}}}}}}},
                "responses": {"200": {"description": "accepted", "content": TEXT},
                              "400": {"description": "not a payload", "content": TEXT}, **LIMITS}}},
            "/t.js": {"get": {"summary": "The JS snippet", "operationId": "snippet", "responses": {
                "200": {"description": "the script", "content": {"application/javascript": {"schema": {"type": "string"}}}}}}},
            "/stats": {"get": {"summary": "Counters", "operationId": "stats", "responses": {
                "200": {"description": "counters", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/healthz": {"get": {"summary": "Liveness", "operationId": "health", "responses": {
                "200": {"description": "serving", "content": {"application/json": {"schema": {"type": "object"}}}},
                "503": {"description": "degraded", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
    }


def route() -> Route:
    return openapi_route(document)
