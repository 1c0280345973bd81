"""``/api/v1/catalogue``: the widget list for the shell, and its live change feed.

``?include=gone`` adds the widgets whose hosts are gone (status ``gone``, with their last
heartbeat), for the mesh's health; the shell's list (no parameter) has live and stale only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from dashboard.deps import GatewayDep
from dashboard.errors import failure_response
from dashboard.upstream import UpstreamFailure

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"])
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.get("")
async def read_catalogue(gateway: GatewayDep, include: Annotated[
        str | None, Query(max_length=20, description="`gone`: also the widgets whose hosts are gone")] = None,
) -> JSONResponse:
    if include not in (None, "", "gone"):
        return JSONResponse({"detail": [{"loc": ["query", "include"], "msg": "include must be gone",
                                         "type": "value_error"}]}, status_code=422)
    snapshot = await gateway.catalogue.refresh()
    body = snapshot.as_json(include_gone=include == "gone")
    if snapshot.fetched_at is None:
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/stream")
async def stream_catalogue(gateway: GatewayDep) -> Response:
    """The registry's change feed, reshaped like the catalogue's entries; one registry
    subscription is shared by every browser (see ``CatalogueHub``)."""
    try:
        await gateway.hub.connect()
    except UpstreamFailure as failure:
        return failure_response(failure)
    return StreamingResponse(gateway.hub.subscribe(), media_type="text/event-stream", headers=STREAM_HEADERS)
