"""``/api/v1/metrics/{route}``: the known metric routes, forwarded to the query service
with their checked parameters only (``metrics_api``); the live stream is relayed as SSE."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from dashboard.deps import GatewayDep
from dashboard.errors import failure_response
from dashboard.keepalive import with_keepalive
from dashboard.metrics_api import ROUTES, STREAMS, InvalidQuery, last_event_id_problem, upstream_query
from dashboard.upstream import UpstreamFailure

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])
FORWARDED_REQUEST_HEADERS = ("accept", "if-none-match", "last-event-id")
FORWARDED_RESPONSE_HEADERS = ("content-type", "etag", "cache-control", "retry-after", "server-timing")


def forwarded(headers, names) -> dict[str, str]:
    return {k: v for k in names if (v := headers.get(k))}


def invalid(errors: list[dict]) -> JSONResponse:
    return JSONResponse({"detail": errors}, status_code=422)


@router.get("/{rest:path}")
async def forward_metrics(rest: str, request: Request, gateway: GatewayDep) -> Response:
    if rest not in ROUTES:
        known = ", ".join(ROUTES)
        return JSONResponse({"detail": [{"loc": ["path", "route"], "msg": f"no such metrics route; known: {known}",
                                         "type": "not_found"}]}, status_code=404)
    path = f"/api/v1/metrics/{rest}"
    try:
        query = upstream_query(rest, request.query_params.multi_items())
    except InvalidQuery as exc:
        return invalid(exc.errors)
    headers = forwarded(request.headers, FORWARDED_REQUEST_HEADERS)
    if (problem := last_event_id_problem(headers.get("last-event-id"))) is not None:
        return invalid([problem])
    wants_stream = rest in STREAMS or "text/event-stream" in request.headers.get("accept", "")
    if wants_stream:
        return await stream_metrics(gateway, path, query, headers)
    try:
        upstream = await gateway.query.fetch(path, query, headers)
    except UpstreamFailure as failure:
        return failure_response(failure)
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        headers=forwarded(upstream.headers, FORWARDED_RESPONSE_HEADERS),
    )


async def stream_metrics(gateway, path: str, query: str, headers: dict[str, str]) -> Response:
    try:
        opened = await gateway.query.open_stream(path, query, {**headers, "accept-encoding": "identity"})
    except UpstreamFailure as failure:
        return failure_response(failure)
    upstream = opened.response
    if upstream.status_code != 200:
        body = await upstream.aread()
        await opened.aclose()
        return Response(body, status_code=upstream.status_code,
                        headers=forwarded(upstream.headers, FORWARDED_RESPONSE_HEADERS))

    async def relay() -> AsyncIterator[bytes]:
        try:
            async for chunk in with_keepalive(upstream.aiter_raw(), gateway.settings.stream_keepalive_seconds):
                yield chunk
        finally:
            await opened.aclose()

    return StreamingResponse(
        relay(),
        status_code=200,
        media_type=upstream.headers.get("content-type", "text/event-stream"),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
