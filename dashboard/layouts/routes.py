"""The layouts API (``/api/v1/layouts``, ``/api/v1/shared``, ``/api/v1/schema/layout``).

Every layout answer carries ``version`` and ``ETag: "N"``; a save sends ``If-Match: "N"``.
Capabilities come as ``Authorization: Bearer <edit key | edit-link token>``. Refusals are
problem JSON ``{"detail": [{"loc", "msg", "type"}], …}`` naming the field.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, FastAPI, Query, Request, Response
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from dashboard import bus_relay_routes
from dashboard.layouts import document
from dashboard.layouts.capability import LINK_PATH
from dashboard.layouts.history import Layout, Version
from dashboard.layouts.problems import (
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    PreconditionRequired,
    Refused,
    Stale,
    TooLarge,
    Unauthenticated,
    UnsupportedMedia,
    problem,
)
from dashboard.layouts.schema import layout_schema
from dashboard.layouts.service import Created, Layouts, Saved
from gatekeeper.json_depth import TooDeep, check_depth

router = APIRouter(tags=["layouts"])
log = logging.getLogger("dashboard.layouts")
STATUS = {Invalid: 422, TooLarge: 413, Unauthenticated: 401, Forbidden: 403, NotFound: 404, Gone: 410,
          Stale: 409, PreconditionRequired: 428, UnsupportedMedia: 415}
ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')
BODY_SCHEMA = {  # flat on purpose: OpenAPI cannot hold the JSON Schema's own $defs references
    "type": "object",
    "required": ["title", "layout"],
    "properties": {"title": {"type": "string"}, "owner": {"type": "string"}, "description": {"type": "string"},
                   "layout": {"type": "object"}, "wiring": {"type": "object"}, "viewState": {"type": "object"},
                   "schemaVersion": {"type": "integer"}, "author": {"type": "string"}, "message": {"type": "string"}},
}


def _body(schema: dict, required: bool = True) -> dict:
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}


def json_response(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


def problem_response(exc: Refused) -> Response:
    status = STATUS.get(type(exc), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if isinstance(exc, Stale):
        headers["ETag"] = f'"{exc.current}"'
    body = {"detail": [p.as_dict() for p in exc.problems], **exc.extra}
    return Response(orjson.dumps(body), status_code=status, media_type="application/problem+json", headers=headers)


async def _refused(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return problem_response(exc)


async def _store_unavailable(_request: Request, exc: Exception) -> Response:
    log.warning("layouts store unavailable: %s", type(exc).__name__)
    body = {"detail": [{"loc": [], "msg": "the layouts store is unavailable; retry shortly", "type": "unavailable"}]}
    return Response(orjson.dumps(body), status_code=503, media_type="application/problem+json",
                    headers={"Retry-After": "2"})


def install(app: FastAPI) -> None:
    """The refusal handlers and the router (called by the dashboard's app factory)."""
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(DBAPIError, _store_unavailable)
    app.include_router(router)


def service(request: Request) -> Layouts:
    return request.app.state.layouts


def bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def if_match(request: Request) -> int | None:
    value = request.headers.get("if-match")
    if value is None:
        return None
    match = ETAG.match(value)
    if not match:
        raise Invalid(problem(("header", "If-Match"), 'If-Match must be the version\'s ETag, e.g. "3"',
                              "value_error.if_match"))
    return int(match.group(1))


async def read_json(request: Request, limit: int, required: bool = True) -> object:
    """The decoded body: 413 past ``limit`` bytes, 422 for deep or malformed JSON."""
    declared = request.headers.get("content-length", "")
    too_large = TooLarge(problem(("body",), f"the body is larger than {limit} bytes", "value_error.too_large"))
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        if required:
            raise Invalid(problem(("body",), "a JSON body is required", "value_error.missing"))
        return None
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMedia(problem(("header", "Content-Type"), "send the body as application/json",
                                       "value_error.media_type"))
    try:
        check_depth(raw, document.MAX_DEPTH)
    except TooDeep:
        raise Invalid(problem(("body",), f"JSON nested deeper than {document.MAX_DEPTH} levels",
                              "value_error.too_deep")) from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Invalid(problem(("body",), f"the body is not valid JSON: {exc}", "value_error.json")) from None


def etag(number: int) -> dict:
    return {"ETag": f'"{number}"', "Cache-Control": "no-cache"}


def layout_answer(layouts: Layouts, layout: Layout, version: Version) -> dict:
    return {
        "id": layout.id,
        "version": version.number,
        "latestVersion": layout.latest,
        **version.document,
        "parent": layouts.parent_of(layout),
        "parentVersion": version.parent,
        "author": version.author,
        "message": version.message,
        "contentHash": version.content_hash,
        "restoredFrom": version.restored_from,
        "createdAt": layout.created_at,
        "updatedAt": layout.updated_at,
        "savedAt": version.created_at,
    }


def created_answer(created: Created) -> dict:
    layout = created.layout
    answer = {"id": layout.id, "version": created.version.number, "editKey": created.edit_key,
              "viewUrl": LINK_PATH["view"] + created.view_token, "url": f"/l/{layout.id}",
              "title": layout.title, "contentHash": created.version.content_hash, "createdAt": layout.created_at}
    if layout.parent_id is not None:
        answer["parent"] = {"id": layout.parent_id, "version": layout.parent_version}
    return answer


def saved_answer(layout_id: str, saved: Saved) -> Response:
    body = {"id": layout_id, **saved.version.info(), "unchanged": saved.unchanged}
    return json_response(body, 200, etag(saved.version.number))


def _limit(request: Request) -> int:
    return request.app.state.settings.layout_max_bytes + 4096


@router.get("/api/v1/schema/layout", summary="The layout document's JSON Schema")
async def get_layout_schema() -> Response:
    return Response(orjson.dumps(layout_schema()), media_type="application/schema+json")


@router.post("/api/v1/layouts", status_code=201, summary="Create a layout (answers its edit key, once)",
             openapi_extra=_body(BODY_SCHEMA))
async def create_layout(request: Request) -> Response:
    body = await read_json(request, _limit(request))
    created = await run_in_threadpool(service(request).create, body)
    headers = {**etag(1), "Location": f"/api/v1/layouts/{created.layout.id}", "Cache-Control": "no-store"}
    return json_response(created_answer(created), 201, headers)


@router.get("/api/v1/layouts", summary="The gallery: layouts by owner or text, most recently updated first")
async def list_layouts(
    request: Request,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    layouts = service(request)
    for name, value in (("owner", owner), ("q", q)):
        if value and document.CONTROL.search(value):
            raise Invalid(problem(("query", name), "control characters are not allowed", "value_error.control"))
    found = await run_in_threadpool(layouts.gallery, owner, q, limit + 1, offset)
    items = [{"id": l.id, "title": l.title, "owner": l.owner, "description": l.description, "version": l.latest,
              "updated": l.updated_at, "created": l.created_at,
              "parent": {"id": l.parent_id, "version": l.parent_version} if l.parent_id else None}
             for l in found[:limit]]
    return json_response({"layouts": items, "next": offset + limit if len(found) > limit else None})


@router.get("/api/v1/layouts/{id}", summary="A layout: the latest version, or ?version=N")
async def get_layout(request: Request, id: str,
                     version: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None) -> Response:
    layouts = service(request)

    def read() -> dict:
        layout, found = layouts.read(id, version)
        return layout_answer(layouts, layout, found)

    answer = await run_in_threadpool(read)
    return json_response(answer, 200, etag(answer["version"]))


@router.put("/api/v1/layouts/{id}", summary='Save a new version (edit key or edit link; If-Match: "N")',
            openapi_extra=_body(BODY_SCHEMA))
async def save_layout(request: Request, id: str) -> Response:
    body = await read_json(request, _limit(request))
    saved = await run_in_threadpool(service(request).save, id, body, bearer(request), if_match(request))
    return saved_answer(id, saved)


@router.delete("/api/v1/layouts/{id}", status_code=204, summary="Delete (recoverable for a grace period)")
async def delete_layout(request: Request, id: str) -> Response:
    layouts = service(request)
    until = await run_in_threadpool(layouts.delete, id, bearer(request))
    # a deleted layout's live links stop: their followers' streams end
    links = await run_in_threadpool(layouts.links.for_layout, id)
    bus_relay_routes.close_for_links(request, [link.id for link in links if link.live])
    return Response(status_code=204, headers={"X-Recoverable-Until": until.isoformat()})


@router.post("/api/v1/layouts/{id}/undelete", summary="Undo a delete within the grace period")
async def undelete_layout(request: Request, id: str) -> Response:
    layout = await run_in_threadpool(service(request).undelete, id, bearer(request))
    return json_response({"id": layout.id, "version": layout.latest}, 200, etag(layout.latest))


@router.get("/api/v1/layouts/{id}/versions", summary="The history, newest first")
async def list_versions(
    request: Request, id: str,
    before: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> Response:
    layout, versions = await run_in_threadpool(service(request).versions, id, before, limit)
    items = [v.info() for v in versions]
    more = bool(items) and items[-1]["number"] > 1 and len(items) == limit
    return json_response({"id": layout.id, "latestVersion": layout.latest, "versions": items,
                          "next": items[-1]["number"] if more else None}, 200, etag(layout.latest))


@router.get("/api/v1/layouts/{id}/diff", summary="Structural diff: ?from=N&to=M, or ?against=parent")
async def diff_layout(
    request: Request, id: str,
    start: Annotated[int | None, Query(alias="from", ge=1, le=2_000_000_000)] = None,
    to: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    against: Annotated[str | None, Query(pattern="^(parent|parent-latest)$")] = None,
) -> Response:
    return json_response(await run_in_threadpool(service(request).diff, id, start, to, against))


@router.post("/api/v1/layouts/{id}/restore", summary="Append a version equal to an old one",
             openapi_extra=_body({"type": "object", "required": ["version"],
                                  "properties": {"version": {"type": "integer"}, "message": {"type": "string"},
                                                 "author": {"type": "string"}}}))
async def restore_layout(request: Request, id: str) -> Response:
    body = await read_json(request, 16384)
    saved = await run_in_threadpool(service(request).restore, id, body, bearer(request), if_match(request))
    return saved_answer(id, saved)


@router.post("/api/v1/layouts/{id}/clone", status_code=201, summary="Clone into a new layout with its own edit key",
             openapi_extra=_body({"type": "object", "properties": {
                 "version": {"type": "integer"}, "title": {"type": "string"}, "owner": {"type": "string"},
                 "description": {"type": "string"}, "author": {"type": "string"}, "message": {"type": "string"}}},
                 required=False))
async def clone_layout(request: Request, id: str) -> Response:
    body = await read_json(request, 16384, required=False)
    created = await run_in_threadpool(service(request).clone, id, body)
    headers = {**etag(1), "Location": f"/api/v1/layouts/{created.layout.id}", "Cache-Control": "no-store"}
    return json_response(created_answer(created), 201, headers)


@router.post("/api/v1/layouts/{id}/links", status_code=201, summary="Create a view or edit link (edit key only)",
             openapi_extra=_body({"type": "object", "properties": {
                 "role": {"enum": ["view", "edit"]},
                 "version": {"oneOf": [{"type": "integer"}, {"const": "latest"}]},
                 "expiresIn": {"type": ["integer", "null"]}, "viewState": {"type": "object"}}}))
async def create_link(request: Request, id: str) -> Response:
    body = await read_json(request, document.VIEW_STATE_MAX_BYTES + 4096)
    link, token = await run_in_threadpool(service(request).share, id, bearer(request), body)
    answer = {**link.describe(link.created_at), "url": LINK_PATH[link.role] + token, "token": token,
              "viewState": link.view_state}
    if link.live:  # the relay belongs to the link: its presenter gets the publish key, once
        answer["live"] = bus_relay_routes.open_for_link(request, link.id)
    return json_response(answer, 201, {"Cache-Control": "no-store"})


@router.get("/api/v1/layouts/{id}/links", summary="Live links (edit key only); ?all=true includes dead ones")
async def list_links(request: Request, id: str, all: bool = False) -> Response:
    layouts = service(request)
    links = await run_in_threadpool(layouts.list_links, id, bearer(request), all)
    now = layouts.clock()
    return json_response({"links": [link.describe(now) for link in links]})


@router.delete("/api/v1/layouts/{id}/links/{link_id}", status_code=204, summary="Revoke a link (edit key only)")
async def revoke_link(request: Request, id: str, link_id: str) -> Response:
    await run_in_threadpool(service(request).revoke, id, bearer(request), link_id)
    bus_relay_routes.close_for_links(request, [link_id])  # a live link's followers' streams end
    return Response(status_code=204)


@router.delete("/api/v1/layouts/{id}/links", status_code=204, summary="Revoke a link named by ?id= (edit key only)")
async def revoke_link_by_query(request: Request, id: str,
                               link: Annotated[str, Query(alias="id", max_length=64)]) -> Response:
    await run_in_threadpool(service(request).revoke, id, bearer(request), link)
    bus_relay_routes.close_for_links(request, [link])
    return Response(status_code=204)


@router.get("/api/v1/layouts/{id}/access", summary="What the caller's key or link may do on this layout")
async def get_access(request: Request, id: str) -> Response:
    return json_response(await run_in_threadpool(service(request).access, id, bearer(request)))


async def _shared(request: Request, token: str | None) -> Response:
    layouts = service(request)

    def read() -> dict:
        shared = layouts.open_shared(token)
        answer = layout_answer(layouts, shared.layout, shared.version)
        if shared.link.view_state:
            answer["viewState"] = shared.link.view_state
        answer["role"] = shared.link.role
        answer["link"] = shared.link.describe(layouts.clock())
        return answer

    answer = await run_in_threadpool(read)
    return json_response(answer, 200, {**etag(answer["version"]), "Cache-Control": "no-store"})


@router.get("/api/v1/shared/live", summary="Follow a live view link's presenter: SSE, the link's token as "
            "Authorization: Bearer; Last-Event-ID resumes")
async def follow_shared_live(request: Request) -> Response:
    layouts = service(request)
    link = await run_in_threadpool(layouts.follow_shared, bearer(request))
    left = (link.expires_at - layouts.clock()).total_seconds() if link.expires_at else None
    return bus_relay_routes.stream_link(request, link.id, left)  # the stream ends when the link expires


@router.get("/api/v1/shared/{token}", summary="Open a share link: the layout (pinned or latest), role, view state")
async def open_shared_link(request: Request, token: str) -> Response:
    return await _shared(request, token)


@router.get("/api/v1/shared", summary="Open a share link given as Authorization: Bearer <token>")
async def open_shared_bearer(request: Request) -> Response:
    return await _shared(request, bearer(request))
