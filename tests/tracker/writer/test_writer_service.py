"""The writer process's composition (tracker.bootstrap.writer) served by a real uvicorn: the writer
loop, the query API and the SSE live feed pushed on commit, with Last-Event-ID resume."""

import threading
import time
import uuid

import httpx
import pytest
import uvicorn

from tests.support.servers import free_port, serving
from tracker import bootstrap
from tracker.event import EVENTS_TOPIC
from tracker.olap.clickhouse import ClickHouseStore
from tracker.query.settings import QuerySettings
from tracker.writer.settings import WriterSettings

pytestmark = pytest.mark.integration


class SharedStore(ClickHouseStore):
    def close(self) -> None:  # the session's chDB client outlives the service
        return None


def read_events(url, headers, want, timeout=15.0):
    got = []
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        event = {}
        for line in r.iter_lines():
            if not line:
                if event:
                    got.append(event)
                    event = {}
                if len([e for e in got if e.get("event") == "minute"]) >= want:
                    return got
                continue
            field, _, value = line.partition(":")
            event[field] = value.strip()
    return got


def test_commit_pushes_minutes_over_sse_and_resume_replays(kit, chdb_client):
    log = kit.FakeLog()
    store = SharedStore(chdb_client, f"t_{uuid.uuid4().hex[:12]}")
    settings = WriterSettings(olap_dsn="chdb:///unused", batch_max_age_ms=10, idle_poll_ms=10)
    service = bootstrap.writer(settings, QuerySettings(olap_dsn="chdb:///unused"), consumer=kit.FakeConsumer(log),
                        dead_letters=kit.FakeProducer(log), store=store, exit_on_failure=False)
    try:
        with serving(uvicorn.Config(service.app, host="127.0.0.1", port=free_port(), log_level="warning",
                                    lifespan="on"), patience=20) as base:
            assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
            stream = f"{base}/api/v1/metrics/stream?site=demo.local"
            result = {}

            def listen():
                result["events"] = read_events(stream, {}, want=1)

            listener = threading.Thread(target=listen)
            listener.start()
            time.sleep(0.5)
            log.append(EVENTS_TOPIC, [kit.encode(kit.make_event(i)) for i in range(120)])
            listener.join(20)
            minutes = [e for e in result["events"] if e.get("event") == "minute"]
            assert minutes and '"site":"demo.local"' in minutes[0]["data"]
            first_id = int(result["events"][0]["id"])  # the hello event carries the cursor
            # resume from before the pushes: the ring replays them
            replay = read_events(stream, {"Last-Event-ID": str(first_id)}, want=len(minutes))
            assert [e["id"] for e in replay if e.get("event") == "minute"][:len(minutes)] == [m["id"] for m in minutes]
            assert all(int(e["id"]) > first_id for e in replay if e.get("event") == "minute")
            progress = httpx.get(f"{base}/api/v1/writer/progress").json()
            assert progress["rows"] == 120 and progress["watermark"]
            body = httpx.get(f"{base}/api/v1/metrics/visitors", params={
                "site": "demo.local", "from": "2026-11-22T09:00:00Z", "to": "2026-11-22T11:00:00Z"}).json()
            assert body["views"] == 120
    finally:
        chdb_client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")
