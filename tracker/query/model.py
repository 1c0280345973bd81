"""What the query API asks OLAP for and what it gets back; plain values, no driver types.

Times are timezone-aware UTC datetimes. A range is half-open: ``start <= t < end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
