"""The layout an editor page opens, carried in the page itself.

``/`` carries the first-run default (owner "Tessera", title "Web analytics": what the shell
would find through the gallery) and ``/l/{id}`` that layout's latest version, each exactly as
``GET /api/v1/layouts/{id}`` answers it, as a JSON script element (``#tessera-layout-seed``),
plus a ``modulepreload`` of each window's widget module (under its announced integrity, the
URL the shell imports). The shell then opens the layout without the two round trips to the
layouts API, and the widgets' modules download beside the shell's own bundle instead of
after it. The shell checks the seed before using it and fetches the layout when it does not
fit (see ``dashboard/web/src/layouts/seed.js``); nothing is seeded when the store is slow or
the layout is missing, deleted or a past version.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterable
from urllib.parse import quote_plus

import orjson

from dashboard.layouts import document
from dashboard.layouts.routes import layout_answer
from dashboard.layouts.service import Layouts

DEFAULT_OWNER = "Tessera"
DEFAULT_TITLE = "Web analytics"
SEED_ID = "tessera-layout-seed"
WAIT_SECONDS = 0.25  # at most this long for the store; else the page goes without a seed


def default_layout_id(layouts: Layouts) -> str | None:
    """The first-run layout, found as the shell finds it (the gallery's first 50, newest first)."""
    found = layouts.gallery(DEFAULT_OWNER, DEFAULT_TITLE, 50, 0)
    return next((l.id for l in found if l.owner == DEFAULT_OWNER and l.title == DEFAULT_TITLE), None)


def read_seed(layouts: Layouts, layout_id: str | None) -> dict | None:
    """``{"default": bool, "layout": <the API's answer>}`` for ``layout_id`` (None: the default)."""
    default = layout_id is None
    layout_id = default_layout_id(layouts) if default else layout_id
    if layout_id is None:
        return None
    layout, version = layouts.read(layout_id)
    return {"default": default, "layout": layout_answer(layouts, layout, version)}


async def layout_seed(layouts: Layouts | None, layout_id: str | None) -> dict | None:
    if layouts is None:
        return None
    try:
        return await asyncio.wait_for(asyncio.to_thread(read_seed, layouts, layout_id), WAIT_SECONDS)
    except Exception:  # noqa: BLE001 - missing, gone, a slow or failing store: the shell asks the API itself
        return None


def seed_script(seed: dict | None) -> str:
    if seed is None:
        return ""
    body = orjson.dumps(seed).decode().replace("<", "\\u003c")  # the API's own encoding
    return f'<script type="application/json" id="{SEED_ID}">{body}</script>'


def windows(answer: dict) -> list[tuple[str, str | None]]:
    """(widgetId, pinned version) of each window, in layout order."""
    found = []
    for _, item in document.windows(answer.get("layout") or {}):
        state = item.get("componentState") if isinstance(item.get("componentState"), dict) else {}
        if isinstance(state.get("widgetId"), str):
            found.append((state["widgetId"], state.get("version") if isinstance(state.get("version"), str) else None))
    return found


def import_url(entry: dict) -> str | None:
    """The URL the shell imports ``entry``'s module from (``moduleUrl`` in widget-module.js):
    its same-origin path with ``?v=<integrity>``, encoded as ``URLSearchParams`` encodes it."""
    module, integrity = entry.get("module"), entry.get("integrity")
    if not isinstance(module, str) or not module.startswith("/") or module.startswith("//") or not integrity:
        return None
    if any(c in module for c in "?#\\") or not isinstance(integrity, str):
        return None
    return f"{module}?v={quote_plus(integrity, safe='*').replace('~', '%7E')}"


def module_preloads(seed: dict | None, entries: Iterable[dict]) -> str:
    """A ``modulepreload`` (with its integrity) per widget module the seeded layout's windows import."""
    if seed is None:
        return ""
    by_id = {e["id"]: e for e in entries if isinstance(e.get("id"), str)}
    links, seen = [], set()
    for widget_id, pinned in windows(seed["layout"]):
        entry = by_id.get(widget_id)
        if entry is None or (pinned and entry.get("version") and pinned != entry["version"]):
            continue  # a placeholder, not an import (the shell's rule)
        url = import_url(entry)
        if url and url not in seen:
            seen.add(url)
            links.append(f'<link rel="modulepreload" href="{html.escape(url)}" '
                         f'integrity="{html.escape(entry["integrity"])}">')
    return "".join(links)
