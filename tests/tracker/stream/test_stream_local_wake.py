"""The local consumer waits on the log's directory (inotify) instead of polling SQLite."""

import asyncio
import subprocess
import sys
import time

import pytest

from tracker.stream.local import LocalConsumer, LocalProducer
from tracker.stream.wake import DirectoryWatch

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")

APPEND = """
import sys
from pathlib import Path
from tracker.stream.local import LOG_FILE
from tracker.stream.sqlite_log import SqliteLog
log = SqliteLog(Path(sys.argv[1]) / LOG_FILE, 2)
log.append("t", [(b"k", b"from-another-process")])
log.close()
"""


async def _consumer(tmp_path, watch: bool, rebalance_ms: int = 500) -> LocalConsumer:
    producer = LocalProducer(tmp_path, partitions=2)  # creates the log and the topic
    await producer.start()
    await producer.send_batch("t", [(b"k", b"first")])
    await producer.stop()
    consumer = LocalConsumer(tmp_path, "g", ["t"], partitions=2, watch=watch, rebalance_interval_ms=rebalance_ms)
    await consumer.start()
    first = await consumer.poll(100, 2000)
    assert [r.value for rs in first.values() for r in rs] == [b"first"]
    return consumer


@linux
async def test_an_idle_consumer_reads_the_log_only_to_rebalance(tmp_path):
    watched = await _consumer(tmp_path / "a", watch=True)
    polling = await _consumer(tmp_path / "b", watch=False)
    try:
        assert watched.watch is not None and polling.watch is None
        before = watched.fetches, polling.fetches
        await asyncio.gather(watched.poll(100, 1200), polling.poll(100, 1200))
        reads_watched, reads_polling = watched.fetches - before[0], polling.fetches - before[1]
    finally:
        await watched.stop()
        await polling.stop()
    assert reads_watched <= 4  # one per 500 ms rebalance (+1 at the edges)
    assert reads_polling >= 15  # 10 ms doubling to 50 ms over 1.2 s


@linux
@pytest.mark.parametrize("watch", [True, False])
async def test_an_append_by_another_process_wakes_a_waiting_consumer(tmp_path, watch):
    consumer = await _consumer(tmp_path, watch=watch, rebalance_ms=60_000)  # no rebalance tick to find it
    try:
        waiting = asyncio.create_task(consumer.poll(100, 8000))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", APPEND, str(tmp_path))
        assert await proc.wait() == 0
        appended = time.monotonic()
        got = await asyncio.wait_for(waiting, 8)
        latency = time.monotonic() - appended
    finally:
        await consumer.stop()
    assert [r.value for rs in got.values() for r in rs] == [b"from-another-process"]
    assert latency < 0.5, latency  # well before the poll's 8 s timeout


async def test_a_watch_reports_a_write_and_then_waits_again(tmp_path):
    watch = DirectoryWatch.open(tmp_path)
    if watch is None:
        pytest.skip("no inotify here")
    try:
        assert not await watch.wait(0.05)
        (tmp_path / "log-wal").write_bytes(b"x")
        assert await watch.wait(2.0)
        watch.changed.clear()
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "deeper").write_bytes(b"x")  # not directly in the directory
        await asyncio.sleep(0.05)
        watch.changed.clear()
        assert not await watch.wait(0.1)  # a file below the directory is not reported
    finally:
        watch.close()
