"""Reading breakdown and summary query strings: every field validated, errors name it."""

from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from tracker.olap.memory import MemoryStore
from tracker.query.app import create_app
from tracker.model import DIMENSIONS, BreakdownQuery, Scope, Summary
from tracker.query.breakdown import breakdown_query, summary_scope, whole_hours
from tracker.query.params import InvalidParams
from tracker.query.settings import QuerySettings

NOW = datetime(2026, 11, 22, 10, 30, 15, tzinfo=UTC)


def fields(exc):
    return [e["loc"][-1] for e in exc.value.errors]


def test_a_breakdown_maps_wire_names_to_columns_and_keeps_every_filter():
    q = breakdown_query({"site": "s", "dimension": "referrer", "page": "/a", "utm_campaign": "winter",
                         "referrer": "", "limit": "5"}, NOW, 100)
    assert q.dimension == "referrer_host" and q.limit == 5
    assert q.scope.filters == (("path", "/a"), ("referrer_host", ""), ("utm_campaign", "winter"))


def test_ranges_widen_to_whole_hours_and_default_to_the_last_day():
    q = breakdown_query({"site": "s", "dimension": "page"}, NOW, 100)
    assert (q.scope.start, q.scope.end) == (datetime(2026, 11, 21, 10, tzinfo=UTC),
                                            datetime(2026, 11, 22, 11, tzinfo=UTC))
    assert whole_hours(datetime(2026, 1, 1, 3, tzinfo=UTC), datetime(2026, 1, 1, 5, tzinfo=UTC)) == (
        datetime(2026, 1, 1, 3, tzinfo=UTC), datetime(2026, 1, 1, 5, tzinfo=UTC))


@pytest.mark.parametrize("query, field", [
    ({"site": "s"}, "dimension"),
    ({"site": "s", "dimension": "visitor"}, "dimension"),
    ({"site": "s", "dimension": "path"}, "dimension"),  # the column name is not a wire name
    ({"site": "s", "dimension": "page) FROM x --"}, "dimension"),
    ({"dimension": "page"}, "site"),
    ({"site": "s", "dimension": "page", "limit": "0"}, "limit"),
    ({"site": "s", "dimension": "page", "limit": "101"}, "limit"),
    ({"site": "s", "dimension": "page", "from": "yesterday"}, "from"),
    ({"site": "s", "dimension": "page", "to": "3000-01-01T00:00:00Z"}, "to"),
    ({"site": "s", "dimension": "page", "browser": "x" * 2049}, "browser"),
    ({"site": "s", "dimension": "page", "utm_medium": "x" * 2049}, "utm_medium"),
])
def test_bad_breakdown_fields_are_named(query, field):
    with pytest.raises(InvalidParams) as exc:
        breakdown_query(query, NOW, 100)
    assert field in fields(exc)


def test_every_error_is_reported_at_once_and_once():
    with pytest.raises(InvalidParams) as exc:
        breakdown_query({"dimension": "nope", "limit": "x", "referrer": "r" * 3000}, NOW, 100)
    assert sorted(fields(exc)) == ["dimension", "limit", "referrer", "site"]


def test_the_previous_period_has_the_same_length_and_stops_at_1970():
    s = summary_scope({"site": "s", "from": "2026-11-20T00:00:00Z", "to": "2026-11-22T00:00:00Z", "os": "iOS"}, NOW)
    prev = s.before()
    assert (prev.start, prev.end, prev.filters) == (datetime(2026, 11, 18, tzinfo=UTC), s.start, (("os", "iOS"),))
    early = summary_scope({"site": "s", "from": "1970-01-01T05:00:00Z", "to": "1970-01-02T00:00:00Z"}, NOW)
    assert early.before().start == datetime(1970, 1, 1, tzinfo=UTC)


def test_summary_on_the_wire_derives_rates():
    wire = Summary(views=30, visitors=9, visits=12, bounces=3, visit_views=30, engaged_ms=41234.0).wire()
    assert wire == {"views": 30, "visitors": 9, "visits": 12, "views_per_visit": 2.5, "bounce_rate": 0.25,
                    "engaged_median_s": 41.2}
    assert Summary(0, 0, 0, 0, 0, None).wire()["bounce_rate"] is None


@pytest.mark.parametrize("path", ["breakdown", "summary"])
def test_the_api_answers_422_naming_the_field(path):
    app = create_app(MemoryStore(), QuerySettings(olap_dsn="chdb:///unused"), clock=lambda: NOW)
    with TestClient(app) as c:
        r = c.get(f"/api/v1/metrics/{path}", params={"site": "s", "dimension": "colour", "from": "soon",
                                                     "device": "d" * 5000})
    assert r.status_code == 422
    named = {e["loc"][-1] for e in r.json()["detail"]}
    assert {"from", "device"} <= named and (("dimension" in named) == (path == "breakdown"))


def test_the_api_answers_on_the_fake():
    store = MemoryStore()
    app = create_app(store, QuerySettings(olap_dsn="chdb:///unused"), clock=lambda: NOW)
    with TestClient(app) as c:
        body = c.get("/api/v1/metrics/breakdown", params={"site": "s", "dimension": "utm_source"}).json()
        summary = c.get("/api/v1/metrics/summary", params={"site": "s", "page": "/"}).json()
    assert body["rows"] == [] and "watermark" in body and body["from"] == "2026-11-21T10:00:00Z"
    assert summary["current"]["views"] == 0 and summary["filters"] == {"page": "/"}
    assert summary["previous"]["to"] == summary["from"]
    assert set(DIMENSIONS) == {"page", "referrer", "browser", "os", "device", "utm_source", "utm_medium",
                               "utm_campaign"}
    assert BreakdownQuery(Scope("s", NOW, NOW), "path", 1).limit == 1
