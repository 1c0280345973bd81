"""Public shapes of a widget: WidgetPublic (contracts.md) and the lab's compatibility entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from registry.domain.lab import lab_service
from registry.domain.widget import Widget


def widget_public(widget: Widget, now: datetime, grace: timedelta, *, history: bool = False) -> dict:
    view = widget.manifest.document()
    view.update(
        status=widget.status(now, grace).value,
        origin=widget.manifest.origin,
        last_seen=widget.last_seen,
        lease_expires_at=widget.lease_expires_at,
        registered_at=widget.registered_at,
        updated_at=widget.updated_at,
    )
    if history:
        view["versions"] = [
            {
                "version": entry.version,
                "registered_at": entry.registered_at,
                "updated_at": entry.updated_at,
                "element": entry.manifest.element,
                "module": entry.manifest.module,
                "stylesheet": entry.manifest.stylesheet,
                "integrity": entry.manifest.integrity,
            }
            for entry in widget.versions
        ]
    return view


def static_json(widget: Widget) -> bytes:
    """The parts of WidgetPublic that change only when the widget is re-announced."""
    view = widget.manifest.document()
    view.update(origin=widget.manifest.origin, registered_at=widget.registered_at, updated_at=widget.updated_at)
    return orjson.dumps(view)


def public_json(static: bytes, widget: Widget, now: datetime, grace: timedelta) -> bytes:
    """WidgetPublic as JSON: ``static`` plus status and lease times, without re-rendering."""
    dynamic = orjson.dumps(
        {"status": widget.status(now, grace).value, "last_seen": widget.last_seen, "lease_expires_at": widget.lease_expires_at}
    )
    return static[:-1] + b"," + dynamic[1:]


def lab_entry(widget: Widget) -> dict:
    """The lab's listing entry: ``{"id", "service": {webComponent, label, tags}, "lastUpdated"}``."""
    seen = widget.last_seen.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"id": widget.id, "service": lab_service(widget.manifest.document()), "lastUpdated": seen}
