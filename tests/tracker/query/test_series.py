from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tracker.model import INTERVALS, Bucket
from tracker.query.series import bucket_starts, zero_filled

T = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_every_bucket_is_present_with_zeros():
    got = zero_filled([Bucket(T + timedelta(minutes=2), 5, 3)], T, T + timedelta(minutes=4), "1m")
    assert [(b.views, b.visitors) for b in got] == [(0, 0), (0, 0), (5, 3), (0, 0)]


def test_end_is_exclusive_and_partial_last_bucket_included():
    assert len(bucket_starts(T, T + timedelta(hours=2), "1h")) == 2
    assert len(bucket_starts(T, T + timedelta(hours=2, seconds=1), "1h")) == 3
    assert bucket_starts(T, T, "1d") == []


# -- points: the API's shape, the times formatted in bulk -----------------------------------
import pytest  # noqa: E402

from tracker.query.series import iso_starts, points  # noqa: E402
from tracker.query.wire import iso  # noqa: E402


@pytest.mark.parametrize("start", [
    T, T + timedelta(seconds=30), T + timedelta(milliseconds=5), T + timedelta(microseconds=999_999),
    T + timedelta(microseconds=400), datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 0, tzinfo=timezone(timedelta(hours=2))),
    datetime(2026, 3, 29, 0, 0, tzinfo=ZoneInfo("Europe/Berlin")),  # daylight saving starts that night
])
@pytest.mark.parametrize("interval", ["1m", "1h", "1d"])
def test_points_equal_the_buckets_formatted_one_by_one(start, interval):
    end = start + 40 * INTERVALS[interval] + timedelta(seconds=1)
    buckets = [Bucket(start + k * INTERVALS[interval], k + 1, k) for k in range(0, 41, 3)]
    filled = zero_filled(buckets, start, end, interval)
    assert points(buckets, start, end, interval) == [
        {"t": iso(b.t), "views": b.views, "visitors": b.visitors} for b in filled]
    assert len(filled) == 41


def test_iso_starts_are_wire_iso():
    assert iso_starts(T, 2, "1m") == [iso(T), iso(T + timedelta(minutes=1))] == ["2026-11-22T10:00:00Z",
                                                                                "2026-11-22T10:01:00Z"]
    assert iso_starts(T + timedelta(microseconds=1500), 1, "1h") == ["2026-11-22T10:00:00.001Z"]
    assert iso_starts(T, 0, "1d") == []
