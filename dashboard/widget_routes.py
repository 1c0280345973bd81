"""``/widgets/{id}/{path}``: a widget's files, fetched from its own host, served same-origin."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask

from dashboard.catalogue import base_of
from dashboard.deps import GatewayDep
from dashboard.integrity import matches
from dashboard.widget_path import origin_of, relative_path, target_url
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


async def verified(gateway, widget_id: str, body: bytes, integrity: str) -> bool:
    """Match the announced hash; on a mismatch look again (the host may have been rebuilt
    and its sidecar re-announced since the catalogue was cached)."""
    if matches(body, integrity):
        return True
    await gateway.catalogue.refresh(force=True)
    fresh = gateway.catalogue.snapshot.widgets.get(widget_id) or {}
    return bool(fresh.get("integrity")) and fresh["integrity"] != integrity and matches(body, fresh["integrity"])


@router.api_route("/widgets/{widget_id}/{path:path}", methods=["GET", "HEAD"])
async def read_widget_file(widget_id: str, path: str, request: Request, gateway: GatewayDep) -> Response:
    widget = await gateway.catalogue.find(widget_id)
    base = base_of(widget) if widget else None
    if base is None:
        if widget is None and gateway.catalogue.snapshot.stale:
            return unavailable(503, f"widget {widget_id!r} cannot be looked up: the registry is unreachable")
        return not_found(f"unknown widget {widget_id!r}")
    url = target_url(base, path)
    if url is None:
        return not_found("path outside the widget's files")

    origin = origin_of(base)
    breaker = gateway.breaker_for(origin)
    if not breaker.allow():
        return unavailable(503, f"widget host {origin} is failing; circuit open")
    integrity = widget.get("integrity") if path == relative_path(widget.get("module"), base) else None
    headers = {k: v for k in FORWARDED_REQUEST_HEADERS if (v := request.headers.get(k))}
    headers.setdefault("accept-encoding", "identity")
    if integrity:
        headers["accept-encoding"] = "identity"  # the hash is over the plain bytes
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
    if integrity and upstream.status_code == 200 and request.method == "GET":
        try:
            body = await upstream.aread()
        finally:
            await close()
        if not await verified(gateway, widget_id, body, integrity):
            return JSONResponse(
                {"detail": f"the module of {widget_id!r} does not match the integrity its sidecar announced"},
                status_code=502,
            )
        return Response(body, status_code=200, headers=response_headers)
    return StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=response_headers,
        background=BackgroundTask(close),
    )
