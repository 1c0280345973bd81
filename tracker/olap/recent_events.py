"""Recent page views, newest first: what a live feed shows, read from the events table.

A page view here is what the rollups count (``pageview``, not a bot). Only fields that say
nothing about who the visitor is leave this module: no visitor hash, no user agent, no
full URL or referrer URL (their query strings may carry anything), no props.
``reader_for`` picks the adapter for the store the query service already has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from tracker.olap.port import OlapUnavailable


@dataclass(frozen=True, slots=True)
class RecentEvent:
    event_id: str
    ts: datetime
    path: str
    referrer_host: str
    device: str
    browser: str
    os: str

    @property
    def cursor(self) -> tuple[datetime, str]:
        return self.ts, self.event_id


class RecentEventsReader(Protocol):
    def newest(self, site: str, since: datetime, limit: int) -> list[RecentEvent]:
        """At most ``limit`` page views of ``site`` at or after ``since``, newest first."""
        ...


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NEWEST = (
    "SELECT toString(event_id), ts, path, referrer_host, device, browser, os FROM {db}.events "
    "WHERE site = {{site:String}} AND ts >= {{since:DateTime64(3, 'UTC')}} AND name = 'pageview' AND NOT is_bot "
    "ORDER BY ts DESC, event_id DESC LIMIT 1 BY event_id LIMIT {{limit:UInt32}}"
)


class ClickHouseRecentEvents:
    """Over a ``ClickHouseStore``: its client, under its lock (one query at a time)."""

    def __init__(self, store) -> None:
        self.store = store

    def newest(self, site: str, since: datetime, limit: int) -> list[RecentEvent]:
        text = NEWEST.format(db=self.store.db)
        parameters = {"site": site, "since": _utc(since).replace(tzinfo=None), "limit": int(limit)}
        with self.store.lock:
            try:
                rows = self.store.client.query(text, parameters=parameters).result_rows
            except Exception as exc:  # driver errors stop here
                raise OlapUnavailable(str(exc)) from exc
        return [RecentEvent(str(i), _utc(t), p, r, d, b, o) for i, t, p, r, d, b, o in rows]


class MemoryRecentEvents:
    """Over a ``MemoryStore`` (tests and the in-memory default)."""

    def __init__(self, store) -> None:
        self.store = store

    def newest(self, site: str, since: datetime, limit: int) -> list[RecentEvent]:
        if not self.store.available:
            raise OlapUnavailable("memory store switched off")
        seen: dict[str, RecentEvent] = {}
        for e, *_ in self.store.rows:
            ts = _utc(e.ts)
            if e.site == site and ts >= since and e.name == "pageview" and not e.is_bot:
                seen[str(e.event_id)] = RecentEvent(str(e.event_id), ts, e.path, e.referrer_host, e.device, e.browser, e.os)
        return sorted(seen.values(), key=lambda r: r.cursor, reverse=True)[:limit]


class NoRecentEvents:
    """A store that cannot list single events (e.g. one serving rollups only): an empty feed."""

    def newest(self, site: str, since: datetime, limit: int) -> list[RecentEvent]:
        return []


def reader_for(source) -> RecentEventsReader:
    from tracker.olap.clickhouse import ClickHouseStore
    from tracker.olap.memory import MemoryStore

    if isinstance(source, ClickHouseStore):
        return ClickHouseRecentEvents(source)
    if isinstance(source, MemoryStore):
        return MemoryRecentEvents(source)
    return NoRecentEvents()
