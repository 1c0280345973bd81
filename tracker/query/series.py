"""Zero-filled series: every bucket of the range is present, empty ones with zeros. Pure."""

from __future__ import annotations

from datetime import datetime

from tracker.model import INTERVALS, Bucket


def bucket_starts(start: datetime, end: datetime, interval: str) -> list[datetime]:
    step = INTERVALS[interval]
    out, t = [], start
    while t < end:
        out.append(t)
        t += step
    return out


def zero_filled(buckets: list[Bucket], start: datetime, end: datetime, interval: str) -> list[Bucket]:
    starts = bucket_starts(start, end, interval)
    if len(buckets) == len(starts) and all(b.t == t for b, t in zip(buckets, starts)):
        return list(buckets)  # nothing to fill (a busy site's day)
    found = {b.t: b for b in buckets}
    return [found.get(t) or Bucket(t, 0, 0) for t in starts]
