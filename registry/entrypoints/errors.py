"""Turn domain refusals into FastAPI-style error responses (``{"detail": [...]}``)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from sqlalchemy.exc import DBAPIError

from registry.domain.problems import (
    Conflict,
    DigestRequired,
    Forbidden,
    ManifestInvalid,
    NotFound,
    Refused,
    StaleManifest,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)

from .responses import json_response

log = logging.getLogger("registry")

STATUS = {
    ManifestInvalid: 422,
    Conflict: 409,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    TooLarge: 413,
    UnsupportedMediaType: 415,
    StaleManifest: 412,
    DigestRequired: 428,
}


def problem_parts(exc: Refused) -> tuple[int, dict, dict | None]:
    """Status, body and extra headers for a refusal."""
    status = STATUS.get(type(exc), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return status, {"detail": [p.as_dict() for p in exc.problems]}, headers


async def refused(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    status, body, headers = problem_parts(exc)
    return json_response(body, status, headers)


async def store_unavailable(_request: Request, exc: Exception) -> Response:
    log.warning("metadata store unavailable: %s", exc)
    detail = [{"loc": [], "msg": "the registry's metadata store is unavailable; retry shortly", "type": "unavailable"}]
    return json_response({"detail": detail}, 503, {"Retry-After": "2"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(DBAPIError, store_unavailable)
