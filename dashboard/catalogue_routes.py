"""``/api/v1/catalogue``: the widget list for the shell, and its live change feed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse

from dashboard.catalogue import shape_entry
from dashboard.deps import GatewayDep
from dashboard.errors import failure_response
from dashboard.gateway import Gateway
from dashboard.keepalive import with_keepalive
from dashboard.sse import ServerSentEvent, comment, parse_events
from dashboard.upstream import UpstreamFailure

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"])
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
CHANGE_EVENTS = {"widget-registered", "widget-updated", "widget-stale", "widget-removed"}


@router.get("")
async def read_catalogue(gateway: GatewayDep) -> JSONResponse:
    snapshot = await gateway.catalogue.refresh()
    body = snapshot.as_json()
    if snapshot.fetched_at is None:
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def relay(gateway: Gateway, lines: AsyncIterator[str]) -> AsyncIterator[bytes]:
    yield b"retry: 3000\n\n" + comment("catalogue stream open")
    async for event in parse_events(lines):
        if event.event not in CHANGE_EVENTS:
            continue
        try:
            widget = json.loads(event.data)
        except ValueError:
            continue
        if not isinstance(widget, dict):
            continue
        gateway.catalogue.apply(event.event, widget)
        entry = shape_entry(widget) or {"id": widget.get("id"), "status": "gone"}
        if event.event == "widget-removed":
            entry = {**entry, "status": "gone"}
        yield ServerSentEvent(event.event, json.dumps(entry), event.id).encode()


@router.get("/stream")
async def stream_catalogue(gateway: GatewayDep):
    """Relay the registry's change feed, reshaped like the catalogue's entries."""
    try:
        opened = await gateway.registry.open_stream("/api/v1/events", headers={"Accept": "text/event-stream"})
    except UpstreamFailure as failure:
        return failure_response(failure)
    if opened.response.status_code != 200:
        await opened.aclose()
        status = opened.response.status_code
        return failure_response(UpstreamFailure("registry", 502, f"registry change feed answered {status}"))

    async def body() -> AsyncIterator[bytes]:
        events = relay(gateway, opened.response.aiter_lines())
        try:
            async for chunk in with_keepalive(events, gateway.settings.stream_keepalive_seconds):
                yield chunk
        finally:
            await opened.aclose()

    return StreamingResponse(body(), media_type="text/event-stream", headers=STREAM_HEADERS)
