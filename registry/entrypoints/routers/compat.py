"""The lab's registry routes, kept as a compatibility surface (docs/security.md says who
may write through them).

``POST /api/v1/registry/{id}`` takes the lab's own body (``{"webComponent": {"jsUrl",
"cssUrl", "componentId"}, "label", "tags"}``, ``componentId`` as markup, ``tags`` a string
map), registers or refreshes the widget through the same rules and ownership as
``PUT /api/v1/widgets/{id}`` and answers 200 with the body as the lab's server echoes it;
``GET /api/v1/registry`` lists ``[{"id", "service", "lastUpdated"}]``;
``GET /api/v1/registry/{id}`` answers one entry.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from registry.domain.lab import lab_service, manifest_from_lab, relocate
from registry.domain.manifest_schema import LINE, SEMVER, SLUG
from registry.domain.problems import NotFound, Problem, Refused
from registry.domain.status import Status
from registry.service_layer.views import lab_entry

from ..body import read_json
from ..deps import ListingDep, OriginHeader, RegistryDep, ServicesDep, TeamDep
from ..responses import json_bytes, json_response

router = APIRouter(prefix="/api/v1/registry", tags=["lab compatibility"])

_URL = {"type": "string", "maxLength": 2048, "pattern": LINE}
LAB_SCHEMA = {
    "type": "object",
    "required": ["webComponent", "label"],
    "properties": {
        "webComponent": {
            "type": "object",
            "required": ["jsUrl", "componentId"],
            "properties": {
                "jsUrl": _URL,
                "cssUrl": {"anyOf": [_URL, {"type": "null"}]},
                "componentId": {
                    "type": "string",
                    "maxLength": 2000,
                    "description": "A tag name, or one element's markup: <tag-name attr=\"value\"></tag-name>",
                },
            },
        },
        "label": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": LINE},
        "tags": {
            "anyOf": [
                {"type": "object", "additionalProperties": {"type": "string"}, "description": "the lab's string map"},
                {"type": "array", "items": {"type": "string"}, "maxItems": 32},
            ]
        },
        "team": {"type": "string", "pattern": SLUG},
        "version": {"type": "string", "pattern": SEMVER},
        "description": {"type": "string", "maxLength": 4000},
        "ttl": {"type": "integer", "minimum": 1, "maximum": 3600},
    },
}
_ERRORS = {
    401: {"description": "Missing or invalid team token"},
    403: {"description": "The widget belongs to another team"},
    415: {"description": "The body is not application/json"},
    422: {"description": "Invalid document (each problem names the lab's field)"},
}


@router.post(
    "/{id}",
    summary="Lab compatibility: register or refresh a web component (200, as the lab expects)",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": LAB_SCHEMA}}}},
    responses=_ERRORS,
)
async def post_registry(
    id: Annotated[str, Path(max_length=64)], request: Request, services: ServicesDep, team: TeamDep, origin: OriginHeader = None
) -> Response:
    settings = services.settings
    raw, body = await read_json(request, settings.max_manifest_bytes, settings.max_json_depth)
    try:
        lab = manifest_from_lab(id, raw, team)
        announced = await services.registry.announce(id, lab, origin=origin, team=team, body=body)
    except Refused as exc:
        exc.problems = [relocate(p) for p in exc.problems]
        raise
    widget = announced.widget
    echo = {**lab_service(widget.manifest.document()), "lease_expires_at": widget.lease_expires_at}
    return json_response(echo, 200, {"ETag": f'"{services.registry.etag(widget.id)}"'})


@router.get("", summary="Lab compatibility: [{id, service: {webComponent, label, tags}, lastUpdated}]")
async def get_registry(listing: ListingDep) -> Response:
    return json_bytes(listing.lab())


@router.get("/{id}", summary="Lab compatibility: one entry {id, service, lastUpdated}", responses={404: {"description": "Unknown widget"}})
async def get_registry_entry(id: Annotated[str, Path(max_length=64)], registry: RegistryDep) -> Response:
    widget = registry.get(id)
    if widget.status(registry.clock(), registry.grace) is Status.GONE:
        raise NotFound(Problem(("path", "id"), f"no live widget {id!r}", "not_found"))
    return json_response(lab_entry(widget))
