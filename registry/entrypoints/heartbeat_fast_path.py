"""A raw-ASGI fast path for ``POST /api/v1/widgets/{id}/heartbeat``, the registry's hot path.

A thousand sidecars heartbeating every 3 s is ~333 requests/s; FastAPI's per-request
dependency solving costs ~200 µs of CPU each, this path ~30 µs. It calls the same service
method and answers exactly like the declared route in ``routers/widgets.py``, which stays
for the OpenAPI document (and serves anything this path does not recognise).
"""

from __future__ import annotations

import orjson

from registry.domain.problems import Refused

from .body import media_type_problem
from .errors import problem_parts

PREFIX = "/api/v1/widgets/"
SUFFIX = "/heartbeat"
MAX_ID = 64


_WANTED = frozenset({b"authorization", b"content-type", b"if-match"})


def _headers(scope: dict) -> dict[bytes, str]:
    """The three headers a heartbeat reads, in one pass (first occurrence wins)."""
    found: dict[bytes, str] = {}
    for key, value in scope["headers"]:
        if key in _WANTED and key not in found:
            found[key] = value.decode("latin-1")
    return found


class HeartbeatFastPath:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        widget_id = path[len(PREFIX) : -len(SUFFIX)] if path.startswith(PREFIX) and path.endswith(SUFFIX) else ""
        if not widget_id or "/" in widget_id or len(widget_id) > MAX_ID:
            return await self.app(scope, receive, send)
        services = scope["app"].state.services
        headers = [(b"content-type", b"application/json")]
        try:
            headers_in = _headers(scope)
            team = None
            if services.settings.require_tokens:
                team = await services.authenticator.team_for(headers_in.get(b"authorization"))
            content_type = headers_in.get(b"content-type")
            if content_type and (refusal := media_type_problem(content_type)) is not None:
                raise refusal
            widget = services.registry.heartbeat(widget_id, team=team, etag=headers_in.get(b"if-match"))
            status, body = 200, orjson.dumps({"lease_expires_at": widget.lease_expires_at})
        except Refused as exc:
            status, detail, extra = problem_parts(exc)
            body = orjson.dumps(detail)
            headers += [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
