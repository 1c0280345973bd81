from datetime import UTC, datetime, timedelta

from tracker.model import Bucket
from tracker.query.series import bucket_starts, zero_filled

T = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_every_bucket_is_present_with_zeros():
    got = zero_filled([Bucket(T + timedelta(minutes=2), 5, 3)], T, T + timedelta(minutes=4), "1m")
    assert [(b.views, b.visitors) for b in got] == [(0, 0), (0, 0), (5, 3), (0, 0)]


def test_end_is_exclusive_and_partial_last_bucket_included():
    assert len(bucket_starts(T, T + timedelta(hours=2), "1h")) == 2
    assert len(bucket_starts(T, T + timedelta(hours=2, seconds=1), "1h")) == 3
    assert bucket_starts(T, T, "1d") == []
