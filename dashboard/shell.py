"""The shell page and its bundled assets (``dashboard/web/dist``, made by ``npm run build``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(tags=["shell"])
DEFAULT_DIST = Path(__file__).parent / "web" / "dist"

MISSING_BUILD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera — front-end not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#111217;color:#d8d9da;display:grid;
place-items:center;min-height:100vh;margin:0}main{max-width:36rem;padding:2rem;border:1px solid #2c3235;
border-radius:8px;background:#181b1f}code{background:#22252b;padding:.1rem .35rem;border-radius:4px}</style>
</head><body><main><h1>Tessera's front-end is not built</h1>
<p>The dashboard could not find <code>dashboard/web/dist/</code>. Bundle the shell and the
widgets from the repository root, then reload this page:</p>
<p><code>npm install &amp;&amp; npm run build</code></p></main></body></html>"""


def dist_dir(request: Request) -> Path:
    return request.app.state.web_dist


@router.get("/", include_in_schema=False)
async def read_shell(request: Request) -> Response:
    index = dist_dir(request) / "index.html"
    if not index.is_file() or not (dist_dir(request) / "shell.js").is_file():
        return HTMLResponse(MISSING_BUILD, status_code=503, headers={"Cache-Control": "no-store"})
    return FileResponse(index, media_type="text/html", headers={"Cache-Control": "no-cache"})


@router.get("/static/{name:path}", include_in_schema=False)
async def read_asset(name: str, request: Request) -> Response:
    root = dist_dir(request).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "no-cache"})
