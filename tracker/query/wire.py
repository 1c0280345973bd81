"""How values look on the wire: ISO-8601 UTC with a ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    t = t.astimezone(UTC)
    if t.microsecond:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
