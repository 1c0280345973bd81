"""``/api/v1/metrics/{rest}``: forwarded verbatim to the query service (SSE streamed)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from dashboard.deps import GatewayDep
from dashboard.errors import failure_response
from dashboard.keepalive import with_keepalive
from dashboard.upstream import UpstreamFailure

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])
FORWARDED_REQUEST_HEADERS = ("accept", "if-none-match", "last-event-id")
FORWARDED_RESPONSE_HEADERS = ("content-type", "etag", "cache-control", "retry-after")
STREAM_PATHS = {"stream", "live/stream"}


def forwarded(headers, names) -> dict[str, str]:
    return {k: v for k in names if (v := headers.get(k))}


@router.get("/{rest:path}")
async def forward_metrics(rest: str, request: Request, gateway: GatewayDep) -> Response:
    path = f"/api/v1/metrics/{rest}"
    query = request.url.query
    headers = forwarded(request.headers, FORWARDED_REQUEST_HEADERS)
    wants_stream = rest in STREAM_PATHS or "text/event-stream" in request.headers.get("accept", "")
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
