"""``/api/v1/widgets``: announce (PUT), heartbeat, deregister, read one, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response

from registry.domain.manifest_schema import MANIFEST_SCHEMA
from registry.domain.problems import ManifestInvalid, Problem
from registry.domain.status import parse_statuses
from registry.service_layer.catalogue import Filters
from registry.service_layer.views import widget_public

from ..body import media_type_problem, read_json
from ..deps import ListingDep, OriginHeader, RegistryDep, ServicesDep, TeamDep
from ..responses import json_bytes, json_response

router = APIRouter(prefix="/api/v1/widgets", tags=["widgets"])

WidgetId = Annotated[str, Path(description="Widget id", max_length=64)]
_BODY_SCHEMA = {k: v for k, v in MANIFEST_SCHEMA.items() if k != "$schema"}
_EXAMPLE = {
    "id": "page-views",
    "version": "0.1.0",
    "team": "web-analytics",
    "label": "Page views",
    "tags": ["analytics"],
    "element": "tessera-page-views",
    "module": "http://127.0.0.1:8100/page-views/dist/page-views.js",
    "attributes": {"type": "object", "properties": {"site": {"type": "string"}}},
    "emits": {"page-views-bucket-selected": {"type": "object"}},
    "dataProducts": ["tracker.pageviews"],
    "ttl": 15,
}
ERRORS = {
    401: {"description": "Missing or invalid team token"},
    403: {"description": "The widget belongs to another team (or is reserved to it after removal)"},
    404: {"description": "Unknown widget"},
    409: {"description": "Element tag or id owned by another widget/team"},
    413: {"description": "Manifest too large"},
    415: {"description": "The body is not application/json"},
    422: {"description": "Invalid manifest (each problem names its field)"},
}
HEARTBEAT_ERRORS = {
    **{k: v for k, v in ERRORS.items() if k in (401, 403, 404, 415)},
    412: {"description": "The registered manifest is not the one If-Match names: announce again with PUT"},
    428: {"description": "No If-Match: a heartbeat must name the manifest it keeps alive"},
}
IfMatch = Annotated[str | None, Header(description="The ETag the widget's PUT answered (its manifest's digest)")]


@router.put(
    "/{id}",
    summary="Register or refresh a widget (idempotent upsert; also a heartbeat)",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _BODY_SCHEMA, "example": _EXAMPLE}}}},
    responses={200: {"description": "Refreshed"}, 201: {"description": "Registered"}, **ERRORS},
)
async def put_widget(
    id: WidgetId, request: Request, services: ServicesDep, team: TeamDep, origin: OriginHeader = None
) -> Response:
    settings = services.settings
    raw, body = await read_json(request, settings.max_manifest_bytes, settings.max_json_depth)
    announced = await services.registry.announce(id, raw, origin=origin, team=team, body=body)
    w = announced.widget
    etag = services.registry.etag(w.id)
    return json_response(
        {"id": w.id, "version": w.manifest.version, "status": "live", "lease_expires_at": w.lease_expires_at, "etag": etag},
        201 if announced.created else 200,
        {"ETag": f'"{etag}"'},
    )


@router.post(
    "/{id}/heartbeat",
    summary="Renew the lease of the manifest named by If-Match (served by heartbeat_fast_path.py)",
    responses=HEARTBEAT_ERRORS,
)
async def heartbeat(id: WidgetId, request: Request, registry: RegistryDep, team: TeamDep, if_match: IfMatch = None) -> Response:
    if request.headers.get("content-type") and (refusal := media_type_problem(request.headers["content-type"])):
        raise refusal
    widget = registry.heartbeat(id, team=team, etag=if_match)
    return json_response({"lease_expires_at": widget.lease_expires_at})


@router.delete("/{id}", status_code=204, summary="Deregister a widget (its history stays)", responses=ERRORS)
async def delete_widget(id: WidgetId, registry: RegistryDep, team: TeamDep) -> Response:
    await registry.deregister(id, team=team)
    return Response(status_code=204)


@router.get("", summary="The catalogue (default: live and stale widgets)")
async def list_widgets(
    listing: ListingDep,
    team: Annotated[str | None, Query(max_length=64)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Free text over id, label, description, tags…")] = None,
    data_product: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=40, description="Comma-separated live,stale,gone or all")] = None,
) -> Response:
    try:
        statuses = parse_statuses(status)
    except ValueError:
        raise ManifestInvalid(Problem(("query", "status"), "status must be live, stale, gone (comma-separated) or all", "value_error.status")) from None
    filters = Filters(team=team or None, tag=tag or None, q=q or None, data_product=data_product or None, statuses=statuses)
    return json_bytes(listing.widgets(filters))


@router.get("/{id}", summary="One widget with its version history", responses={404: ERRORS[404]})
async def get_widget(id: WidgetId, registry: RegistryDep) -> Response:
    widget = registry.get(id)
    view = widget_public(widget, registry.clock(), registry.grace, history=True)
    return json_response(view, headers={"ETag": f'"{registry.etag(widget.id)}"'})
