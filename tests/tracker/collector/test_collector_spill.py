"""The spill file's framing and the group commit's spill-and-replay."""

import asyncio

import msgspec

from tracker.collector.committer import Counters, GroupCommit
from tracker.collector.spill import Spill, frames
from tracker.event import EVENTS_TOPIC
from tracker.stream.memory import MemoryLog


def test_frames_round_trip_and_a_torn_tail_is_ignored(tmp_path):
    spill = Spill(tmp_path)
    spill.append([("t", [(b"k1", b"v1")]), ("u", [(b"k2", b"v2")])])
    spill.append([("t", [(b"k3", b"v3")])])
    spill.close()
    (segment,) = spill.segments()
    data = segment.read_bytes()
    assert list(frames(data)) == [("t", [(b"k1", b"v1")]), ("u", [(b"k2", b"v2")]), ("t", [(b"k3", b"v3")])]
    assert len(list(frames(data[:-3]))) == 2  # torn last frame
    corrupt = bytearray(data)
    corrupt[-1] ^= 0xFF
    assert len(list(frames(bytes(corrupt)))) == 2  # bad CRC


def test_backlog_is_known_without_listing_and_survives_a_restart(tmp_path):
    spill = Spill(tmp_path)
    assert not spill.has_backlog()
    spill.append([("t", [(b"k", b"v")])])
    assert spill.has_backlog()
    spill.close()
    again = Spill(tmp_path)  # a collector restarted over an old backlog
    assert again.has_backlog()
    (segment,) = again.sealed_segments()
    again.remove(segment)
    assert not again.has_backlog() and not again.segments()


def record(i: int) -> tuple[bytes, bytes]:
    return b"s.example\0v", msgspec.json.encode({"path": f"/{i}"})


def store(commit: GroupCommit, i: int) -> asyncio.Task:
    """A request storing one record; it returns once the record is durable."""
    return asyncio.ensure_future(commit.store([record(i)]))


async def test_stream_down_spills_then_replays_in_order(tmp_path):
    log = MemoryLog(1)
    counters = Counters()
    commit = GroupCommit(log.producer(), Spill(tmp_path), counters,
                         interval_ms=1, timeout_ms=200, replay_interval_ms=20)
    await commit.start()
    await asyncio.gather(*(store(commit, i) for i in range(5)))
    log.available = False
    for i in range(5, 15):
        await store(commit, i)
    assert counters.spilled == 10 and commit.spill.has_backlog()
    log.available = True
    later = [store(commit, i) for i in range(15, 20)]  # arrive while the backlog exists: must queue behind it
    await asyncio.gather(*later)
    for _ in range(100):
        await asyncio.sleep(0.02)
        if not commit.spill.has_backlog() and not commit.events:
            break
    await commit.stop()
    paths = [msgspec.json.decode(v)["path"] for v in log.values(EVENTS_TOPIC)]
    assert paths == [f"/{i}" for i in range(20)]
    assert not list(tmp_path.glob("*.spill"))


async def test_spill_left_by_a_crash_is_replayed_at_start(tmp_path):
    Spill(tmp_path).append([(EVENTS_TOPIC, [(b"k", b"left-over")])])
    log = MemoryLog(1)
    commit = GroupCommit(log.producer(), Spill(tmp_path), Counters(), replay_interval_ms=10)
    await commit.start()
    for _ in range(100):
        await asyncio.sleep(0.02)
        if log.values(EVENTS_TOPIC):
            break
    await commit.stop()
    assert log.values(EVENTS_TOPIC) == [b"left-over"]


async def test_batch_waits_until_durable(tmp_path):
    log = MemoryLog(1)
    commit = GroupCommit(log.producer(), Spill(tmp_path), Counters())
    await commit.start()
    await commit.store([(b"k", b"v")])
    assert log.values(EVENTS_TOPIC) == [b"v"]
    await commit.stop()


async def test_collector_starting_while_the_stream_is_down_spills_then_connects(tmp_path):
    from tracker.stream.port import StreamUnavailable

    log = MemoryLog(1)

    class Flaky(type(log.producer())):
        starts = 0

        async def start(self) -> None:
            Flaky.starts += 1
            if not log.available:
                raise StreamUnavailable("not yet")

    log.available = False
    commit = GroupCommit(Flaky(log), Spill(tmp_path), Counters(), replay_interval_ms=20)
    await commit.start()
    assert commit.stream_up is False
    await store(commit, 1)
    assert commit.counters.spilled == 1
    log.available = True
    for _ in range(100):
        await asyncio.sleep(0.02)
        if log.values(EVENTS_TOPIC):
            break
    await commit.stop()
    assert len(log.values(EVENTS_TOPIC)) == 1 and Flaky.starts >= 2
