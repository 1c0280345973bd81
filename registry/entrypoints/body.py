"""Reading a JSON request body with a size limit, before any parsing."""

from __future__ import annotations

import orjson
from fastapi import Request

from registry.domain.problems import ManifestInvalid, Problem, TooLarge


def _too_large(limit: int) -> TooLarge:
    return TooLarge(Problem(("body",), f"document is larger than {limit} bytes", "value_error.too_large"))


async def read_json(request: Request, limit: int) -> tuple[object, bytes]:
    """The decoded body and its bytes; TooLarge past ``limit``, ManifestInvalid if not JSON."""
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
        return orjson.loads(body), body
    except orjson.JSONDecodeError as exc:
        raise ManifestInvalid(Problem(("body",), f"body is not valid JSON: {exc}", "value_error.json")) from None
