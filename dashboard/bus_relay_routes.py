"""``/api/v1/live``: the follow-the-presenter relay over HTTP.

- ``POST /api/v1/live`` → 201 ``{id, publishKey, eventsUrl}`` (a presenter starts a relay).
- ``POST /api/v1/live/{id}/messages`` with ``Authorization: Bearer <publishKey>`` and
  ``{topic, payload, source}`` → 202 ``{seq}``; followers hold only the id, so they cannot.
- ``GET /api/v1/live/{id}/events`` → SSE (``event: message``, ``id: <seq>``, data = the
  message); ``Last-Event-ID`` resumes; a new follower first gets the current value of
  each topic.
- ``DELETE /api/v1/live/{id}`` (publish key) ends it; followers' streams end.

A live view link (``POST /api/v1/layouts/{id}/links`` with ``live: true``) owns its relay:
the create answer carries ``live: {relay, publishKey, messagesUrl}``; followers read
``GET /api/v1/shared/live`` with the link's token as ``Authorization: Bearer`` (the relay
id alone is refused, 403); ``POST /api/v1/layouts/{id}/links/{link_id}/live`` (edit key)
reopens it for a presenter who reloaded (a new publish key); revoking the link, or
deleting the layout, closes it.
Errors are problem JSON naming the field.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sse_starlette.sse import EventSourceResponse, ServerSentEvent

from starlette.concurrency import run_in_threadpool

from dashboard.bus_relay import RelayError, RelayHub
from gatekeeper.json_depth import TooDeep, check_depth

router = APIRouter(tags=["live"])
MAX_BODY = 64 * 1024
MAX_DEPTH = 32


def hub(request: Request) -> RelayHub:
    app = request.app
    if not hasattr(app.state, "relays"):
        app.state.relays = RelayHub()
    return app.state.relays


def problem(status: int, msg: str, loc: list, kind: str) -> JSONResponse:
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": kind}]}, status_code=status,
                        media_type="application/problem+json")


def refused(error: RelayError) -> JSONResponse:
    kinds = {403: "forbidden", 404: "not_found", 422: "value_error", 429: "too_many"}
    loc = error.field.split(".") if error.field else []
    if loc and loc[0] not in ("body", "header", "path"):
        loc = ["header" if error.field == "authorization" else "path", *loc]
    return problem(error.status, str(error), loc, kinds.get(error.status, "error"))


def bearer(request: Request) -> str:
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def live_answer(relay_id: str, key: str) -> dict:
    """What a live link's presenter holds: the relay and its publish key (never shown to followers)."""
    return {"relay": relay_id, "publishKey": key, "messagesUrl": f"/api/v1/live/{relay_id}/messages",
            "eventsUrl": "/api/v1/shared/live"}


def open_for_link(request: Request, link_id: str) -> dict | None:
    """Open (or take over) the relay of live link ``link_id``; None when too many relays are open."""
    try:
        return live_answer(*hub(request).open(link_id))
    except RelayError:
        return None


def close_for_links(request: Request, link_ids) -> None:
    relays = getattr(request.app.state, "relays", None)
    if relays is not None:
        for link_id in link_ids:
            relays.close_link(link_id)


def stream_link(request: Request, link_id: str, seconds: float | None = None) -> Response:
    """The SSE stream of live link ``link_id``'s relay (the caller has checked the link's token);
    it ends after ``seconds`` when the link expires then."""
    try:
        relay = hub(request).for_link(link_id)
    except RelayError as error:
        return refused(error)
    return _stream(request, relay.id, seconds)


@router.post("/api/v1/layouts/{id}/links/{link_id}/live", status_code=201,
             summary="(Re)open a live view link's relay for its presenter (edit key); a new publish key")
async def open_link_relay(id: str, link_id: str, request: Request) -> Response:
    link = await run_in_threadpool(request.app.state.layouts.live_link, id, bearer(request) or None, link_id)
    try:
        answer = live_answer(*hub(request).open(link.id))
    except RelayError as error:
        return refused(error)
    return JSONResponse(answer, status_code=201, headers={"Cache-Control": "no-store"})


@router.post("/api/v1/live", status_code=201)
async def open_relay(request: Request) -> Response:
    try:
        relay_id, key = hub(request).open()
    except RelayError as error:
        return refused(error)
    return JSONResponse({"id": relay_id, "publishKey": key, "eventsUrl": f"/api/v1/live/{relay_id}/events"},
                        status_code=201, headers={"Cache-Control": "no-store"})


@router.post("/api/v1/live/{relay_id}/messages", status_code=202)
async def publish(relay_id: str, request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY:
        return problem(413, f"a message is at most {MAX_BODY} bytes", ["body"], "value_error.too_large")
    try:
        check_depth(body, MAX_DEPTH)
        message = json.loads(body)
    except TooDeep:
        return problem(422, f"nested deeper than {MAX_DEPTH} levels", ["body"], "value_error.too_deep")
    except ValueError:
        return problem(422, "the body is not JSON", ["body"], "value_error.json")
    try:
        seq = hub(request).publish(relay_id, bearer(request), message)
    except RelayError as error:
        return refused(error)
    return JSONResponse({"seq": seq}, status_code=202)


@router.delete("/api/v1/live/{relay_id}", status_code=204)
async def close_relay(relay_id: str, request: Request) -> Response:
    try:
        hub(request).close(relay_id, bearer(request))
    except RelayError as error:
        return refused(error)
    return Response(status_code=204)


@router.get("/api/v1/live/{relay_id}/events")
async def follow(relay_id: str, request: Request) -> Response:
    try:
        hub(request).public(relay_id)
    except RelayError as error:
        return refused(error)
    return _stream(request, relay_id)


def _stream(request: Request, relay_id: str, seconds: float | None = None) -> Response:
    raw = request.headers.get("last-event-id")
    last = int(raw) if raw and raw.isdigit() and len(raw) < 16 else None
    relays = hub(request)

    async def events():
        try:
            async for seq, message in relays.follow(relay_id, last, seconds):
                yield ServerSentEvent(data=json.dumps(message, separators=(",", ":")), event="message", id=str(seq))
        except RelayError as error:
            yield ServerSentEvent(data=json.dumps({"detail": str(error)}), event="refused")

    return EventSourceResponse(events(), ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
