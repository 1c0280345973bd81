"""``GET /healthz``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..responses import json_response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="200 once the registry can do its work")
async def healthz() -> Response:
    return json_response({"status": "ok"})
