"""One contract, every stream adapter: local (SQLite log), kafka (real tansu broker), memory."""

import asyncio
import uuid

import pytest

from tracker.settings import StreamSettings
from tracker.stream.factory import make_consumer, make_producer
from tracker.stream.memory import MemoryLog
from tracker.stream.port import TopicPartition

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "local", "kafka"])
def stream(request, tmp_path):
    """(settings, memory-log) for one backend; topics are unique per test."""
    kafka = {"kafka_bootstrap_servers": request.getfixturevalue("tansu").bootstrap} if request.param == "kafka" else {}
    settings = StreamSettings(stream_backend=request.param, stream_dir=tmp_path / "stream", stream_partitions=4,
                              kafka_idempotence=False, stream_timeout_ms=5000, kafka_session_timeout_ms=1500, **kafka)
    return settings, MemoryLog(4)


def topic() -> str:
    return f"contract-{uuid.uuid4().hex[:8]}"


async def drain(consumer, want: int, commit: bool = True, timeout: float = 15.0) -> list:
    got: list = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(got) < want and loop.time() < deadline:
        batch = await consumer.poll(500, 200)
        for tp, records in batch.items():
            got.extend(records)
        if batch and commit:
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()})
    return got


async def produce(settings, memory, name: str, records) -> None:
    producer = make_producer(settings, memory)
    await producer.start()
    try:
        await producer.send_batch(name, records)
    finally:
        await producer.stop()


async def test_records_come_back_in_key_order_with_consecutive_offsets(stream):
    settings, memory = stream
    name = topic()
    records = [(f"site\0v{i % 7}".encode(), f"{i}".encode()) for i in range(300)]
    if settings.stream_backend == "kafka":  # the consumer provisions topics with our partition count
        await produce(settings, memory, name, [])
    await produce(settings, memory, name, records)
    consumer = make_consumer(settings, "g1", [name], memory)
    await consumer.start()
    try:
        got = await drain(consumer, 300)
    finally:
        await consumer.stop()
    assert sorted(int(r.value) for r in got) == list(range(300))
    by_key: dict[bytes, list[int]] = {}
    for r in got:
        by_key.setdefault(r.key, []).append(int(r.value))
    assert all(values == sorted(values) for values in by_key.values())  # per-key order kept
    assert len({r.partition for r in got if r.key == b"site\0v1"}) == 1  # a key sticks to a partition
    per_partition: dict[int, list[int]] = {}
    for r in got:
        per_partition.setdefault(r.partition, []).append(r.offset)
    for offsets in per_partition.values():
        assert offsets == list(range(offsets[0], offsets[0] + len(offsets)))


async def test_committed_offsets_survive_a_new_consumer(stream):
    settings, memory = stream
    name = topic()
    await produce(settings, memory, name, [(b"k%d" % i, b"%d" % i) for i in range(100)])
    first = make_consumer(settings, "g2", [name], memory)
    await first.start()
    try:
        assert len(await drain(first, 100)) == 100
    finally:
        await first.stop()
    await produce(settings, memory, name, [(b"k%d" % i, b"%d" % i) for i in range(100, 120)])
    second = make_consumer(settings, "g2", [name], memory)
    await second.start()
    try:
        got = await drain(second, 20, timeout=8)
    finally:
        await second.stop()
    assert sorted(int(r.value) for r in got) == list(range(100, 120))


async def test_uncommitted_records_are_read_again(stream):
    settings, memory = stream
    name = topic()
    await produce(settings, memory, name, [(b"k", b"%d" % i) for i in range(10)])
    first = make_consumer(settings, "g3", [name], memory)
    await first.start()
    try:
        assert len(await drain(first, 10, commit=False)) == 10
    finally:
        await first.stop()
    second = make_consumer(settings, "g3", [name], memory)
    await second.start()
    try:
        assert len(await drain(second, 10)) == 10  # at least once
    finally:
        await second.stop()


async def test_a_seek_gives_back_what_was_polled_past_it(stream):
    """The writer trims a batch a crash's replay filled and reads the rest again (tracker.writer.ledger)."""
    settings, memory = stream
    name = topic()
    await produce(settings, memory, name, [(b"k", b"%d" % i) for i in range(10)])  # one key: one partition
    consumer = make_consumer(settings, "g-seek", [name], memory)
    await consumer.start()
    try:
        got = await drain(consumer, 10, commit=False)
        tp = TopicPartition(name, got[0].partition)
        assert [r.offset for r in got] == list(range(10))
        consumer.seek(tp, 4)
        again = await drain(consumer, 6, commit=False)
        assert [(r.partition, r.offset, r.value) for r in again] == [(tp.partition, o, b"%d" % o) for o in range(4, 10)]
    finally:
        await consumer.stop()


async def test_groups_are_independent(stream):
    settings, memory = stream
    name = topic()
    await produce(settings, memory, name, [(b"k%d" % i, b"x") for i in range(50)])
    for group in ("ga", "gb"):
        consumer = make_consumer(settings, group, [name], memory)
        await consumer.start()
        try:
            assert len(await drain(consumer, 50)) == 50
        finally:
            await consumer.stop()


async def test_commit_stores_the_next_offset(stream):
    settings, memory = stream
    name = topic()
    await produce(settings, memory, name, [(b"same-key", b"%d" % i) for i in range(10)])
    consumer = make_consumer(settings, "g4", [name], memory)
    await consumer.start()
    try:
        got = await drain(consumer, 10, commit=False)
        tp = TopicPartition(name, got[0].partition)
        await consumer.commit({tp: got[4].offset + 1})
    finally:
        await consumer.stop()
    again = make_consumer(settings, "g4", [name], memory)
    await again.start()
    try:
        rest = await drain(again, 5)
    finally:
        await again.stop()
    assert [int(r.value) for r in rest] == [5, 6, 7, 8, 9]


async def test_a_lone_member_owns_every_partition(stream):
    settings, memory = stream
    name = topic()
    await produce(settings, memory, name, [(b"k%d" % i, b"x") for i in range(20)])
    consumer = make_consumer(settings, "g5", [name], memory)
    await consumer.start()
    try:
        await drain(consumer, 20)
        assert consumer.assignment == {TopicPartition(name, p) for p in range(4)}
    finally:
        await consumer.stop()
