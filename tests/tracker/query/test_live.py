import asyncio

from tracker.query.live import LiveFeed


def test_ids_increase_even_when_the_clock_stalls():
    feed = LiveFeed(clock=lambda: 1000.0)
    ids = [feed.publish("minute", {"i": i}).id for i in range(3)]
    assert ids == [1_000_000, 1_000_001, 1_000_002]


def test_resume_returns_what_came_after_and_the_ring_forgets():
    feed = LiveFeed(ring=3)
    events = [feed.publish("minute", {"i": i}) for i in range(5)]
    assert [e.data["i"] for e in feed.since(events[2].id)] == [3, 4]
    assert [e.data["i"] for e in feed.since(0)] == [2, 3, 4]
    assert feed.since(None) == []


async def test_next_waits_for_a_publish():
    feed = LiveFeed()
    start = feed.last_id
    waiter = asyncio.create_task(feed.next(start, timeout=2))
    await asyncio.sleep(0.01)
    feed.publish("minute", {"x": 1})
    got = await waiter
    assert [e.data for e in got] == [{"x": 1}]
    assert await feed.next(feed.last_id, timeout=0.01) == []
