"""The Pinot adapter against recorded broker responses (no Pinot can run here).

The fixtures follow the broker's ``POST /query/sql`` response format; the mock
transport checks the SQL pinotdb sends.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pinotdb import connect

from tracker.olap.pinot import PinotSource
from tracker.olap.port import OlapUnavailable
from tracker.model import Range, SeriesQuery, TopQuery

FIXTURES = Path(__file__).parent / "fixtures" / "pinot"
R = Range("demo.local", datetime(2026, 11, 22, 10, tzinfo=UTC), datetime(2026, 11, 22, 11, tzinfo=UTC))


def source(reply: str, seen: list):
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/query/sql" and request.method == "POST"
        seen.append(json.loads(request.content)["sql"])
        return httpx.Response(200, json=json.loads((FIXTURES / reply).read_text()))

    session = httpx.Client(transport=httpx.MockTransport(handler))
    return PinotSource(connect(host="broker", port=8099, session=session), "tessera_events")


def test_series_sql_and_parsing():
    seen = []
    buckets = source("series_1m.json", seen).series(SeriesQuery(R, "1m"))
    sql = seen[0]
    assert "DATETRUNC('MINUTE', ts)" in sql and "DISTINCTCOUNTHLL(visitor)" in sql
    assert "site = 'demo.local'" in sql and "ts >= 1795341600000" in sql and "ts < 1795345200000" in sql
    assert "name = 'pageview' AND is_bot = false" in sql and "LIMIT" in sql
    assert [(b.t, b.views, b.visitors) for b in buckets][0] == (datetime(2026, 11, 22, 10, tzinfo=UTC), 42, 17)
    assert len(buckets) == 3


def test_top_escapes_filters():
    seen = []
    r = Range(R.site, R.start, R.end, referrer="o'hara.example")
    items = source("top_pages.json", seen).top(TopQuery(r, "path", 3))
    assert "referrer_host = 'o''hara.example'" in seen[0]
    assert "GROUP BY path ORDER BY COUNT(*) DESC, path LIMIT 3" in seen[0]
    assert items[2].key == "/blog/o'reilly" and items[0].views == 120


def test_totals_and_watermark():
    seen = []
    t = source("totals.json", seen).totals(R)
    assert (t.views, t.visitors) == (173, 88)
    w = source("watermark.json", seen).watermark()
    assert w == datetime(2026, 11, 22, 10, 3, 5, 123000, tzinfo=UTC)
    assert source("empty_watermark.json", seen).watermark() is None


def test_broker_exception_is_olap_unavailable():
    with pytest.raises(OlapUnavailable, match="TableDoesNotExist"):
        source("table_missing.json", []).totals(R)


def test_broker_down_is_olap_unavailable():
    def handler(request):
        raise httpx.ConnectError("connection refused")

    s = PinotSource(connect(host="broker", port=8099, session=httpx.Client(transport=httpx.MockTransport(handler))))
    with pytest.raises(OlapUnavailable):
        s.series(SeriesQuery(R, "1h"))


def replies(names: list[str], seen: list):
    """A source whose broker answers the recorded responses in order, one per query."""
    queue = list(names)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["sql"])
        return httpx.Response(200, json=json.loads((FIXTURES / queue.pop(0)).read_text()))

    return PinotSource(connect(host="broker", port=8099, session=httpx.Client(transport=httpx.MockTransport(handler))))


def test_breakdown_sql_binds_every_filter_and_names_only_known_columns():
    from tracker.model import BreakdownQuery, Scope

    seen = []
    s = Scope(R.site, R.start, R.end, (("path", "/o'reilly"), ("utm_campaign", "winter' OR 1=1 --")))
    rows = source("breakdown_browser.json", seen).breakdown(BreakdownQuery(s, "browser", 3))
    sql = seen[0]
    assert "path = '/o''reilly'" in sql and "utm_campaign = 'winter'' OR 1=1 --'" in sql
    assert "name = 'pageview' AND is_bot = false" in sql and "ts >= 1795341600000" in sql
    assert "GROUP BY browser ORDER BY COUNT(*) DESC, browser LIMIT 3" in sql
    assert [(r.value, r.views, r.visitors) for r in rows] == [("Chrome", 81, 40), ("Safari", 30, 22),
                                                              ("Firefox", 12, 9)]
    with pytest.raises(ValueError, match="not a breakdown dimension"):
        source("breakdown_browser.json", []).breakdown(BreakdownQuery(s, "visitor) FROM x --", 3))


def test_summary_gives_totals_and_median_engaged_time_but_no_visits():
    from tracker.model import Scope

    seen = []
    s = Scope(R.site, R.start, R.end, (("device", "mobile"),))
    summary = replies(["summary_totals.json", "summary_engaged.json"], seen).summary(s)
    assert (summary.views, summary.visitors, summary.engaged_ms) == (173, 88, 23500.0)
    assert summary.visits is None and summary.wire()["bounce_rate"] is None
    assert "device = 'mobile'" in seen[0] and "name = 'pageview'" in seen[0]
    assert "PERCENTILETDIGEST(JSONEXTRACTSCALAR(props, '$.engaged_ms', 'LONG', 0), 50)" in seen[1]
    assert "name = 'engagement' AND is_bot = false" in seen[1] and "device = 'mobile'" in seen[1]
    none = replies(["summary_totals.json", "summary_engaged_none.json"], []).summary(s)
    assert none.engaged_ms is None and none.wire()["engaged_median_s"] is None
