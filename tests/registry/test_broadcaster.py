import asyncio

from registry.domain.events import Kind, WidgetChanged
from registry.service_layer.broadcaster import Broadcaster


def event(i):
    return WidgetChanged(Kind.UPDATED, f"w{i}", {"id": f"w{i}"})


async def test_every_subscriber_gets_every_event():
    hub = Broadcaster()
    async with hub.subscribe() as a, hub.subscribe() as b:
        assert hub.subscribers == 2
        hub.publish(event(1))
        hub.publish(event(2))
        got_a = [await anext(a), await anext(a)]
        got_b = [await anext(b), await anext(b)]
    assert [e.widget_id for e in got_a] == [e.widget_id for e in got_b] == ["w1", "w2"]
    assert hub.subscribers == 0


async def test_a_slow_subscriber_is_dropped_not_blocking():
    hub = Broadcaster(max_backlog=3)
    async with hub.subscribe() as slow:
        for i in range(10):
            hub.publish(event(i))
        assert hub.subscribers == 0
        received = [e async for e in slow]
    assert len(received) == 2  # what fitted, then the end-of-stream marker


async def test_close_ends_streams():
    hub = Broadcaster()
    async with hub.subscribe() as stream:
        hub.close()
        assert [e async for e in stream] == []


async def test_publish_without_subscribers_is_a_no_op():
    Broadcaster().publish(event(0))
    await asyncio.sleep(0)
