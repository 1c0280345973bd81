from datetime import UTC, datetime, timedelta

import pytest

from tracker.query.params import InvalidParams, bucket_count, floor, parse_time, range_query, series_query, top_query

NOW = datetime(2026, 11, 22, 10, 30, 15, tzinfo=UTC)


def fields(exc):
    return [e["loc"][-1] for e in exc.value.errors]


def test_parse_time_accepts_z_offsets_and_naive_as_utc():
    assert parse_time("2026-11-22T10:00:00Z") == datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert parse_time("2026-11-22T12:00:00+02:00") == datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert parse_time("2026-11-22T10:00:00.123") == datetime(2026, 11, 22, 10, 0, 0, 123000, tzinfo=UTC)


def test_series_defaults_to_the_last_hour_per_minute():
    q = series_query({"site": "s"}, NOW, 10_000)
    assert q.interval == "1m"
    assert q.range.end == NOW and q.range.start == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def test_from_is_floored_to_the_interval():
    q = series_query({"site": "s", "from": "2026-11-22T07:45:10Z", "to": "2026-11-22T10:00:00Z", "interval": "1h"},
                     NOW, 10_000)
    assert q.range.start == datetime(2026, 11, 22, 7, tzinfo=UTC)
    assert bucket_count(q.range.start, q.range.end, "1h") == 3


@pytest.mark.parametrize("query,field", [
    ({}, "site"),
    ({"site": "s", "from": "yesterday"}, "from"),
    ({"site": "s", "to": "2026-13-01T00:00:00Z"}, "to"),
    ({"site": "s", "interval": "5m"}, "interval"),
    ({"site": "s", "from": "2026-11-22T10:00:00Z", "to": "2026-11-22T09:00:00Z"}, "from"),
    ({"site": "s", "from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z", "interval": "1m"}, "interval"),
])
def test_bad_params_name_their_field(query, field):
    with pytest.raises(InvalidParams) as exc:
        series_query(query, NOW, 10_000)
    assert field in fields(exc)


def test_all_errors_are_reported_at_once():
    with pytest.raises(InvalidParams) as exc:
        series_query({"from": "x", "interval": "2h"}, NOW, 10)
    assert set(fields(exc)) == {"site", "from", "interval"}


def test_top_query_limit_and_default_day():
    q = top_query({"site": "s", "limit": "5"}, NOW, "path", 100)
    assert q.limit == 5 and q.range.end - q.range.start >= timedelta(days=1)
    with pytest.raises(InvalidParams) as exc:
        top_query({"site": "s", "limit": "1000"}, NOW, "path", 100)
    assert fields(exc) == ["limit"]


def test_range_query_keeps_filters():
    r = range_query({"site": "s", "path": "/a", "referrer": "g.com"}, NOW)
    assert (r.path, r.referrer) == ("/a", "g.com")


def test_floor():
    t = datetime(2026, 11, 22, 10, 30, 15, 5, tzinfo=UTC)
    assert floor(t, "1d") == datetime(2026, 11, 22, tzinfo=UTC)


def test_site_is_matched_as_the_collector_stores_it():
    """The collector lower-cases sites; a query for ``Demo.Local`` must find them."""
    assert series_query({"site": " Demo.Local "}, NOW, 10_000).range.site == "demo.local"
