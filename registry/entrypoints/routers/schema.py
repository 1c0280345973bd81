"""``GET /api/v1/schema/manifest``: the widget manifest's JSON Schema."""

from __future__ import annotations

from fastapi import APIRouter, Response

from registry.domain.manifest_schema import MANIFEST_SCHEMA

from ..responses import json_response

router = APIRouter(prefix="/api/v1/schema", tags=["schema"])


@router.get("/manifest", summary="The widget manifest's JSON Schema")
async def manifest_schema() -> Response:
    return json_response(MANIFEST_SCHEMA, headers={"Content-Type": "application/schema+json"})
