"""Versioned OLAP migrations, applied once each and recorded in ``schema_migrations``.

A migration is a list of idempotent statements, so a crash between running them
and recording the version is repaired by running them again. The events TTL is a
setting, not a migration: ``ttl_statement`` brings the table to the configured value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracker.olap import schema


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: Callable[[str, int], list[str]]  # (database, ttl_days) -> SQL


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "events table", lambda db, ttl: [schema.events_table(db, ttl)]),
    Migration(2, "per-minute site rollup", lambda db, ttl: schema.rollup_statements(db, "site_minute")),
    Migration(3, "per-minute page rollup", lambda db, ttl: schema.rollup_statements(db, "page_minute")),
    Migration(4, "per-minute referrer rollup", lambda db, ttl: schema.rollup_statements(db, "referrer_minute")),
    Migration(5, "per-hour site rollup", lambda db, ttl: schema.hourly_statements(db)),
    Migration(6, "finalised visitors of closed minutes", lambda db, ttl: schema.closed_minute_statements(db)),
    Migration(7, "per-hour breakdown rollup (dimension x filter)", lambda db, ttl: schema.breakdown_statements(db)),
    Migration(8, "site rollups in wide parts", lambda db, ttl: schema.wide_part_statements(db)),
    Migration(9, "per-hour visit pieces for KPI summaries (a cache)", lambda db, ttl: schema.visit_statements(db)),
    Migration(10, "breakdown view: its (filter, dimension) pairs as index arrays", lambda db, ttl: schema.breakdown_view_statements(db)),
    Migration(11, "breakdown rollup by hour, 4 hours and day in one table", lambda db, ttl: schema.span_statements(db)),
    Migration(12, "rollups keep a checksum of the blocks they hold (crash repair)",
              lambda db, ttl: schema.block_sum_statements(db)),
    Migration(13, "per-minute page and referrer rollups in one table", lambda db, ttl: schema.dim_minute_statements(db)),
    Migration(14, "site rollups as rows of the minute and hour rollups", lambda db, ttl: schema.site_row_statements(db)),
    Migration(15, "breakdown rollup: 12-hour spans every two hours", lambda db, ttl: schema.window_statements(db)),
)


def bootstrap_statements(db: str) -> list[str]:
    return [
        f"CREATE DATABASE IF NOT EXISTS {db}",
        f"CREATE TABLE IF NOT EXISTS {db}.schema_migrations ("
        "version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)"
        ") ENGINE = ReplacingMergeTree ORDER BY version",
    ]


def pending(applied: set[int], migrations: tuple[Migration, ...] = MIGRATIONS) -> list[Migration]:
    return [m for m in sorted(migrations, key=lambda m: m.version) if m.version not in applied]


def ttl_statement(db: str, ttl_days: int) -> str:
    if ttl_days > 0:
        return f"ALTER TABLE {db}.events MODIFY TTL toDateTime(ts) + INTERVAL {int(ttl_days)} DAY"
    return f"ALTER TABLE {db}.events REMOVE TTL"


def ttl_matches(engine_full: str, ttl_days: int) -> bool:
    """Does the table's ``engine_full`` already carry the configured TTL?"""
    if ttl_days > 0:
        n = int(ttl_days)
        return f"toIntervalDay({n})" in engine_full or f"INTERVAL {n} DAY" in engine_full
    return " TTL " not in engine_full
