"""The catalogue the shell shows: the registry's widgets, reshaped for the browser.

Module and stylesheet URLs are rewritten to the dashboard's own origin
(``/widgets/{id}/{path}``) so the browser talks to one origin. The last good answer is
kept and served, marked stale, while the registry is unreachable.

The cache also holds the widgets that are ``gone`` (the registry lists them with
``status=all``), for the mesh's health (``as_json(include_gone=True)``): the shell's
catalogue, ``find`` and so the widget proxy see only live and stale ones.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dashboard.widget_path import relative_path, widget_base

Widget = dict[str, Any]
FetchWidgets = Callable[[], Awaitable[list[Widget]]]
VISIBLE = ("live", "stale")
GONE = "gone"


def status_of(widget: Widget) -> str:
    return widget.get("status") or "live"


def _first(widget: Widget, *names: str, default: Any = None) -> Any:
    for name in names:
        if widget.get(name) is not None:
            return widget[name]
    return default


def base_of(widget: Widget) -> str | None:
    module = widget.get("module")
    if not isinstance(module, str):
        return None
    return widget_base(module, widget.get("stylesheet"), widget.get("icon"))


def local_url(widget_id: str, url: str | None, base: str) -> str | None:
    path = relative_path(url, base)
    return f"/widgets/{widget_id}/{path}" if path else None


def shape_entry(widget: Widget) -> Widget | None:
    """One registry WidgetPublic → one catalogue entry, or None if it cannot be loaded."""
    widget_id = widget.get("id")
    base = base_of(widget)
    if not isinstance(widget_id, str) or base is None:
        return None
    module = local_url(widget_id, widget.get("module"), base)
    if module is None:
        return None
    return {
        "id": widget_id,
        "version": widget.get("version"),
        "label": widget.get("label") or widget_id,
        "description": widget.get("description") or "",
        "team": widget.get("team") or "",
        "tags": list(widget.get("tags") or []),
        "dataProducts": list(_first(widget, "dataProducts", "data_products", default=[])),
        "element": widget.get("element"),
        "module": module,
        "stylesheet": local_url(widget_id, widget.get("stylesheet"), base),
        "icon": local_url(widget_id, widget.get("icon"), base),
        "integrity": widget.get("integrity"),
        "status": widget.get("status") or "live",
        "lastSeen": _first(widget, "last_seen", "lastSeen"),
        "attributes": widget.get("attributes") or {"type": "object", "properties": {}},
        "emits": widget.get("emits") or {},
        "accepts": widget.get("accepts") or {},
    }


def shape_catalogue(widgets: list[Widget], include_gone: bool = False) -> list[Widget]:
    shown = (*VISIBLE, GONE) if include_gone else VISIBLE
    entries = (shape_entry(w) for w in widgets if status_of(w) in shown)
    return sorted((e for e in entries if e), key=lambda e: (e["label"].lower(), e["id"]))


@dataclass
class Snapshot:
    widgets: dict[str, Widget] = field(default_factory=dict)
    fetched_at: float | None = None
    stale: bool = True
    error: str | None = None

    def as_json(self, include_gone: bool = False) -> dict[str, Any]:
        fetched = (
            datetime.fromtimestamp(self.fetched_at, UTC).isoformat() if self.fetched_at else None
        )
        return {
            "items": shape_catalogue(list(self.widgets.values()), include_gone),
            "stale": self.stale,
            "fetchedAt": fetched,
            "error": self.error,
        }


class Catalogue:
    """Cached view of the registry's widgets with a last-good fallback."""

    def __init__(self, fetch: FetchWidgets, cache_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self._fetch = fetch
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._wall = wall
        self._checked_at: float | None = None
        self.snapshot = Snapshot()

    async def refresh(self, force: bool = False) -> Snapshot:
        now = self._clock()
        fresh = self._checked_at is not None and now - self._checked_at < self._cache_seconds
        if fresh and not force:
            return self.snapshot
        self._checked_at = now
        try:
            widgets = await self._fetch()
        except Exception as exc:  # any failure: keep the last good list, marked stale
            self.snapshot.stale = True
            self.snapshot.error = str(exc) or type(exc).__name__
            return self.snapshot
        self.snapshot = Snapshot(
            widgets={w["id"]: w for w in widgets if isinstance(w.get("id"), str)},
            fetched_at=self._wall(),
            stale=False,
        )
        return self.snapshot

    async def find(self, widget_id: str) -> Widget | None:
        """A raw registry widget by id, if live or stale; an unknown id triggers one (cache-limited) refresh."""
        widget = self.snapshot.widgets.get(widget_id)
        if widget is None:
            await self.refresh()
            widget = self.snapshot.widgets.get(widget_id)
        return widget if widget is not None and status_of(widget) in VISIBLE else None

    def apply(self, event: str, widget: Widget) -> None:
        """Keep the cache current from the registry's change feed."""
        widget_id = widget.get("id")
        if not isinstance(widget_id, str):
            return
        if event == "widget-removed" or widget.get("status") == GONE:
            known = self.snapshot.widgets.get(widget_id) or {}
            self.snapshot.widgets[widget_id] = {**known, **widget, "status": GONE}  # kept for the mesh's health
        else:
            self.snapshot.widgets[widget_id] = widget
