"""The writer loop against fakes: commits only after inserts, holds on failures, DLQ."""

import asyncio

import msgspec
import pytest
from resilience import Backoff, CircuitBreaker

from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.olap.memory import MemoryStore
from tracker.olap.port import OlapUnavailable
from tracker.writer.batching import BatchPolicy
from tracker.writer.loop import TableWriter


def writer_for(kit, log, store, consumer=None, max_rows=50, **kw):
    return TableWriter(consumer or kit.FakeConsumer(log), kit.FakeProducer(log), store,
                       BatchPolicy(max_rows=max_rows, max_age_ms=5, idle_poll_ms=5),
                       backoff=Backoff(base=0.001, cap=0.01),
                       breaker=CircuitBreaker(failure_threshold=3, reset_timeout=0.02), **kw)


def fill(kit, log, n, start=0):
    log.append(EVENTS_TOPIC, [kit.encode(kit.make_event(i)) for i in range(start, start + n)])


def end_offsets(log):
    return {tp: len(rs) for tp, rs in log.records.items() if tp.topic == EVENTS_TOPIC}


async def drain(writer, log, timeout=5.0):
    task = asyncio.create_task(writer.run())
    try:
        async with asyncio.timeout(timeout):
            while log.offsets != end_offsets(log):
                await asyncio.sleep(0.005)
    finally:
        writer.request_stop()
        await task


async def test_every_event_is_stored_once_and_offsets_committed(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 500)
    w = writer_for(kit, log, store)
    await drain(w, log)
    assert len(store.rows) == 500
    assert w.progress.counters.rows == 500
    assert w.consumer.started and w.consumer.stopped


async def test_commit_happens_only_after_the_insert(kit):
    log = kit.FakeLog()
    fill(kit, log, 20)
    seen = []

    class Spy(MemoryStore):
        def insert(self, batch, token):
            seen.append(dict(log.offsets))
            super().insert(batch, token)

    spy = Spy()
    await drain(writer_for(kit, log, spy, max_rows=1000), log)
    assert seen[0] == {}  # nothing committed before the first insert returned


async def test_olap_down_holds_without_commit_then_catches_up(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 100)
    store.available = False
    w = writer_for(kit, log, store)
    task = asyncio.create_task(w.run())
    await asyncio.sleep(0.2)
    assert log.offsets == {} and store.rows == []
    assert w.progress.counters.olap_failures >= 3
    store.available = True
    try:
        async with asyncio.timeout(5):
            while log.offsets != end_offsets(log):
                await asyncio.sleep(0.005)
    finally:
        w.request_stop()
        await task
    assert len(store.rows) == 100


async def test_poison_goes_to_the_dead_letter_topic_and_counts_reconcile(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 30)
    log.append(EVENTS_TOPIC, [(b"a", b"garbage"), (b"b", b'{"site": 1}')])
    fill(kit, log, 30, start=30)
    w = writer_for(kit, log, store)
    await drain(w, log)
    letters = [msgspec.json.decode(v) for v in log.values(DEAD_LETTER_TOPIC)]
    assert len(letters) == 2 and all(letter["reason"] for letter in letters)
    assert {letter["raw"] for letter in letters} == {"garbage", '{"site": 1}'}
    c = w.progress.counters
    assert (c.rows, c.dead_lettered) == (60, 2)
    assert c.rows + c.dead_lettered == sum(end_offsets(log).values())


async def test_crash_between_insert_and_commit_replays_without_double_counting(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 300)
    # first life: every commit is lost (a crash after each insert); then it "dies"
    w1 = writer_for(kit, log, store, consumer=kit.FakeConsumer(log, lose_commits=True), max_rows=40)
    task = asyncio.create_task(w1.run())
    async with asyncio.timeout(5):
        while len(store.rows) < 300:
            await asyncio.sleep(0.005)
    w1.request_stop()
    await task
    assert log.offsets == {}
    # second life with different batch boundaries: tokens differ, the guard must skip
    w2 = writer_for(kit, log, store, max_rows=77)
    await drain(w2, log)
    assert len(store.rows) == 300
    assert w2.progress.counters.replayed == 300


