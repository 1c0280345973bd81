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
from tracker.query.model import Range, SeriesQuery, TopQuery

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
