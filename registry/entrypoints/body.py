"""Reading a JSON request body: media type, size and nesting limits, before any parsing.

Only ``application/json`` is read: an HTML form (``text/plain``, urlencoded, multipart)
can be sent cross-site by any page without a CORS preflight, so a write that accepted
it could be forged by a web page the user happens to open.
"""

from __future__ import annotations

import orjson
from fastapi import Request

from gatekeeper.json_depth import TooDeep, check_depth
from registry.domain.problems import ManifestInvalid, Problem, TooLarge, UnsupportedMediaType

JSON = "application/json"


def _too_large(limit: int) -> TooLarge:
    return TooLarge(Problem(("body",), f"document is larger than {limit} bytes", "value_error.too_large"))


def media_type_problem(content_type: str | None) -> UnsupportedMediaType | None:
    """A refusal unless ``content_type`` is ``application/json`` (parameters allowed)."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime == JSON:
        return None
    said = f"not {mime!r}" if mime else "no Content-Type was sent"
    return UnsupportedMediaType(
        Problem(("header", "content-type"), f"the body must be sent as {JSON}; {said}", "unsupported_media_type")
    )


async def read_json(request: Request, limit: int, depth: int) -> tuple[object, bytes]:
    """The decoded body and its bytes; 415 unless JSON, TooLarge past ``limit`` bytes,
    ManifestInvalid if it nests deeper than ``depth`` or is not JSON."""
    if (refusal := media_type_problem(request.headers.get("content-type"))) is not None:
        raise refusal
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        check_depth(body, depth)
    except TooDeep as exc:
        raise ManifestInvalid(Problem(("body",), str(exc), "value_error.depth")) from None
    try:
        return orjson.loads(body), body
    except orjson.JSONDecodeError as exc:
        raise ManifestInvalid(Problem(("body",), f"body is not valid JSON: {exc}", "value_error.json")) from None
