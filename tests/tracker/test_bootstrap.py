"""tracker/bootstrap.py: each process built from its typed settings, the query API wired once."""

from __future__ import annotations

import asyncio

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from tracker import bootstrap
from tracker.collector.settings import CollectorSettings
from tracker.olap.memory import MemoryStore
from tracker.query.settings import QuerySettings
from tracker.stream.factory import make_consumer, make_producer
from tracker.stream.kafka import KafkaConsumer, KafkaProducer
from tracker.writer.settings import WriterSettings


class ClosingStore(MemoryStore):
    closed = False

    def close(self) -> None:
        self.closed = True


def paths(app) -> set[str]:
    return {route.path for route in app.routes if isinstance(route, Route)}


def test_the_query_process_serves_the_api_runs_its_ticker_and_closes_its_store():
    store = ClosingStore()
    app = bootstrap.query(QuerySettings(olap_dsn="chdb:///unused"), store=store)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        body = client.get("/api/v1/metrics/visitors", params={"site": "a.example"}).json()
        assert body["views"] == 0 and body["site"] == "a.example"
        names = {task.get_name() for task in client.portal.call(lambda: _tasks())}
        assert {"minute-publisher", "minute-ticker"} <= names
        assert not store.closed
    assert store.closed


async def _tasks():
    return asyncio.all_tasks()


def test_the_writer_serves_the_same_query_api_plus_its_progress(tmp_path):
    settings = WriterSettings(stream_backend="memory", olap_dsn="chdb:///unused")
    service = bootstrap.writer(settings, QuerySettings(olap_dsn="chdb:///unused"), store=ClosingStore(),
                               exit_on_failure=False)
    alone = bootstrap.query(QuerySettings(olap_dsn="chdb:///unused"), store=MemoryStore())
    assert paths(service.app) == paths(alone) | {"/api/v1/writer/progress"}
    with TestClient(service.app) as client:
        names = {task.get_name() for task in client.portal.call(lambda: _tasks())}
        assert {"table-writer", "minute-publisher", "minute-closer"} <= names
        assert "minute-ticker" not in names  # the writer pushes on commit instead
        assert client.get("/api/v1/writer/progress").json()["rows"] == 0
    assert service.store.closed and service.writer.stop.is_set()


def test_pinot_has_no_writer():
    with pytest.raises(ValueError, match="Pinot ingests the topic itself"):
        bootstrap.writer(WriterSettings(olap_backend="pinot", olap_dsn="http://broker:8099"))


def test_the_collector_gets_the_producer_its_settings_name(tmp_path):
    settings = CollectorSettings(stream_backend="local", stream_dir=tmp_path / "stream", spill_dir=tmp_path / "spill",
                                 salts_dir=tmp_path / "salts")
    app = bootstrap.collector(settings)
    assert type(app.committer.producer).__name__ == "LocalProducer"


@pytest.mark.parametrize("settings_class", [CollectorSettings, WriterSettings])
def test_every_stream_process_passes_its_kafka_settings_to_the_adapter(settings_class):
    settings = settings_class(stream_backend="kafka", kafka_bootstrap_servers="k1:9092,k2:9092", kafka_idempotence=False,
                              stream_partitions=12, stream_timeout_ms=1234, kafka_session_timeout_ms=4321)
    producer, consumer = make_producer(settings), make_consumer(settings, "g", ["t"])
    assert isinstance(producer, KafkaProducer) and isinstance(consumer, KafkaConsumer)
    assert (producer.bootstrap, producer.idempotence, producer.partitions, producer.timeout_ms) == \
        ("k1:9092,k2:9092", False, 12, 1234)
    assert (consumer.bootstrap, consumer.partitions, consumer.session_timeout_ms) == ("k1:9092,k2:9092", 12, 4321)
