"""End to end on the backends `make up` takes: the real collector and writer processes, as the
launcher defines them, on the on-disk log and on a real Kafka-protocol broker (tansu), count
every hit through the query API; then the whole launcher on tansu with its registry and
dashboard on PostgreSQL."""

from __future__ import annotations

import contextlib
import io
import json
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from tests.support.postgres import postgres_schema
from tracker.stream.tansu import TansuBroker

HITS = 200
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


@pytest.fixture
def tansu():
    broker = TansuBroker().start()
    yield broker
    broker.stop()


def send_hits(collector: str, site: str, n: int = HITS) -> None:
    with httpx.Client(base_url=collector, headers={"user-agent": FIREFOX}, timeout=10) as http:
        for i in range(n):
            answer = http.get("/t.gif", params={"site": site, "url": f"https://{site}/page/{i % 9}"})
            assert answer.status_code == 200 and answer.content.startswith(b"GIF89a")


def counted(query: str, site: str, want: int, timeout: float = 60.0) -> dict:
    """The query API's totals for ``site`` once it counts ``want`` views (or when time is up)."""
    now = datetime.now(UTC)
    window = {"site": site, "from": (now - timedelta(hours=1)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()}
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = httpx.get(f"{query}/api/v1/metrics/visitors", params=window, timeout=10).json()
        if body.get("views", 0) >= want:
            break
        time.sleep(0.5)
    return body


def tracker_processes(services_module, supervisor_module, backends_module, tmp_path, *argv: str):
    """A supervisor over just the launcher's writer and collector, with `make up`'s backend options."""
    import argparse

    parser = argparse.ArgumentParser()
    backends_module.add_options(parser)
    chosen = backends_module.Backends.of(parser.parse_args(list(argv)))
    from tests.support.servers import free_port

    ports = services_module.Ports(free_port())
    listed = services_module.services(ports, tmp_path / "var", 0.0, chosen)
    out = io.StringIO()
    picked = [s for s in listed if s.name in ("writer", "collector")]
    # the two ports the launcher derives from a free base may be taken: move them to free ones
    for service in picked:
        port = free_port()
        service.argv[service.argv.index("--port") + 1] = str(port)
        service.port, service.ready = port, supervisor_module.http_ok(f"http://127.0.0.1:{port}/healthz")
    return supervisor_module.Supervisor(picked, out=out, ready_timeout=120), {s.name: s.port for s in picked}, out


@pytest.mark.integration
@pytest.mark.parametrize("stream", ["local", "kafka"])
def test_collector_and_writer_processes_count_every_hit(stream, request, services_module, supervisor_module,
                                                       backends_module, tmp_path):
    argv = []
    if stream == "kafka":  # tansu has no idempotent producers: the option turns them off in both processes
        argv = ["--stream", f"kafka://{request.getfixturevalue('tansu').bootstrap}?idempotence=false"]
    supervisor, ports, out = tracker_processes(services_module, supervisor_module, backends_module, tmp_path, *argv)
    site = f"e2e-{uuid.uuid4().hex[:8]}.example"
    try:
        supervisor.start_all()
        collector, query = f"http://127.0.0.1:{ports['collector']}", f"http://127.0.0.1:{ports['writer']}"
        send_hits(collector, site)
        body = counted(query, site, HITS)
        assert body.get("views") == HITS, f"{body}\n{out.getvalue()[-4000:]}"
        assert body["visitors"] == 1  # one address and agent: one cookieless visitor
        stats = httpx.get(f"{collector}/stats").json()
        assert stats["stream_up"] and not stats["spill_backlog"], stats  # on the stream, none waiting in the spill
        progress = httpx.get(f"{query}/api/v1/writer/progress").json()
        assert progress["rows"] == HITS and progress["dead_lettered"] == 0, progress
        assert all(r.exit_code is None for r in supervisor.running), out.getvalue()[-4000:]
    finally:
        supervisor.stop_all()


@pytest.mark.integration
def test_writer_left_with_idempotence_on_a_broker_without_it_says_how_to_fix_it(
        tansu, services_module, supervisor_module, backends_module, tmp_path):
    supervisor, _ports, out = tracker_processes(services_module, supervisor_module, backends_module, tmp_path,
                                                "--stream", f"kafka://{tansu.bootstrap}")
    supervisor.running = [r for r in supervisor.running if r.service.name == "writer"]
    try:
        with contextlib.suppress(supervisor_module.StartFailed):  # it may die before or after /healthz answers
            supervisor.start_all()
        deadline = time.monotonic() + 60
        while supervisor.running[0].exit_code is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert supervisor.running[0].exit_code is not None, "the writer kept running without its producer"
    finally:
        supervisor.stop_all()
    assert "kafka producer cannot start" in out.getvalue() and "KAFKA_IDEMPOTENCE=false" in out.getvalue()


@pytest.mark.e2e
@pytest.mark.postgres
def test_make_up_on_kafka_and_postgresql_counts_every_hit(tansu, tmp_path):
    from tests.e2e.conftest import launch

    with postgres_schema("up_registry") as registry_url, postgres_schema("up_dashboard") as dashboard_url:
        plain = lambda url: url.replace("postgresql+psycopg://", "postgresql://")  # noqa: E731 - as a user types it
        launched = launch(tmp_path / "var", "--no-traffic",
                          "--stream", f"kafka://{tansu.bootstrap}?idempotence=false",
                          "--registry-db", plain(registry_url), "--dashboard-db", plain(dashboard_url))
        try:
            launched.wait_for_line("Tessera is up", timeout=240)
            assert any(f"stream: kafka {tansu.bootstrap}" in line for line in launched.output)
            site = f"up-{uuid.uuid4().hex[:8]}.example"
            send_hits(launched.collector.rstrip("/"), site)
            body = counted(launched.url(3, "").rstrip("/"), site, HITS, timeout=90)
            assert body.get("views") == HITS, f"{body}\n{launched.log()}"
            with urllib.request.urlopen(launched.url(0, f"/api/v1/metrics/visitors?site={site}&from="
                                                         f"{(datetime.now(UTC) - timedelta(hours=1)):%Y-%m-%dT%H:%M:%SZ}"),
                                        timeout=10) as answer:  # the same count through the dashboard's gateway
                assert json.loads(answer.read())["views"] == HITS
            registry = sa.create_engine(registry_url)
            dashboard = sa.create_engine(dashboard_url)
            try:
                with registry.connect() as db:  # the sidecars announced into PostgreSQL, not var/registry.db
                    assert db.execute(sa.text("SELECT count(*) FROM widget")).scalar() >= 1
                with dashboard.connect() as db:  # and the default layout was seeded there
                    assert db.execute(sa.text("SELECT count(*) FROM layout")).scalar() >= 1
            finally:
                registry.dispose()
                dashboard.dispose()
            assert not (tmp_path / "var" / "registry.db").exists() and not (tmp_path / "var" / "stream").exists()
        finally:
            code, left = launched.stop()
        assert code == 0 and not left, launched.log()
