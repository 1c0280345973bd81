"""``/kit/v1/…``: the widget kit's ES modules and ``.d.ts`` files (built into
``dashboard/web/dist/kit/v1`` by ``npm run build``), and the well-known topics' JSON
Schemas at ``/api/v1/schema/topics/…`` (source: ``dashboard/topics/*.json``).

``/kit/v1/`` is the major version widgets import: cached for an hour, then revalidated by
ETag, so a kit fix reaches every browser. ``/kit/v<exact>/`` names one build and is
cached as immutable. Both answer any origin (CORS ``*``): the kit is public code and a
widget's standalone page on its own host may import it.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

router = APIRouter(tags=["kit"])

KIT_MAJOR = "v1"
KIT_VERSION = "1.0.0"  # keep equal to KIT_VERSION in dashboard/web/kit/v1/index.js
TOPICS_DIR = Path(__file__).parent / "topics"
MEDIA_TYPES = {
    ".d.ts": "application/typescript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".map": "application/json",
    ".json": "application/json",
}
MAJOR_CACHE = "public, max-age=3600, stale-while-revalidate=86400"
EXACT_CACHE = "public, max-age=31536000, immutable"
SHARED = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
TOPIC_NAME = re.compile(r"^(?P<name>[a-z][a-z0-9]*(?:\.[a-z][a-z0-9]*)+)(?:@(?P<major>[0-9]{1,3}))?$")


def media_type(name: str) -> str | None:
    return next((kind for suffix, kind in MEDIA_TYPES.items() if name.endswith(suffix)), None)


def not_found(detail: str, **extra: str) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=404, headers=SHARED)


@router.api_route("/kit/{version}/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def read_kit_file(version: str, name: str, request: Request) -> Response:
    if version not in (KIT_MAJOR, f"v{KIT_VERSION}"):
        return not_found(f"no kit {version!r}; this dashboard serves /kit/{KIT_MAJOR}/ (= v{KIT_VERSION})",
                         field="version")
    kind = media_type(name)
    root = (request.app.state.web_dist / "kit" / KIT_MAJOR).resolve()
    path = (root / name).resolve()
    if kind is None or not path.is_relative_to(root) or not path.is_file():
        return not_found(f"no kit file {name!r}", field="path")
    stat = path.stat()
    body, etag = read_file(path, stat.st_mtime_ns, stat.st_size)
    headers = {"Cache-Control": MAJOR_CACHE if version == KIT_MAJOR else EXACT_CACHE, "ETag": etag, **SHARED}
    if etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    return Response(b"" if request.method == "HEAD" else body, media_type=kind,
                    headers={**headers, "Content-Length": str(len(body))})


@lru_cache(maxsize=256)
def read_file(path: Path, mtime_ns: int, size: int) -> tuple[bytes, str]:
    """A kit file and its strong ETag (a content hash), read once per change."""
    body = path.read_bytes()
    return body, f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


@lru_cache(maxsize=1)
def topic_schemas() -> dict[str, dict]:
    """Every schema in ``dashboard/topics``, by topic name (read once)."""
    schemas = [json.loads(path.read_text()) for path in sorted(TOPICS_DIR.glob("*.json"))]
    return {schema["x-topic"]: schema for schema in schemas}


@router.get("/api/v1/schema/topics")
async def list_topics() -> JSONResponse:
    items = [{"name": name, "version": schema["x-version"], "url": f"/api/v1/schema/topics/{name}",
              "description": schema["description"]} for name, schema in topic_schemas().items()]
    return JSONResponse({"items": items}, headers={"Cache-Control": "public, max-age=300"})


@router.get("/api/v1/schema/topics/{topic}")
async def read_topic(topic: str) -> JSONResponse:
    match = TOPIC_NAME.match(topic)
    if match is None:
        return JSONResponse({"detail": "topic must look like page.selected or page.selected@1", "field": "topic"},
                            status_code=422)
    schema = topic_schemas().get(match["name"])
    if schema is None or (match["major"] and int(match["major"]) != schema["x-version"]):
        return not_found(f"no well-known topic {topic!r}", field="topic")
    return JSONResponse(schema, media_type="application/schema+json", headers={"Cache-Control": "public, max-age=300"})
