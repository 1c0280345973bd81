"""``GET /api/v1/events``: the catalogue's live change feed (Server-Sent Events)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count

import orjson
from fastapi import APIRouter
from sse_starlette import EventSourceResponse

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

    async def stream() -> AsyncIterator[dict]:
        async with broadcaster.subscribe() as changes:
            yield {"comment": "connected"}
            async for change in changes:
                yield {"id": str(next(_ids)), "event": change.kind.value, "data": orjson.dumps(change.data).decode()}

    return EventSourceResponse(stream(), ping=15, headers={"Cache-Control": "no-store"})