async def test_partial_crash_with_other_boundaries_still_counts_each_once(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 200)
    w1 = writer_for(kit, log, store, consumer=kit.FakeConsumer(log, lose_commits=True), max_rows=30)
    task = asyncio.create_task(w1.run())
    async with asyncio.timeout(5):
        while len(store.rows) < 60:
            await asyncio.sleep(0.001)
    w1.request_stop()
    await task
    stored_first = len(store.rows)
    w2 = writer_for(kit, log, store, max_rows=13)
    await drain(w2, log)
    ids = [e.event_id for e, *_ in store.rows]
    assert len(ids) == len(set(ids)) == 200
    assert w2.progress.counters.replayed == stored_first
    assert w2.progress.counters.rows == 200 - stored_first


async def test_commit_failure_is_retried_and_nothing_is_inserted_twice(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 30)
    w = writer_for(kit, log, store, consumer=kit.FakeConsumer(log, fail_commits=5))
    await drain(w, log)
    assert len(store.rows) == 30 and w.progress.counters.stream_failures == 5


async def test_stop_while_olap_is_down_leaves_without_commit(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 10)
    store.available = False
    w = writer_for(kit, log, store)
    task = asyncio.create_task(w.run())
    await asyncio.sleep(0.05)
    w.request_stop()
    await asyncio.wait_for(task, 2)
    assert log.offsets == {} and w.consumer.stopped


async def test_revoked_partitions_are_dropped_from_the_pending_batch(kit):
    log, store = kit.FakeLog(partitions=2), MemoryStore()
    fill(kit, log, 40)
    owned = {tp for tp in log.records}

    class Owning(kit.FakeConsumer):
        @property
        def assignment(self):
            return set(owned)

        async def poll(self, max_records, timeout_ms):
            # the test steps the writer by hand: never wait out the batch's age deadline
            return await super().poll(max_records, 0)

    consumer = Owning(log)
    w = writer_for(kit, log, store, consumer=consumer, max_rows=10_000)
    # busy from 1 event/s: the writer reads at every step rather than holding its open batch until due
    w.policy = type(w.policy)(max_rows=10_000, max_age_ms=10_000, idle_poll_ms=5, busy_rate=1)
    await consumer.start()
    await w.step()
    assert w.pending.size == 40
    gone = sorted(owned, key=lambda tp: tp.partition)[0]
    owned.discard(gone)
    await w.step()
    assert gone not in w.pending.partitions and w.pending.partitions


async def test_watermark_moves_to_committed_then_idle(kit):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, 5)
    w = writer_for(kit, log, store)
    assert w.progress.watermark() is None
    await drain(w, log)
    assert w.progress.committed_at == max(kit.make_event(i).received_at for i in range(5))


@pytest.mark.parametrize("n", [1, 49, 50, 51])
async def test_batch_sizes_at_the_edges(kit, n):
    log, store = kit.FakeLog(), MemoryStore()
    fill(kit, log, n)
    await drain(writer_for(kit, log, store, max_rows=50), log)
    assert len(store.rows) == n


def test_memory_store_raises_when_off():
    s = MemoryStore()
    s.available = False
    with pytest.raises(OlapUnavailable):
        s.stored_blocks("t", 0, 0)


async def test_caught_up_waits_for_the_last_insert_in_flight(kit):
    """The watermark never says "caught up" while the last batch's insert is still running."""
    import threading

    log = kit.FakeLog(partitions=1)
    fill(kit, log, 5)
    release = threading.Event()

    class Slow(MemoryStore):
        def insert(self, batch, token):
            assert release.wait(5)
            super().insert(batch, token)

    w = writer_for(kit, log, Slow(), max_rows=5)
    task = asyncio.create_task(w.run())
    try:
        await asyncio.sleep(0.2)
        assert w.progress.committed_at is None and w.progress.watermark() is None
        release.set()
        async with asyncio.timeout(5):
            while log.offsets != end_offsets(log):
                await asyncio.sleep(0.005)
    finally:
        release.set()
        w.request_stop()
        await task
    assert w.progress.committed_at == max(kit.make_event(i).received_at for i in range(5))
