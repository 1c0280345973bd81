"""``/api/v1/catalogue``: the widget list for the shell, and its live change feed."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, StreamingResponse

from dashboard.deps import GatewayDep
from dashboard.errors import failure_response
from dashboard.upstream import UpstreamFailure

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"])
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.get("")
async def read_catalogue(gateway: GatewayDep) -> JSONResponse:
    snapshot = await gateway.catalogue.refresh()
    body = snapshot.as_json()
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
