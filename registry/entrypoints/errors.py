"""Turn domain refusals into FastAPI-style error responses (``{"detail": [...]}``)."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from registry.domain.problems import (
    Conflict,
    Forbidden,
    ManifestInvalid,
    NotFound,
    Refused,
    TooLarge,
    Unauthenticated,
)

from .responses import json_response

STATUS = {
    ManifestInvalid: 422,
    Conflict: 409,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    TooLarge: 413,
}


async def refused(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    status = STATUS.get(type(exc), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return json_response({"detail": [p.as_dict() for p in exc.problems]}, status, headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Refused, refused)
