import asyncio

import pytest

from resilience.bulkhead import Bulkhead, BulkheadFull


async def test_rejects_at_once_when_saturated():
    bulkhead = Bulkhead(2, "data-api")
    release = asyncio.Event()

    async def slow():
        async with bulkhead:
            await release.wait()

    tasks = [asyncio.create_task(slow()) for _ in range(2)]
    await asyncio.sleep(0)
    assert bulkhead.in_flight == 2 and bulkhead.available == 0
    with pytest.raises(BulkheadFull) as err:
        async with bulkhead:
            pass
    assert err.value.name == "data-api" and bulkhead.rejected == 1
    release.set()
    await asyncio.gather(*tasks)
    assert bulkhead.in_flight == 0
    async with bulkhead:
        assert bulkhead.in_flight == 1


async def test_other_bulkheads_are_unaffected():
    data_api, layouts = Bulkhead(1, "data-api"), Bulkhead(1, "layouts")
    async with data_api:
        async with layouts:
            assert layouts.in_flight == 1


async def test_short_wait_gets_a_slot_freed_in_time():
    bulkhead = Bulkhead(1, "x", wait=1.0)

    async def brief():
        async with bulkhead:
            await asyncio.sleep(0.01)

    task = asyncio.create_task(brief())
    await asyncio.sleep(0)
    async with bulkhead:
        pass
    await task


async def test_short_wait_gives_up():
    bulkhead = Bulkhead(1, "x", wait=0.02)
    async with bulkhead:
        with pytest.raises(BulkheadFull):
            await bulkhead.acquire()
    assert bulkhead.in_flight == 0


async def test_slot_released_on_error():
    bulkhead = Bulkhead(1, "x")
    with pytest.raises(RuntimeError):
        async with bulkhead:
            raise RuntimeError
    assert bulkhead.available == 1


def test_bad_limit():
    with pytest.raises(ValueError):
        Bulkhead(0, "x")
