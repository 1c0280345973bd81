"""``/widgets/{id}/{path}``: a widget's files, fetched from its own host, served same-origin."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask

from dashboard.catalogue import base_of
from dashboard.deps import GatewayDep
from dashboard.widget_path import origin_of, target_url
from resilience import BulkheadFull

router = APIRouter(tags=["widgets"])
FORWARDED_REQUEST_HEADERS = ("accept", "accept-encoding", "if-none-match", "if-modified-since")
FORWARDED_RESPONSE_HEADERS = (
    "content-type", "content-length", "content-encoding", "etag", "last-modified", "cache-control",
)


def not_found(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=404)


def unavailable(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers={"Retry-After": "5"})


@router.api_route("/widgets/{widget_id}/{path:path}", methods=["GET", "HEAD"])
async def read_widget_file(widget_id: str, path: str, request: Request, gateway: GatewayDep) -> Response:
    widget = await gateway.catalogue.find(widget_id)
    base = base_of(widget) if widget else None
    if base is None:
        return not_found(f"unknown widget {widget_id!r}")
    url = target_url(base, path)
    if url is None:
        return not_found("path outside the widget's files")

    origin = origin_of(base)
    breaker = gateway.breaker_for(origin)
    if not breaker.allow():
        return unavailable(503, f"widget host {origin} is failing; circuit open")
    headers = {k: v for k in FORWARDED_REQUEST_HEADERS if (v := request.headers.get(k))}
    headers.setdefault("accept-encoding", "identity")
    try:
        await gateway.widget_hosts.acquire()
    except BulkheadFull:
        return unavailable(503, "widget hosts are busy")
    try:
        upstream = await gateway.client.send(
            gateway.client.build_request(request.method, url, headers=headers), stream=True
        )
    except httpx.TimeoutException:
        gateway.widget_hosts.release()
        breaker.record_failure()
        return unavailable(504, f"widget host {origin} did not answer in time")
    except httpx.TransportError as exc:
        gateway.widget_hosts.release()
        breaker.record_failure()
        return unavailable(502, f"widget host {origin} is unreachable ({type(exc).__name__})")
    breaker.record_success()

    async def close() -> None:
        await upstream.aclose()
        gateway.widget_hosts.release()

    if 300 <= upstream.status_code < 400 and upstream.status_code != 304:
        await close()
        return not_found("widget host redirected; not followed")
    response_headers = {k: v for k in FORWARDED_RESPONSE_HEADERS if (v := upstream.headers.get(k))}
    response_headers.setdefault("cache-control", "no-cache")
    response_headers["x-content-type-options"] = "nosniff"
    return StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=response_headers,
        background=BackgroundTask(close),
    )
