"""Light traffic: the writer reads the stream once a flush, not once an arrival; a backlog is read at once."""

import asyncio

from resilience import Backoff, CircuitBreaker

from tracker.event import EVENTS_TOPIC
from tracker.olap.memory import MemoryStore
from tracker.writer.batching import BatchPolicy
from tracker.writer.loop import TableWriter


class Counting:
    """Wraps the kit's consumer: counts the polls that returned records."""

    def __init__(self, inner) -> None:
        self.inner, self.reads = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def poll(self, max_records, timeout_ms):
        out = await self.inner.poll(max_records, timeout_ms)
        self.reads += bool(out)
        return out


def writer(kit, log, busy_rate=500.0):
    consumer = Counting(kit.FakeConsumer(log))
    policy = BatchPolicy(max_rows=10_000, max_age_ms=300, idle_poll_ms=20, busy_rate=busy_rate)
    return TableWriter(consumer, kit.FakeProducer(log), MemoryStore(), policy,
                       backoff=Backoff(base=0.001, cap=0.01), breaker=CircuitBreaker(failure_threshold=3)), consumer


async def trickle(kit, log, n, every_s):
    for i in range(n):
        log.append(EVENTS_TOPIC, [kit.encode(kit.make_event(i))])
        await asyncio.sleep(every_s)


async def run(w, log, kit, n):
    task = asyncio.create_task(w.run())
    try:
        await trickle(kit, log, n, 0.02)
        await asyncio.wait_for(_rows(w, n), 10)
    finally:
        w.request_stop()
        await task


async def _rows(w, n):
    while w.progress.counters.rows < n:
        await asyncio.sleep(0.01)


async def test_light_traffic_is_read_once_a_flush(kit):
    log = kit.FakeLog()
    held, held_reads = writer(kit, log)
    await run(held, log, kit, 40)  # 40 arrivals over ~0.8 s, batches of 300 ms
    log2 = kit.FakeLog()
    eager, eager_reads = writer(kit, log2, busy_rate=0.001)  # "busy" at any rate: read every arrival
    await run(eager, log2, kit, 40)
    assert held.progress.counters.rows == eager.progress.counters.rows == 40
    flushes = held.progress.counters.batches
    assert held_reads.reads <= 2 * flushes + 1, (held_reads.reads, flushes)
    assert eager_reads.reads >= 3 * held_reads.reads, (eager_reads.reads, held_reads.reads)
