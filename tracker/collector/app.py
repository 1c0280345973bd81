"""The collector's ASGI application: the edge.

An outer raw-ASGI callable answers ``GET /t.gif``, ``GET /i``, ``/healthz`` and the
batch ``POST /api/v1/events`` itself — no framework per-request machinery on the hot
paths — and hands every other request to a small Starlette app (Plausible and Snowplow
POSTs, the JS snippet, stats); CORS wraps both (the pixel's CORS headers are chosen from
the ``Sender``'s Origin, read in the same pass over the headers).  Each route only
captures: it reads the ``Sender`` (``sender_of``) and the query or body, hands them to
``Intake``, and answers once the intake returns (the records are on the stream or the
spill) or 503 when neither took them.  ``create_app`` is the composition root.

Served (``tracker.entrypoints.collector.serve``), a pixel hit does not even reach this
callable: ``PixelProtocol`` captures it in the HTTP protocol through the same
``Intake.pixel_records`` and answers it with the same ``pixel_answer``, below ASGI.  This route
still answers every hit the protocol leaves to ASGI (pipelined, with a body) and every
test client that speaks ASGI.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from functools import lru_cache
from importlib.resources import files
from typing import Callable

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tracker.collector import openapi
from tracker.collector.committer import Counters, GroupCommit, NotStored
from tracker.collector.cors import Cors
from tracker.collector.enrichment import Enricher
from tracker.collector.intake import BadRequest, Intake
from tracker.collector.seen import SeenIds
from tracker.collector.sender import sender_of
from tracker.collector.settings import CollectorSettings
from tracker.collector.spill import Spill
from tracker.enrich.agent import AgentParser
from tracker.enrich.page import KEPT_QUERY_PARAMS
from tracker.enrich.salts import SaltStore
from tracker.enrich.visitor import VisitorHasher
from tracker.stream.factory import make_producer
from tracker.stream.port import Producer

log = logging.getLogger(__name__)
encode_json = msgspec.json.Encoder().encode

GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
_GIF_HEADERS = [
    (b"content-type", b"image/gif"), (b"content-length", str(len(GIF)).encode()),
    (b"cache-control", b"no-cache, no-store, must-revalidate, max-age=0"), (b"pragma", b"no-cache"),
    (b"expires", b"0"), (b"cross-origin-resource-policy", b"cross-origin"), (b"vary", b"Origin")]
GIF_START = {"type": "http.response.start", "status": 200,  # an <img> or a request without Origin
             "headers": [*_GIF_HEADERS, (b"access-control-allow-origin", b"*")]}
GIF_START_NO_CORS = {"type": "http.response.start", "status": 200, "headers": _GIF_HEADERS}  # origin not allowed
GIF_BODY = {"type": "http.response.body", "body": GIF}


ORIGIN_CACHED_MAX = 300  # a real origin: scheme, a host of at most 253 bytes, a port


def _gif_start_for(origin: bytes) -> dict:
    """The GIF's start for a (credentialed) request from an allowed origin: the origin echoed,
    credentials allowed (``*`` is refused by browsers when credentials are included)."""
    return {"type": "http.response.start", "status": 200, "headers": [*_GIF_HEADERS, *Cors.headers_for(origin)]}


gif_start_cache = lru_cache(maxsize=1024)(_gif_start_for)


def gif_start_for(origin: bytes) -> dict:
    """``_gif_start_for``, cached for origins no longer than a real one: a flood of outsized
    Origin headers is answered but never kept."""
    return gif_start_cache(origin) if len(origin) <= ORIGIN_CACHED_MAX else _gif_start_for(origin)



HEALTH_START = {"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]}
HEALTH_BODY = {"type": "http.response.body", "body": b'{"status":"ok"}'}
DEGRADED_START = {**HEALTH_START, "status": 503}


class CollectorApp:
    """The outer ASGI callable."""

    def __init__(self, intake: Intake, fallback: Callable, trust_forwarded: bool = False,
                 batch: Callable | None = None, cors: Cors | None = None) -> None:
        self.intake, self.fallback, self.trust_forwarded = intake, fallback, trust_forwarded
        self.batch = batch or fallback  # raw-ASGI POST /api/v1/events
        self.committer, self.counters = intake.committer, intake.counters
        self.clock = intake.clock
        self.cors = cors or Cors(None)

    def gif_start(self, origin: bytes) -> dict:
        """The GIF's start: ``*`` for a request naming no Origin (an ``<img>``), the origin
        echoed with credentials for an allowed one, no CORS header for any other."""
        return GIF_START if not origin else gif_start_for(origin) if self.cors.allows(origin) else GIF_START_NO_CORS

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            if path == "/t.gif" and (method == "GET" or method == "HEAD"):  # the hot path
                sender = sender_of(scope, self.trust_forwarded)
                await self.pixel(send, sender, self.intake.pixel, scope["query_string"], sender, self.clock())
                return
            if method == "POST" and path == "/api/v1/events":
                await self.batch(scope, receive, send)
                return
            if method == "GET" or method == "HEAD":
                if path == "/i":
                    await self.snowplow_pixel(scope, send)
                    return
                if path == "/healthz":
                    await self.health(send)
                    return
                if path == "/livez":  # the process serves (a liveness probe): never restart it for an outage
                    await send(HEALTH_START)
                    await send(HEALTH_BODY)
                    return
        await self.fallback(scope, receive, send)

    async def snowplow_pixel(self, scope, send) -> None:
        """``GET /i``: Snowplow's pixel, answered like ``/t.gif``; an event naming no site is a 400."""
        sender = sender_of(scope, self.trust_forwarded)
        await self.pixel(send, sender, self.intake.snowplow_pixel, scope["query_string"].decode("latin-1"), sender)

    async def pixel(self, send, sender, capture, *args) -> None:
        """Answer a pixel hit once ``capture(*args)`` has stored it (its result, when not None,
        is awaited: acknowledged only once the hit is on the stream or the spill)."""
        error = None
        try:
            stored = capture(*args)
            if stored is not None:
                await stored
        except Exception as exc:
            error = exc
        start, body = self.pixel_answer(error, sender.origin)
        await send(start)
        await send(body)

    def pixel_answer(self, error: BaseException | None, origin: bytes) -> tuple[dict, dict]:
        """A pixel hit's answer as ASGI messages (start, body), whichever way it was served
        (``pixel`` here, ``PixelProtocol`` below ASGI): the GIF once stored, else 400 / 503 /
        500 naming why not."""
        if error is None:
            return self.gif_start(origin), GIF_BODY
        if isinstance(error, BadRequest):
            return text_answer(400, str(error).encode())
        if isinstance(error, NotStored):
            return NOT_STORED
        log.error("pixel capture failed", exc_info=error)
        return FAILED

    async def health(self, send) -> None:
        """200 ``ok`` while hits go straight to the stream; 503 ``degraded`` with the reason while
        they are spilled to disk (the stream is down, or the spill is being replayed): the
        collector still takes hits, but an orchestrator or load balancer should know."""
        committer = self.committer
        if committer.healthy:
            await send(HEALTH_START)
            await send(HEALTH_BODY)
            return
        backlog = committer.spill.has_backlog()
        reason = ("stream unavailable: hits are spilled to disk" if not committer.stream_up
                  else "replaying the spill to the stream")
        await send(DEGRADED_START)
        await send({"type": "http.response.body", "body": encode_json({
            "status": "degraded", "reason": reason, "stream_up": committer.stream_up, "spill_backlog": backlog,
            "spilled": self.counters.spilled})})


