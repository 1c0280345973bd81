"""JSON responses rendered with orjson (datetimes become ISO-8601)."""

from __future__ import annotations

import orjson
from fastapi import Response


def json_response(data: object, status_code: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json", headers=headers)


def json_bytes(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")
