"""The local log's own promises: crash safety, competing consumers across processes, retention."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.stream.local import LOG_FILE, LocalConsumer, LocalProducer
from tracker.stream.port import TopicPartition
from tracker.stream.sqlite_log import SqliteLog

CHILD = str(Path(__file__).with_name("stream_child.py"))


def read_all(directory: Path, topic: str) -> list[bytes]:
    log = SqliteLog(directory / LOG_FILE)
    out = []
    for p in range(log.partitions(topic)):
        out.extend(r.value for r in log.read(TopicPartition(topic, p), 0, 10**9))
    log.close()
    return out


@pytest.mark.integration
def test_kill_9_mid_append_loses_nothing_acknowledged_and_tears_no_batch(tmp_path):
    child = subprocess.Popen([sys.executable, CHILD, "produce", str(tmp_path), "t"],
                             stdout=subprocess.PIPE, text=True)
    acked = []
    deadline = time.monotonic() + 20
    while len(acked) < 300 and time.monotonic() < deadline:
        acked.append(int(child.stdout.readline()))
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    acked.extend(int(line) for line in child.stdout.read().split())  # printed before the kill
    values = read_all(tmp_path, "t")
    batches: dict[int, int] = {}
    for value in values:
        batch = int(value.split(b":")[0])
        batches[batch] = batches.get(batch, 0) + 1
    assert set(acked) <= set(batches)
    assert all(count == 100 for count in batches.values()), "a torn batch is readable"
    assert max(batches) - max(acked) <= 1  # at most the one in flight, whole


@pytest.mark.integration
def test_two_consumer_processes_split_partitions_and_survivor_takes_over(tmp_path):
    async def fill():
        producer = LocalProducer(tmp_path, partitions=4)
        await producer.start()
        await producer.send_batch("t", [(b"k%d" % i, b"v") for i in range(100)])
        await producer.stop()
    asyncio.run(fill())
    a = subprocess.Popen([sys.executable, CHILD, "consume", str(tmp_path), "t", "g", "30"],
                         stdout=subprocess.PIPE, text=True)
    b = subprocess.Popen([sys.executable, CHILD, "consume", str(tmp_path), "t", "g", "30"],
                         stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 15
        la = lb = []
        while time.monotonic() < deadline:
            la, lb = json.loads(a.stdout.readline()), json.loads(b.stdout.readline())
            if len(la) == 2 and len(lb) == 2 and not set(la) & set(lb):
                break
        assert sorted(la + lb) == [0, 1, 2, 3], (la, lb)
        os.kill(a.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lb = json.loads(b.stdout.readline())
            if lb == [0, 1, 2, 3]:
                break
        assert lb == [0, 1, 2, 3]
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
            p.wait()


async def test_retention_deletes_whole_old_batches_and_keeps_offsets(tmp_path):
    log = SqliteLog(tmp_path / LOG_FILE, partitions=1)
    log.append("t", [(b"k", b"old%d" % i) for i in range(5)])
    log.db.execute("UPDATE batches SET appended_ms = 0")
    log.append("t", [(b"k", b"new%d" % i) for i in range(5)])
    assert log.prune(now_ms=int(time.time() * 1000), retention_ms=3_600_000) == 1
    records = log.read(TopicPartition("t", 0), 0, 100)
    assert [r.offset for r in records] == [5, 6, 7, 8, 9]  # offsets never reused
    assert log.append("t", [(b"k", b"x")]) == {0: (10, 1)}


async def test_consumed_retention_deletes_only_what_every_group_committed(tmp_path):
    log = SqliteLog(tmp_path / LOG_FILE, partitions=1)
    for i in range(3):
        log.append("t", [(b"k", b"%d" % i)])
    tp = TopicPartition("t", 0)
    log.commit("a", {tp: 3})
    log.commit("b", {tp: 1})
    now = int(time.time() * 1000) + 10
    assert log.prune(now, retention_ms=10**9, consumed_retention_ms=0) == 1
    assert [r.offset for r in log.read(tp, 0, 10)] == [1, 2]


async def test_consumer_starts_after_the_last_commit_across_restarts(tmp_path):
    producer = LocalProducer(tmp_path, partitions=2)
    await producer.start()
    await producer.send_batch("t", [(b"k%d" % i, b"%d" % i) for i in range(20)])
    consumer = LocalConsumer(tmp_path, "g", ["t"], partitions=2)
    await consumer.start()
    got = await consumer.poll(100, 500)
    await consumer.commit({tp: rs[-1].offset + 1 for tp, rs in got.items()})
    await consumer.stop()
    await producer.send_batch("t", [(b"k%d" % i, b"%d" % i) for i in range(20, 25)])
    await producer.stop()
    again = LocalConsumer(tmp_path, "g", ["t"], partitions=2)
    await again.start()
    got = await again.poll(100, 500)
    await again.stop()
    assert sorted(int(r.value) for rs in got.values() for r in rs) == [20, 21, 22, 23, 24]


async def test_reads_take_turns_across_partitions_and_a_seek_gives_records_back(tmp_path):
    """A backlog in one partition does not starve the others (a crash's replay needs every partition's
    blocks), and records polled past a point are read again after a seek."""
    producer = LocalProducer(tmp_path, partitions=2)
    await producer.start()
    await producer.send_batch("t", [(b"k%d" % i, b"%d" % i) for i in range(40)])
    await producer.stop()
    consumer = LocalConsumer(tmp_path, "g", ["t"], partitions=2)
    await consumer.start()
    firsts = []
    for _ in range(2):
        got = await consumer.poll(5, 500)
        firsts.append(sorted(tp.partition for tp in got))
    assert sorted(firsts) == [[0], [1]]  # five records fit one partition: each read starts at the next one
    tp = TopicPartition("t", 0)
    consumer.seek(tp, 2)
    got = {}
    while tp not in got:
        got = await consumer.poll(3, 500)
    assert [r.offset for r in got[tp]][:1] == [2]
    await consumer.stop()


async def test_a_locked_database_is_stream_unavailable(tmp_path):
    from tracker.stream.port import StreamUnavailable

    producer = LocalProducer(tmp_path, busy_timeout_ms=100)
    await producer.start()
    blocker = SqliteLog(tmp_path / LOG_FILE)
    blocker.db.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StreamUnavailable):
        await producer.send_batch("t", [(b"k", b"v")])
    blocker.db.execute("ROLLBACK")
    await producer.send_batch("t", [(b"k", b"v")])
    await producer.stop()


def test_a_log_written_before_compression_is_still_readable(tmp_path):
    import sqlite3

    import msgspec

    path = tmp_path / LOG_FILE
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE topics (topic TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
        CREATE TABLE heads (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
            PRIMARY KEY (topic, partition)) WITHOUT ROWID;
        CREATE TABLE batches (topic TEXT NOT NULL, partition INTEGER NOT NULL, base_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL, appended_ms INTEGER NOT NULL, payload BLOB NOT NULL);
        INSERT INTO topics VALUES ('t', 1);
        INSERT INTO heads VALUES ('t', 0, 1);
    """)
    old.execute("INSERT INTO batches VALUES ('t', 0, 0, 1, 0, ?)", (msgspec.msgpack.encode([(b"k", b"old")]),))
    old.commit()
    old.close()
    log = SqliteLog(path)
    log.append("t", [(b"k", b"new")])
    assert [r.value for r in log.read(TopicPartition("t", 0), 0, 10)] == [b"old", b"new"]
