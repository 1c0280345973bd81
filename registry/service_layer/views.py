"""Public shapes of a widget: WidgetPublic (contracts.md) and the lab's compatibility entry."""

from __future__ import annotations

from datetime import datetime, timedelta

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


def lab_entry(widget: Widget, now: datetime, grace: timedelta) -> dict:
    m = widget.manifest
    return {
        "id": m.id,
        "label": m.label,
        "tags": list(m.tags),
        "webComponent": {"jsUrl": m.module, "cssUrl": m.stylesheet, "componentId": m.element},
        "status": widget.status(now, grace).value,
    }
