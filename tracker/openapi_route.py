"""Serve a hand-written OpenAPI document at ``/openapi.json`` (the collector and the query
API are plain ASGI/Starlette, so nothing generates one for them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def openapi_route(document: Callable[[], dict]) -> Route:
    """``GET``/``HEAD /openapi.json``: ``document()`` as compact JSON, built on the first request."""

    @cache
    def body() -> bytes:
        return json.dumps(document(), separators=(",", ":")).encode()

    async def serve(request: Request) -> Response:
        return Response(body(), media_type="application/json")

    return Route("/openapi.json", serve, methods=["GET", "HEAD"])
