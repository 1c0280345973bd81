"""The in-memory read model: every widget by id, element ownership, filtered listing.

The metadata store is the record; this catalogue is loaded from it at start and kept
in step by the service, so reads and heartbeats never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from registry.domain.manifest import manifest_digest
from registry.domain.status import Status
from registry.domain.widget import Widget

from .views import static_json


@dataclass(frozen=True, slots=True)
class Filters:
    team: str | None = None
    tag: str | None = None
    q: str | None = None
    data_product: str | None = None
    statuses: frozenset[Status] = frozenset({Status.LIVE, Status.STALE})


class Catalogue:
    def __init__(self, widgets: list[Widget] = ()) -> None:
        self.widgets: dict[str, Widget] = {}
        self._text: dict[str, str] = {}
        self._static: dict[str, bytes] = {}
        self._etags: dict[str, str] = {}
        self.generation = 0  # bumped on every change a listing can see (not on heartbeats)
        for widget in widgets:
            self.put(widget)

    def __len__(self) -> int:
        return len(self.widgets)

    def get(self, widget_id: str) -> Widget | None:
        return self.widgets.get(widget_id)

    def put(self, widget: Widget) -> None:
        m = widget.manifest
        self.widgets[m.id] = widget
        parts = [m.id, m.team, m.label, m.description, m.element, *m.tags, *m.data_products]
        self._text[m.id] = "\n".join(parts).casefold()
        self._static.pop(m.id, None)
        self._etags[m.id] = manifest_digest(m)
        self.generation += 1

    def etag(self, widget_id: str) -> str:
        """The digest of the manifest registered under ``widget_id`` now ("" if none)."""
        return self._etags.get(widget_id, "")

    def static_json(self, widget: Widget) -> bytes:
        """The widget's unchanging JSON fragment, rendered once per announcement."""
        static = self._static.get(widget.id)
        if static is None:
            static = self._static[widget.id] = static_json(widget)
        return static

    def touch(self) -> None:
        self.generation += 1

    def element_owner(self, element: str, now: datetime, grace: timedelta, *, besides: str) -> Widget | None:
        """The widget (other than ``besides``) that holds ``element`` and is not gone."""
        for widget in self.widgets.values():
            if widget.manifest.element == element and widget.id != besides:
                if widget.status(now, grace) is not Status.GONE:
                    return widget
        return None

    def select(self, filters: Filters, now: datetime, grace: timedelta) -> list[Widget]:
        tag = filters.tag.casefold() if filters.tag else None
        q = filters.q.casefold() if filters.q else None
        chosen = []
        for widget_id in sorted(self.widgets):
            widget = self.widgets[widget_id]
            m = widget.manifest
            if filters.team and m.team != filters.team:
                continue
            if tag and tag not in (t.casefold() for t in m.tags):
                continue
            if filters.data_product and filters.data_product not in m.data_products:
                continue
            if q and q not in self._text[widget_id]:
                continue
            if widget.status(now, grace) not in filters.statuses:
                continue
            chosen.append(widget)
        return chosen
