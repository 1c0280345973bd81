"""Liveness: a widget is live while its lease holds, stale for a grace period, then gone."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    LIVE = "live"
    STALE = "stale"
    GONE = "gone"


def status_at(
    now: datetime,
    *,
    lease_expires_at: datetime,
    grace: timedelta,
    removed_at: datetime | None = None,
) -> Status:
    """Status at ``now``: deregistered → gone; before expiry → live; within grace → stale."""
    if removed_at is not None:
        return Status.GONE
    if now < lease_expires_at:
        return Status.LIVE
    if now < lease_expires_at + grace:
        return Status.STALE
    return Status.GONE


def parse_statuses(text: str | None) -> frozenset[Status]:
    """``"live,stale"`` → {LIVE, STALE}; ``"all"`` → every status; None → live and stale."""
    if text is None or text == "":
        return frozenset({Status.LIVE, Status.STALE})
    if text == "all":
        return frozenset(Status)
    return frozenset(Status(part.strip()) for part in text.split(","))
