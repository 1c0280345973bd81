"""Things that happened to widgets (past tense), as published on the change feed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    REGISTERED = "widget-registered"
    UPDATED = "widget-updated"
    STALE = "widget-stale"
    REMOVED = "widget-removed"


@dataclass(frozen=True, slots=True)
class WidgetChanged:
    kind: Kind
    widget_id: str
    data: dict  # the WidgetPublic view at the time of the change
