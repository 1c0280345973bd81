"""``/widgets/{id}/{path}``: a widget's files, fetched from its own host, served same-origin.

Guards, in order: the host's origin is on the operator's allow-list; the host has a free
slot in its own bulkhead (and the shared backstop has one); the connection goes only to
an address that was checked (``guarded_network``); the whole fetch, body included, ends
within ``widget_timeout_seconds``; only the content types a widget needs come back
(``widget_types``), never HTML, always with ``nosniff``.

Caching: a widget's module asked for under its announced integrity (``?v=<integrity>``, as
the shell imports it) and matching that hash is the same bytes for as long as the URL
exists, so it is sent ``immutable`` for a year; a new build announces a new hash, hence a new
URL. Everything else keeps the widget host's own ``Cache-Control`` (``no-cache`` if none).
The dashboard keeps such verified modules in memory too (``VerifiedModules``, by widget, path
and integrity; at most ``MODULE_CACHE_BYTES``), so a browser without them in its cache is
answered without a trip to the widget host once the origin checks pass.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from dashboard.catalogue import base_of
from dashboard.deps import GatewayDep
from dashboard.guarded_network import refusal_of
from dashboard.integrity import matches
from dashboard.widget_path import origin_of, relative_path, target_url
from dashboard.widget_types import SVG, SVG_POLICY, described, media_type, servable
from gatekeeper.address import AddressRefused, literal_address
from resilience import BulkheadFull

router = APIRouter(tags=["widgets"])
FORWARDED_REQUEST_HEADERS = ("accept", "accept-encoding", "if-none-match", "if-modified-since")
FORWARDED_RESPONSE_HEADERS = ("content-type", "content-encoding", "etag", "last-modified", "cache-control")
PASSED_STATUSES = (200, 203, 206, 304)
IMMUTABLE = "public, max-age=31536000, immutable"
MODULE_CACHE_BYTES = 8 * 1024 * 1024


class VerifiedModules:
    """Module bodies that matched their announced integrity, least recently used dropped first."""

    def __init__(self, limit: int = MODULE_CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[str, str, str], tuple[bytes, dict[str, str]]] = OrderedDict()

    def get(self, key: tuple[str, str, str]) -> tuple[bytes, dict[str, str]] | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple[str, str, str], body: bytes, headers: dict[str, str]) -> None:
        if len(body) > self.limit or key in self.items:
            return
        self.items[key] = (body, headers)
        self.size += len(body)
        while self.size > self.limit:
            _, (old, _) = self.items.popitem(last=False)
            self.size -= len(old)


def verified_modules(request: Request) -> VerifiedModules:
    state = request.app.state
    if getattr(state, "verified_modules", None) is None:
        state.verified_modules = VerifiedModules()
    return state.verified_modules


def not_found(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=404)


def unavailable(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers={"Retry-After": "5"})


class Refused(Exception):
    """The upstream answered, but not with something the proxy may pass on."""

    def __init__(self, status: int, detail: str, failure: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.failure = failure  # counts against the host's circuit breaker


@dataclass
class Fetched:
    status: int
    headers: httpx.Headers
    body: bytes


async def fetch(client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], limit: int) -> Fetched:
    """One upstream exchange, checked before its body is read, the body read up to ``limit``."""
    async with client.stream(method, url, headers=headers) as upstream:
        status = upstream.status_code
        if 300 <= status < 400 and status != 304:
            raise Refused(404, "widget host redirected; not followed")
        if status >= 500:
            raise Refused(502, f"widget host answered {status}", failure=True)
        if status not in PASSED_STATUSES:
            raise Refused(status if 400 <= status < 500 else 502, f"widget host answered {status}")
        if status != 304 and not servable(upstream.headers.get("content-type")):
            kind = media_type(upstream.headers.get("content-type")) or "no content type"
            raise Refused(502, f"widget host sent {kind}; the proxy serves only {described()}")
        declared = upstream.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Refused(502, f"widget file is larger than {limit} bytes")
        body = bytearray()
        async for chunk in upstream.aiter_raw():
            body += chunk
            if len(body) > limit:
                raise Refused(502, f"widget file is larger than {limit} bytes")
        return Fetched(status, upstream.headers, bytes(body))


async def verified(gateway, widget_id: str, body: bytes, integrity: str) -> bool:
    """Match the announced hash; on a mismatch look again (the host may have been rebuilt
    and its sidecar re-announced since the catalogue was cached)."""
    if matches(body, integrity):
        return True
    await gateway.catalogue.refresh(force=True)
    fresh = gateway.catalogue.snapshot.widgets.get(widget_id) or {}
    return bool(fresh.get("integrity")) and fresh["integrity"] != integrity and matches(body, fresh["integrity"])


@router.get("/widgets/{widget_id}/{path:path}")
@router.head("/widgets/{widget_id}/{path:path}", include_in_schema=False)  # one operation id in the schema
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
    if not gateway.may_fetch_from(origin):
        return JSONResponse({"detail": f"widget host {origin} is not on the dashboard's allow-list"}, status_code=403)
    try:
        literal_address(urlsplit(origin).hostname or "")  # odd numeric forms: refused before any parsing
    except AddressRefused as exc:
        return JSONResponse({"detail": f"widget host {origin} refused: {exc}"}, status_code=403)
    breaker = gateway.breaker_for(origin)
    if not breaker.allow():
        return unavailable(503, f"widget host {origin} is failing; circuit open")
    integrity = widget.get("integrity") if path == relative_path(widget.get("module"), base) else None
    cache_key = (widget_id, path, integrity) if integrity else None
    if cache_key and request.method == "GET" and (cached := verified_modules(request).get(cache_key)) is not None:
        body, kept = cached
        if request.query_params.get("v") == integrity:
            kept = {**{k: v for k, v in kept.items() if k not in ("etag", "last-modified")}, "cache-control": IMMUTABLE}
        return Response(body, status_code=200, headers=kept)
    headers = {k: v for k in FORWARDED_REQUEST_HEADERS if (v := request.headers.get(k))}
    headers.setdefault("accept-encoding", "identity")
    if integrity:
        headers["accept-encoding"] = "identity"  # the hash is over the plain bytes
    settings = gateway.settings
    try:
        async with gateway.bulkhead_for(origin), gateway.widget_hosts:
            async with asyncio.timeout(settings.widget_timeout_seconds):
                fetched = await fetch(gateway.widget_client, request.method, url, headers, settings.widget_max_bytes)
    except BulkheadFull as exc:
        return unavailable(503, f"widget host {origin} is busy ({exc.limit} fetches in flight)"
                           if exc.name == origin else "widget hosts are busy")
    except TimeoutError:
        breaker.record_failure()
        return unavailable(504, f"widget host {origin} did not send the file within {settings.widget_timeout_seconds:g}s")
    except Refused as refused:
        (breaker.record_failure if refused.failure else breaker.record_success)()
        return JSONResponse({"detail": refused.detail}, status_code=refused.status)
    except httpx.TransportError as exc:
        if (refusal := refusal_of(exc)) is not None:
            return JSONResponse({"detail": f"widget host {origin} refused: {refusal}"}, status_code=403)
        breaker.record_failure()
        if isinstance(exc, httpx.TimeoutException):
            return unavailable(504, f"widget host {origin} did not answer in time")
        return unavailable(502, f"widget host {origin} is unreachable ({type(exc).__name__})")
    breaker.record_success()

    response_headers = {k: v for k in FORWARDED_RESPONSE_HEADERS if (v := fetched.headers.get(k))}
    if request.method == "HEAD" and (length := fetched.headers.get("content-length")):
        response_headers["content-length"] = length
    response_headers.setdefault("cache-control", "no-cache")
    response_headers["x-content-type-options"] = "nosniff"
    if media_type(fetched.headers.get("content-type")) == SVG:
        response_headers["content-security-policy"] = SVG_POLICY
    if integrity and fetched.status == 200 and request.method == "GET":
        if not await verified(gateway, widget_id, fetched.body, integrity):
            return JSONResponse(
                {"detail": f"the module of {widget_id!r} does not match the integrity its sidecar announced"},
                status_code=502,
            )
        if matches(fetched.body, integrity):  # not a rebuild found by looking again: these are its bytes
            verified_modules(request).put(cache_key, fetched.body, dict(response_headers))
            if request.query_params.get("v") == integrity:
                response_headers["cache-control"] = IMMUTABLE
                response_headers.pop("etag", None)
                response_headers.pop("last-modified", None)
    return Response(fetched.body, status_code=fetched.status, headers=response_headers)
