"""The ``clickhouse`` backend (a ClickHouse server over HTTP) — no server can run here.

Its SQL is the chDB adapter's (tested on chDB). What differs is the wire: these tests
run the real clickhouse-connect HTTP client against a small stand-in HTTP server
that answers SELECTs by running them on chDB (so responses are real ClickHouse
formats) and records INSERTs, to check what the adapter sends.
"""

import json
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tracker.event import TrackingEvent
from tracker.olap.factory import make_store
from tracker.olap.port import OlapUnavailable, StagedBatch
from tracker.model import Range, SeriesQuery

pytestmark = pytest.mark.integration


class StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, chdb_client):
        import chdb

        super().__init__(("127.0.0.1", 0), Handler)
        # a plain chDB connection to the tests' engine: query parameters reach it as sent, and
        # ClickHouse's code parses them there as a server would (escaped text of the param's type)
        self.chdb = chdb.connect(os.path.realpath(chdb_client.path))
        self.inserts: list[dict] = []
        self.selects: list[str] = []
        self.lock = threading.Lock()
        self.down = False


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        return None

    def _reply(self, status: int, body: bytes, headers: dict | None = None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.do_POST()

    def do_POST(self):
        server: StandIn = self.server
        url = urlparse(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if server.down:
            return self._reply(503, b"Code: 242. DB::Exception: Table is in readonly mode. (TABLE_IS_READ_ONLY)")
        query = params.get("query") or body.decode("utf-8", "replace")
        if query.lstrip().upper().startswith("INSERT"):
            server.inserts.append({"params": params, "query": query, "bytes": len(body)})
            return self._reply(200, b"", {"X-ClickHouse-Summary": json.dumps({"written_rows": "1"})})
        fmt = params.get("default_format", "TabSeparated")
        text = query
        if " FORMAT " in query.upper():
            head, _, tail = query.rpartition(" FORMAT ")
            text, fmt = head, tail.split()[0]
        server.selects.append(text)
        with server.lock:
            try:
                bound = {k[len("param_"):]: v for k, v in params.items() if k.startswith("param_")}
                result = server.chdb.query(text, fmt, params=bound).bytes()
            except Exception as exc:
                return self._reply(500, f"Code: 62. DB::Exception: {exc}".encode())
        self._reply(200, result, {"X-ClickHouse-Format": fmt, "X-ClickHouse-Timezone": "UTC"})


@pytest.fixture
def stand_in(chdb_client):
    server = StandIn(chdb_client)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.chdb.close()


def batch(n: int) -> StagedBatch:
    b = StagedBatch()
    t0 = datetime(2026, 11, 22, 10, tzinfo=UTC)
    for i in range(n):
        b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=t0 + timedelta(seconds=i), received_at=t0,
                               site="s", visitor=f"{i:016x}"), "tessera.events", 0, i)
    return b


def test_insert_sends_arrow_with_the_dedup_token_and_view_dedup(stand_in):
    store = make_store("clickhouse", f"http://default:@127.0.0.1:{stand_in.server_address[1]}", "tessera")
    store.insert(batch(3), "tessera.events/0/0-2")
    sent = stand_in.inserts[-1]
    assert sent["query"].startswith("INSERT INTO tessera.events")
    assert sent["query"].rstrip().endswith("FORMAT Arrow")
    assert sent["params"]["insert_deduplication_token"] == "tessera.events/0/0-2"
    assert sent["params"]["deduplicate_blocks_in_dependent_materialized_views"] == "1"
    assert sent["params"]["insert_deduplicate"] == "1"
    assert sent["bytes"] > 0


def test_queries_run_the_same_sql_as_chdb(stand_in, chdb_client):
    from tracker.olap.clickhouse import ClickHouseStore

    db = f"t_{uuid.uuid4().hex[:12]}"
    local = ClickHouseStore(chdb_client, db)
    local.migrate()
    try:
        local.insert(batch(30), "t")
        remote = make_store("clickhouse", f"http://127.0.0.1:{stand_in.server_address[1]}", db)
        r = Range("s", datetime(2026, 11, 22, 9, tzinfo=UTC), datetime(2026, 11, 22, 11, tzinfo=UTC))
        assert remote.series(SeriesQuery(r, "1m")) == local.series(SeriesQuery(r, "1m"))
        assert any("uniqCombinedMerge(12)(visitors)" in s for s in stand_in.selects)
    finally:
        chdb_client.command(f"DROP DATABASE IF EXISTS {db} SYNC")


def test_breakdowns_and_summaries_run_the_same_sql_as_chdb(stand_in, chdb_client):
    from tracker.olap.clickhouse import ClickHouseStore
    from tracker.model import BreakdownQuery, Scope

    db = f"t_{uuid.uuid4().hex[:12]}"
    local = ClickHouseStore(chdb_client, db)
    local.migrate()
    try:
        b = StagedBatch()
        t0 = datetime(2026, 11, 22, 9, 50, tzinfo=UTC)
        for i in range(120):
            ts = t0 + timedelta(minutes=i)
            b.append(TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=ts, received_at=ts, site="s",
                                   path=["/", "/o'reilly"][i % 2], browser=["Chrome", "Firefox", "Safari"][i % 3],
                                   visitor=f"{i % 9:016x}"), "tessera.events", 0, i)
        local.insert(b, "t")
        remote = make_store("clickhouse", f"http://127.0.0.1:{stand_in.server_address[1]}", db)
        whole = Scope("s", datetime(2026, 11, 22, 9, tzinfo=UTC), datetime(2026, 11, 22, 12, tzinfo=UTC),
                      (("path", "/o'reilly"),))
        ragged = Scope("s", t0 + timedelta(minutes=5), t0 + timedelta(minutes=100), (("browser", "Chrome"),))
        for s in (whole, ragged):
            q = BreakdownQuery(s, "browser", 10)
            assert remote.breakdown(q) == local.breakdown(q) and local.breakdown(q)
            expected = local.summary(s)  # first: the stand-in records INSERTs (visit_hour closes) without running them
            assert remote.summary(s) == expected
        assert any("FROM " + db + ".breakdown_span" in q for q in stand_in.selects)
        assert any("FROM " + db + ".visit_hour" in q for q in stand_in.selects)
        assert not any("reilly" in q for q in stand_in.selects)  # values travel as bound parameters
    finally:
        chdb_client.command(f"DROP DATABASE IF EXISTS {db} SYNC")


def test_server_errors_become_olap_unavailable(stand_in):
    store = make_store("clickhouse", f"http://127.0.0.1:{stand_in.server_address[1]}", "tessera")
    stand_in.down = True
    with pytest.raises(OlapUnavailable):
        store.insert(batch(1), "x")


def test_unreachable_server_is_olap_unavailable():
    with pytest.raises(OlapUnavailable):
        make_store("clickhouse", "http://127.0.0.1:9/", "tessera")


def test_backends_check_their_dsn():
    with pytest.raises(ValueError):
        make_store("chdb", "http://x:8123")
    with pytest.raises(ValueError):
        make_store("clickhouse", "chdb:///tmp/x")
    with pytest.raises(ValueError):
        make_store("duckdb", "x")
