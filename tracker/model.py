"""What the query API asks OLAP for and what it gets back; plain values, no driver types.
Shared by ``tracker.query`` (which reads requests into these) and ``tracker.olap`` (which
answers them), so it sits below both, beside ``tracker.event``.

Times are timezone-aware UTC datetimes. A range is half-open: ``start <= t < end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

INTERVALS: dict[str, timedelta] = {
    "1m": timedelta(minutes=1),
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
}


@dataclass(frozen=True, slots=True)
class Range:
    site: str
    start: datetime
    end: datetime
    path: str | None = None
    referrer: str | None = None  # a referrer host, as the rollup stores it
    filters: tuple[tuple[str, str], ...] = ()  # (column, value), columns from RANGE_FILTERS: read from the events


# The other filters a series or a total may take; each is an events column of the same name.
RANGE_FILTERS = ("browser", "os", "device", "utm_source", "utm_medium", "utm_campaign")


@dataclass(frozen=True, slots=True)
class SeriesQuery:
    range: Range
    interval: str  # a key of INTERVALS


@dataclass(frozen=True, slots=True)
class TopQuery:
    range: Range
    dimension: str  # "path" | "referrer_host"
    limit: int


@dataclass(frozen=True, slots=True)
class Bucket:
    t: datetime
    views: int
    visitors: int


@dataclass(frozen=True, slots=True)
class TopItem:
    key: str
    views: int
    visitors: int


@dataclass(frozen=True, slots=True)
class Totals:
    views: int
    visitors: int


# wire name -> the TrackingEvent column it reads; the order is the order filters are listed
DIMENSIONS: dict[str, str] = {
    "page": "path",
    "referrer": "referrer_host",
    "browser": "browser",
    "os": "os",
    "device": "device",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
}
WIRE_NAME = {column: name for name, column in DIMENSIONS.items()}
HOUR = timedelta(hours=1)
VISIT_GAP = timedelta(minutes=30)  # a visitor's page views further apart than this are two visits


@dataclass(frozen=True, slots=True)
class Scope:
    """A site's counted page views in ``[start, end)`` matching every filter (column, value)."""

    site: str
    start: datetime
    end: datetime
    filters: tuple[tuple[str, str], ...] = ()  # (column, value), in DIMENSIONS order

    def filter_map(self) -> dict[str, str]:
        return dict(self.filters)

    def before(self) -> Scope:
        """The period of the same length just before this one (from 1970 at the earliest)."""
        start = max(self.start - (self.end - self.start), EARLIEST)
        return Scope(self.site, start, self.start, self.filters)


@dataclass(frozen=True, slots=True)
class BreakdownQuery:
    scope: Scope
    dimension: str  # a column, a value of DIMENSIONS
    limit: int


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    value: str
    views: int
    visitors: int


@dataclass(frozen=True, slots=True)
class Summary:
    """One period's KPIs.  ``visits`` and ``bounces`` count visits (a visitor's page views no
    more than VISIT_GAP apart) holding a page view that matches the filters; None where the
    backend cannot tell.  ``engaged_ms``: median engaged time of the matching pages' t.js
    engagement events (sent for a page shown at least 1 s), None when there are none."""

    views: int
    visitors: int
    visits: int | None = None
    bounces: int | None = None
    visit_views: int | None = None  # page views of those visits
    engaged_ms: float | None = None

    def wire(self) -> dict:
        visits = self.visits or 0
        return {
            "views": self.views, "visitors": self.visitors, "visits": self.visits,
            "views_per_visit": round(self.visit_views / visits, 3) if visits and self.visit_views is not None else None,
            "bounce_rate": round(self.bounces / visits, 4) if visits and self.bounces is not None else None,
            "engaged_median_s": round(self.engaged_ms / 1000, 1) if self.engaged_ms is not None else None,
        }
