"""Breakdowns and KPI summaries: how their query strings are read (the types they read into
are in ``tracker.model``).  Pure: no web framework, no driver.

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

from tracker.model import DIMENSIONS, HOUR, BreakdownQuery, Scope
from tracker.query.params import InvalidParams, Params

MAX_FILTER = 2048


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

