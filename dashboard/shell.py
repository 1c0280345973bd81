"""The shell pages and their bundled assets (``dashboard/web/dist``, made by ``npm run build``).

``/``, ``/gallery``, ``/l/{id}``, ``/l/{id}@N`` and ``/e/{token}`` serve the editing shell
(``index.html``); ``/v/{token}`` serves the casual view (``view.html``, its own bundle with
no editor code). Pages that carry a token are never cached and send no referrer.

The editing shell's page carries what its first render needs, so nothing waits for a
round trip it could skip: ``<link rel="modulepreload">`` for the widget kit
(fetched while the shell's own bundle downloads, instead of after each widget module is
parsed) and the catalogue as the dashboard last had it (``#tessera-catalogue-seed``), so
windows import their widgets as soon as the layout is known; the shell still revalidates
the catalogue and follows its stream. ``/`` and ``/l/{id}`` also carry the layout they open and a
``modulepreload`` of its widgets' modules (``dashboard/layout_seed.py``)."""

from __future__ import annotations

import asyncio
import json
import mimetypes
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from dashboard import layout_seed
from dashboard.kit_routes import KIT_MAJOR, read_file

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


TOKEN_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def page(request: Request, html: str, script: str, headers: dict[str, str]) -> Response:
    index = dist_dir(request) / html
    if not index.is_file() or not (dist_dir(request) / script).is_file():
        return HTMLResponse(MISSING_BUILD, status_code=503, headers={"Cache-Control": "no-store"})
    return FileResponse(index, media_type="text/html", headers=headers)


KIT_FACADE = b"// kit facade:"  # build.mjs's first line of a module that only re-exports from kit.js
ASSET_MEMORY_LIMIT = 4 * 1024 * 1024  # larger assets (none today) stream from the file
SEED_WAIT_SECONDS = 0.25  # at most this long for a catalogue refresh; else the page goes without a seed


@lru_cache(maxsize=8)
def kit_preloads(kit_dir: Path, mtime_ns: int) -> str:
    """A modulepreload link per kit module with code of its own (re-read when the build changes
    the folder): ``kit.js`` and the time series (see build.mjs), not the facades that re-export
    from ``kit.js`` (the built-in widgets import ``kit.js`` itself), nor ``index.js``."""
    names = sorted(path.name for path in kit_dir.glob("*.js")
                   if path.name != "index.js" and not path.read_bytes().startswith(KIT_FACADE))
    return "".join(f'<link rel="modulepreload" href="/kit/{KIT_MAJOR}/{name}">' for name in names)


async def fresh_catalogue(request: Request) -> dict | None:
    """The catalogue as the shell's list shows it, or None when the dashboard has no fresh one at hand."""
    gateway = getattr(request.app.state, "gateway", None)
    if gateway is None:
        return None
    try:
        snapshot = await asyncio.wait_for(asyncio.shield(gateway.catalogue.refresh()), SEED_WAIT_SECONDS)
    except Exception:  # noqa: BLE001 - a timeout or an upstream failure: no seed; the shell fetches the catalogue itself
        return None
    if snapshot.fetched_at is None or snapshot.stale:
        return None
    return snapshot.as_json()


def catalogue_seed(catalogue: dict | None) -> str:
    """The catalogue as a JSON script element, or "" without one."""
    if catalogue is None:
        return ""
    body = json.dumps(catalogue, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="tessera-catalogue-seed">{body}</script>'


async def shell_page(request: Request, headers: dict[str, str], layout: str | None = None,
                     seed_layout: bool = False) -> Response:
    """The editor's page; with ``seed_layout`` it carries ``layout`` (an id; None: the first-run default)."""
    dist = dist_dir(request)
    index = dist / "index.html"
    if not index.is_file() or not (dist / "shell.js").is_file():
        return HTMLResponse(MISSING_BUILD, status_code=503, headers={"Cache-Control": "no-store"})
    kit_dir = dist / "kit" / KIT_MAJOR
    preloads = kit_preloads(kit_dir, kit_dir.stat().st_mtime_ns) if kit_dir.is_dir() else ""
    html = index.read_text(encoding="utf-8")
    layouts = getattr(request.app.state, "layouts", None) if seed_layout else None
    catalogue, seed = await asyncio.gather(fresh_catalogue(request), layout_seed.layout_seed(layouts, layout))
    widgets = layout_seed.module_preloads(seed, catalogue["items"]) if catalogue else ""
    extra = f"{preloads}{widgets}{catalogue_seed(catalogue)}{layout_seed.seed_script(seed)}"  # the kit first: every widget imports it
    html = html.replace("</head>", f"{extra}</head>", 1) if "</head>" in html else f"{html}{extra}"
    return HTMLResponse(html, headers=headers)


@router.get("/", include_in_schema=False)
async def read_shell(request: Request) -> Response:
    return await shell_page(request, {"Cache-Control": "no-cache"}, None, seed_layout="new" not in request.query_params)


@router.get("/gallery", include_in_schema=False)
async def read_gallery(request: Request) -> Response:
    return page(request, "index.html", "shell.js", {"Cache-Control": "no-cache"})


@router.get("/l/{ref}", include_in_schema=False)
async def read_layout_page(ref: str, request: Request) -> Response:
    # a past version (``id@N``) is read-only and rarely a first page: no seed
    return await shell_page(request, {"Cache-Control": "no-cache"}, ref, seed_layout="@" not in ref)


@router.get("/e/{token}", include_in_schema=False)
async def read_edit_link_page(token: str, request: Request) -> Response:
    return await shell_page(request, TOKEN_PAGE_HEADERS)


@router.get("/v/{token}", include_in_schema=False)
async def read_casual_view(token: str, request: Request) -> Response:
    return page(request, "view.html", "view.js", TOKEN_PAGE_HEADERS)


@router.api_route("/static/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def read_asset(name: str, request: Request) -> Response:
    """A bundled asset, revalidated on every use (``no-cache``, ETag). Answered from memory in one
    write (read once per build), so the shell's bundle is not sent in chunks interleaved with
    the page's other requests; a Range request goes to the file as before."""
    root = dist_dir(request).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return Response(status_code=404)
    stat = path.stat()
    if "range" in request.headers or stat.st_size > ASSET_MEMORY_LIMIT:
        return FileResponse(path, headers={"Cache-Control": "no-cache"})
    body, etag = read_file(path, stat.st_mtime_ns, stat.st_size)
    headers = {"Cache-Control": "no-cache", "ETag": etag, "Last-Modified": formatdate(stat.st_mtime, usegmt=True)}
    if etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    kind = mimetypes.guess_type(path.name)[0] or "text/plain"  # as FileResponse guesses
    return Response(body, media_type=kind, headers=headers)