def text_answer(status: int, body: bytes) -> tuple[dict, dict]:
    return ({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]},
        {"type": "http.response.body", "body": body})


NOT_STORED = text_answer(503, b"not stored, retry")
FAILED = text_answer(500, b"not stored")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise OversizeBody(int(declared))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise OversizeBody(size)
        chunks.append(chunk)
    return b"".join(chunks)


class OversizeBody(Exception):
    pass


class Disconnected(Exception):
    pass


async def receive_body(scope: dict, receive: Callable, limit: int) -> bytes:
    """The request body from raw ASGI messages, refusing more than ``limit`` bytes."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise OversizeBody(int(value))
    message = await receive()
    if message["type"] != "http.request":
        raise Disconnected
    first = message.get("body", b"")
    if len(first) > limit:
        raise OversizeBody(len(first))
    if not message.get("more_body", False):  # in one message (as the edge's JSON guard hands it on): no copy
        return bytes(first)
    body = bytearray(first)
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise Disconnected
        body += message.get("body", b"")
        if len(body) > limit:
            raise OversizeBody(len(body))
        if not message.get("more_body", False):
            return bytes(body)


async def send_json(send: Callable, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: CollectorSettings, producer: Producer | None = None,
               clock: Callable[[], float] = time.time) -> CollectorApp:
    """Wire the collector: stream producer, spill, salts, enrichment, group commit, routes."""
    producer = producer or make_producer(settings)
    counters = Counters()
    kept = KEPT_QUERY_PARAMS | {p.strip() for p in settings.allowed_query_params.split(",") if p.strip()}
    enricher = Enricher(AgentParser(settings.ua_cache_size), kept_query_params=frozenset(kept))
    spill = Spill(settings.spill_dir)
    seen = SeenIds(settings.spill_dir / "seen-ids.sqlite", settings.seen_ids_hours * 3600, settings.seen_ids_max, clock)
    committer = GroupCommit(producer, spill, counters,
                            settings.flush_interval_ms, settings.flush_max_events, settings.stream_timeout_ms,
                            settings.replay_interval_ms, seen)
    intake = Intake(VisitorHasher(SaltStore(settings.salts_dir, clock)), committer, enricher, counters,
                    settings.dnt_policy, settings.max_batch_events, clock, settings.max_json_depth, seen)
    snippet = files("tracker.static").joinpath("t.js").read_bytes()
    limit = settings.max_batch_bytes

    async def batch(scope, receive, send) -> None:
        """POST /api/v1/events on the raw ASGI path: the bulk intake, no framework per request."""
        try:
            report = await intake.batch(await receive_body(scope, receive, limit),
                                        sender_of(scope, settings.trust_forwarded_for))
        except Disconnected:
            return
        except OversizeBody:
            await send_json(send, 413, encode_json({"detail": f"body exceeds {limit} bytes"}))
            return
        except BadRequest as exc:
            await send_json(send, 400, encode_json({"detail": str(exc)}))
            return
        except NotStored as exc:
            await send_json(send, 503, encode_json({"detail": f"events not stored, retry: {exc}"}))
            return
        await send_json(send, 200 if report.rejected == 0 else 207, encode_json(report))

    def drop_in(ingest, ok_status: int):
        """A compatibility endpoint (Plausible, Snowplow): their trackers read only the status."""

        async def endpoint(request: Request) -> Response:
            try:
                await ingest(await read_body(request, limit), sender_of(request.scope, settings.trust_forwarded_for))
            except OversizeBody:
                return PlainTextResponse("payload too large", status_code=413)
            except BadRequest as exc:
                return PlainTextResponse(str(exc), status_code=400)
            except NotStored:
                return PlainTextResponse("not stored, retry", status_code=503)
            return PlainTextResponse("ok", status_code=ok_status)

        return endpoint

    plausible = drop_in(intake.plausible, 202)
    snowplow = drop_in(intake.snowplow_post, 200)

    async def script(request: Request) -> Response:
        return Response(snippet, media_type="application/javascript",
                        headers={"cache-control": "public, max-age=3600"})

    async def stats(request: Request) -> Response:
        return JSONResponse({**vars(counters), "stream_up": committer.stream_up,
                             "spill_backlog": committer.spill.has_backlog(), "buffered": len(committer.events) + len(committer.dead)})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        thresholds = gc.get_threshold()
        if settings.gc_threshold:
            gc.collect()
            gc.freeze()  # the start-up heap (parsers, regexes, caches) leaves the collector's scans
            gc.set_threshold(settings.gc_threshold, *thresholds[1:])
        await committer.start()
        try:
            yield
        finally:
            await committer.stop()
            if settings.gc_threshold:
                gc.set_threshold(*thresholds)
                gc.unfreeze()

    inner = Starlette(routes=[
        Route("/api/event", plausible, methods=["POST"]),
        Route("/com.snowplowanalytics.snowplow/tp2", snowplow, methods=["POST"]),
        Route("/t.js", script, methods=["GET", "HEAD"]),
        Route("/stats", stats, methods=["GET"]),
        openapi.route(),
    ], lifespan=lifespan)
    app = CollectorApp(intake, Cors(inner, settings.cors_origins), settings.trust_forwarded_for,
                       Cors(batch, settings.cors_origins), Cors(None, settings.cors_origins))
    return app
