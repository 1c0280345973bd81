"""Breakdowns and KPI summaries: what the query API asks for, what it gets back, and how
their query strings are read.  Pure: no web framework, no driver.

A breakdown groups counted page views in ``[start, end)`` (whole hours: see
``whole_hours``) by one dimension, under any filters; a summary answers the KPI tiles
(views, visitors, visits, views per visit, bounce rate, median engaged time) for a range
and the period just before it.
Dimensions and filters are named on the wire (``page``, ``referrer`` …) and map to the
event's columns here, through a fixed table: nothing else reaches the SQL as a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.query.params import EARLIEST, InvalidParams, Params

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
MAX_FILTER = 2048


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


def _error(field: str, msg: str, kind: str) -> dict:
    return {"loc": ["query", field], "msg": msg, "type": kind}


def filters(p: Params) -> tuple[tuple[str, str], ...]:
    """Every filter parameter present (an empty value filters on the empty value, e.g. direct
    traffic for ``referrer=``), validated, as (column, value)."""
    out = []
    for name, column in DIMENSIONS.items():
        value = p.query.get(name)
        if value is None:
            continue
        if len(value) > MAX_FILTER:
            if not any(e["loc"][-1] == name for e in p.errors):  # Params.range checked referrer already
                p.errors.append(_error(name, f"{name} is longer than {MAX_FILTER} characters", "value_error"))
        else:
            out.append((column, value))
    return tuple(out)


def dimension(p: Params) -> str:
    raw = p.query.get("dimension")
    if raw is None or raw == "":
        p.errors.append(_error("dimension", "dimension is required", "missing"))
        return ""
    if raw not in DIMENSIONS:
        p.errors.append(_error("dimension", f"dimension must be one of {', '.join(DIMENSIONS)}", "enum"))
        return ""
    return DIMENSIONS[raw]


def whole_hours(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` widened to whole hours, the grain of ``breakdown_hour``: a range ending
    now takes the current hour so far, a day's range reads 24 or 25 hourly rows per value and
    no events.  Answers say which range they cover (as the series floors ``from`` to its bucket)."""
    floor = start.replace(minute=0, second=0, microsecond=0)
    top = end.replace(minute=0, second=0, microsecond=0)
    return floor, top if top == end else top + HOUR


def scope(p: Params) -> Scope | None:
    r = p.range("1m", timedelta(days=1))
    found = filters(p)
    if r is None:
        return None
    return Scope(r.site, *whole_hours(r.start, r.end), found)


def breakdown_query(query: Mapping[str, str], now: datetime, max_rows: int) -> BreakdownQuery:
    p = Params(query, now)
    s = scope(p)
    dim = dimension(p)
    limit = p.limit(10, max_rows)
    p.check()
    return BreakdownQuery(s, dim, limit)


def summary_scope(query: Mapping[str, str], now: datetime) -> Scope:
    p = Params(query, now)
    s = scope(p)
    p.check()
    return s


__all__ = ["DIMENSIONS", "BreakdownQuery", "BreakdownRow", "InvalidParams", "Scope", "Summary",
           "breakdown_query", "summary_scope"]
