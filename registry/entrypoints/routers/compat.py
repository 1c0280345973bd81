"""The lab's registry routes, kept as a compatibility surface.

``POST /api/v1/registry/{id}`` with ``{"webComponent": {"jsUrl", "cssUrl", "componentId"},
"label", "tags"}`` registers (and, posted again, refreshes) a widget through the same
rules as ``PUT /api/v1/widgets/{id}``; ``GET /api/v1/registry`` lists lab-shaped entries.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from registry.domain.manifest_schema import LINE, SEMVER, SLUG
from registry.domain.problems import Problem, Refused
from registry.service_layer.views import lab_entry

from ..body import read_json
from ..deps import ListingDep, OriginHeader, ServicesDep, TeamDep
from ..responses import json_bytes, json_response

router = APIRouter(prefix="/api/v1/registry", tags=["lab compatibility"])

LAB_SCHEMA = {
    "type": "object",
    "required": ["webComponent", "label"],
    "properties": {
        "webComponent": {
            "type": "object",
            "required": ["jsUrl", "componentId"],
            "properties": {
                "jsUrl": {"type": "string", "maxLength": 2048, "pattern": LINE},
                "cssUrl": {"anyOf": [{"type": "string", "maxLength": 2048, "pattern": LINE}, {"type": "null"}]},
                "componentId": {"type": "string", "maxLength": 100},
            },
        },
        "label": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": LINE},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 32},
        "team": {"type": "string", "pattern": SLUG},
        "version": {"type": "string", "pattern": SEMVER},
        "description": {"type": "string", "maxLength": 4000},
        "ttl": {"type": "integer", "minimum": 1, "maximum": 3600},
    },
}
# where a manifest field came from in the lab's document, for error locations
_LAB_LOC = {"module": ("webComponent", "jsUrl"), "stylesheet": ("webComponent", "cssUrl"), "element": ("webComponent", "componentId")}
LAB_TEAM = "lab"


def _to_manifest(widget_id: str, raw: object, team: str | None) -> object:
    if not isinstance(raw, dict):
        return raw  # the manifest rules refuse it with a clear message
    component = raw.get("webComponent")
    component = component if isinstance(component, dict) else {}
    manifest = {
        "id": widget_id,
        "version": raw.get("version", "0.0.0"),
        "team": raw.get("team", team or LAB_TEAM),
        "label": raw.get("label"),
        "element": component.get("componentId"),
        "module": component.get("jsUrl"),
        "stylesheet": component.get("cssUrl"),
        "tags": raw.get("tags", []),
    }
    for optional in ("description", "ttl"):
        if optional in raw:
            manifest[optional] = raw[optional]
    return {k: v for k, v in manifest.items() if v is not None or k == "stylesheet"}


def _relocate(problem: Problem) -> Problem:
    if len(problem.loc) >= 2 and problem.loc[0] == "body" and problem.loc[1] in _LAB_LOC:
        return Problem(("body", *_LAB_LOC[problem.loc[1]], *problem.loc[2:]), problem.msg, problem.type)
    return problem


@router.post(
    "/{id}",
    summary="Lab compatibility: register a web component",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": LAB_SCHEMA}}}},
)
async def post_registry(
    id: Annotated[str, Path(max_length=64)], request: Request, services: ServicesDep, team: TeamDep, origin: OriginHeader = None
) -> Response:
    raw, body = await read_json(request, services.settings.max_manifest_bytes)
    try:
        lab = _to_manifest(id, raw, team)
        announced = await services.registry.announce(id, lab, origin=origin, team=team, body=body)
    except Refused as exc:
        exc.problems = [_relocate(p) for p in exc.problems]
        raise
    registry, widget = services.registry, announced.widget
    entry = {**lab_entry(widget, registry.clock(), registry.grace), "lease_expires_at": widget.lease_expires_at}
    return json_response(entry, 201 if announced.created else 200)


@router.get("", summary="Lab compatibility: list registered web components")
async def get_registry(listing: ListingDep) -> Response:
    return json_bytes(listing.lab())
