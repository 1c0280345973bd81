"""service_layer/upkeep.py: the background loop sweeps, flushes, and flushes on stop."""

import asyncio
from datetime import timedelta

from registry.adapters.repository import InMemoryWidgetRepository
from registry.service_layer.broadcaster import Broadcaster
from registry.service_layer.service import Registry
from registry.service_layer.upkeep import run_upkeep


async def test_loop_marks_stale_and_flushes(clock, make_manifest):
    repo = InMemoryWidgetRepository()
    registry = Registry(repo, Broadcaster(), clock=clock, grace=timedelta(seconds=30))
    await registry.announce("page-views", make_manifest(ttl=5), origin="http://127.0.0.1:8100", team=None)
    clock.advance(1)
    registry.heartbeat("page-views", team=None, etag=registry.etag("page-views"))
    task = asyncio.create_task(run_upkeep(registry, sweep_every=0.01, flush_every=0.02))
    async def flushed() -> None:  # a loaded machine may take longer than the 20 ms period
        while repo.widgets["page-views"].last_seen != clock.now:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(flushed(), 5)
    clock.advance(10)
    async with registry.broadcaster.subscribe() as feed:
        event = await asyncio.wait_for(anext(feed), 1)
    assert event.kind == "widget-stale"
    registry.heartbeat("page-views", team=None, etag=registry.etag("page-views"))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert repo.widgets["page-views"].last_seen == clock.now  # flushed on the way out


async def test_a_failing_store_keeps_leases_for_later(clock, make_manifest):
    class Flaky(InMemoryWidgetRepository):
        fail = True

        def save_leases(self, leases):
            if self.fail:
                raise OSError("disk away")
            super().save_leases(leases)

    repo = Flaky()
    registry = Registry(repo, Broadcaster(), clock=clock, grace=timedelta(seconds=30))
    await registry.announce("page-views", make_manifest(), origin="http://127.0.0.1:8100", team=None)
    clock.advance(1)
    registry.heartbeat("page-views", team=None, etag=registry.etag("page-views"))
    task = asyncio.create_task(run_upkeep(registry, sweep_every=0.01, flush_every=0.01))
    await asyncio.sleep(0.05)
    repo.fail = False
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert repo.widgets["page-views"].last_seen == clock.now
