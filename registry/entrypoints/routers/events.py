"""``GET /api/v1/events``: the catalogue's live change feed (Server-Sent Events)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import count

import anyio
import orjson
from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from registry.service_layer.broadcaster import Broadcaster

from ..deps import ServicesDep

router = APIRouter(prefix="/api/v1", tags=["events"])
_ids = count(1)


@router.get(
    "/events",
    summary="Change feed: widget-registered | widget-updated | widget-stale | widget-removed",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "event: <kind>, data: WidgetPublic"}},
)
async def events(services: ServicesDep) -> EventSourceResponse:
    broadcaster = services.broadcaster
    shutdown = anyio.Event()  # set by sse-starlette when the server is stopping

    async def stream() -> AsyncIterator[dict]:
        async with broadcaster.subscribe() as changes:
            watcher = asyncio.create_task(_close_on(shutdown, broadcaster))
            try:
                yield {"comment": "connected"}
                async for change in changes:
                    yield {"id": str(next(_ids)), "event": change.kind.value, "data": orjson.dumps(change.data).decode()}
            finally:
                watcher.cancel()

    return EventSourceResponse(
        stream(), ping=15, send_timeout=10, shutdown_event=shutdown, shutdown_grace_period=1, headers={"Cache-Control": "no-store"}
    )


async def _close_on(shutdown: anyio.Event, broadcaster: Broadcaster) -> None:
    """End every stream once the server stops, so each response completes cleanly."""
    await shutdown.wait()
    broadcaster.close()
