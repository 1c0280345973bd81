"""Query-string validation for the metrics API (the gatekeeper). Pure: no web framework.

Errors are collected, each naming its field, in the shape the other services use:
``{"loc": ["query", "from"], "msg": "...", "type": "..."}``. Times are ISO-8601;
a time without an offset is taken as UTC. Ranges are half-open ``[from, to)`` and
minute-granular (the rollups' grain): ``from`` is floored to the interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tracker.model import EARLIEST, INTERVALS, RANGE_FILTERS, Range, SeriesQuery, TopQuery

# the rollups' DateTime('UTC') column holds 1970-01-01 .. 2106-02-07 (EARLIEST ..); a range must fit in it
LATEST = datetime(2106, 1, 1, tzinfo=UTC)
DEFAULT_SPAN = {"1m": timedelta(hours=1), "1h": timedelta(days=1), "1d": timedelta(days=30)}


class InvalidParams(Exception):
    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors))
        self.errors = errors


def _error(field: str, msg: str, kind: str) -> dict:
    return {"loc": ["query", field], "msg": msg, "type": kind}


def parse_time(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def floor(t: datetime, interval: str) -> datetime:
    t = t.replace(second=0, microsecond=0)
    if interval == "1h":
        return t.replace(minute=0)
    if interval == "1d":
        return t.replace(hour=0, minute=0)
    return t


def bucket_count(start: datetime, end: datetime, interval: str) -> int:
    return max(0, math.ceil((end - start) / INTERVALS[interval]))


class Params:
    """Reads one request's query parameters, collecting every error before raising."""

    def __init__(self, query: Mapping[str, str], now: datetime) -> None:
        self.query = query
        self.now = now
        self.errors: list[dict] = []

    def check(self) -> None:
        if self.errors:
            raise InvalidParams(self.errors)

    def site(self) -> str:
        site = (self.query.get("site") or "").strip().lower()  # as the collector stores it
        if not site:
            self.errors.append(_error("site", "site is required", "missing"))
        elif len(site) > 253:
            self.errors.append(_error("site", "site is longer than 253 characters", "value_error"))
        return site

    def interval(self) -> str:
        interval = self.query.get("interval") or "1m"
        if interval not in INTERVALS:
            self.errors.append(_error("interval", f"interval must be one of {', '.join(INTERVALS)}", "enum"))
            return "1m"
        return interval

    def time(self, name: str, default: datetime) -> datetime | None:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = parse_time(raw)
        except (ValueError, OverflowError):  # OverflowError: a valid date whose UTC falls outside datetime's range
            self.errors.append(_error(name, f"{name} is not an ISO-8601 date-time: {raw[:40]!r}", "datetime_parsing"))
            return None
        if not EARLIEST <= value < LATEST:
            self.errors.append(_error(name, f"{name} must be from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}",
                                      "value_error"))
            return None
        return value

    def optional(self, name: str, limit: int = 2048) -> str | None:
        value = self.query.get(name)
        if value is None:
            return None
        if len(value) > limit:
            self.errors.append(_error(name, f"{name} is longer than {limit} characters", "value_error"))
        return value

    def limit(self, default: int, maximum: int) -> int:
        raw = self.query.get("limit")
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if not 1 <= value <= maximum:
            self.errors.append(_error("limit", f"limit must be an integer from 1 to {maximum}", "value_error"))
        return value

    def range(self, interval: str, span: timedelta | None = None) -> Range | None:
        site = self.site()
        end = self.time("to", self.now)
        start = self.time("from", max((end or self.now) - (span or DEFAULT_SPAN[interval]), EARLIEST))
        path = self.optional("path")
        referrer = self.optional("referrer")
        if start is not None and end is not None and start > end:
            self.errors.append(_error("from", "from is after to", "value_error"))
        if start is None or end is None:
            return None
        return Range(site, floor(start, interval), end, path, referrer)


def with_filters(p: Params, r: Range | None) -> Range | None:
    """``r`` narrowed by every RANGE_FILTERS parameter present (an empty value filters on the
    empty value, as the breakdowns do), each validated by length."""
    found = tuple((name, value) for name in RANGE_FILTERS if (value := p.optional(name)) is not None)
    return replace(r, filters=found) if r is not None and found else r


def series_query(query: Mapping[str, str], now: datetime, max_points: int) -> SeriesQuery:
    p = Params(query, now)
    interval = p.interval()
    r = with_filters(p, p.range(interval))
    if r is not None and not p.errors:
        n = bucket_count(r.start, r.end, interval)
        if n > max_points:
            p.errors.append(_error("interval", f"{n} buckets exceed the maximum of {max_points}; "
                                   "use a coarser interval or a shorter range", "too_many_buckets"))
    p.check()
    return SeriesQuery(r, interval)


def top_query(query: Mapping[str, str], now: datetime, dimension: str, max_top: int) -> TopQuery:
    p = Params(query, now)
    r = p.range("1m", timedelta(days=1))
    limit = p.limit(10, max_top)
    p.check()
    return TopQuery(r, dimension, limit)


def range_query(query: Mapping[str, str], now: datetime) -> Range:
    p = Params(query, now)
    r = with_filters(p, p.range("1m", timedelta(days=1)))
    p.check()
    return r
