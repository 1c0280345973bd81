import asyncio
import json

import httpx

from sidecar.registry_client import HttpRegistry, LabRegistry
from sidecar.runner import bootstrap, load_manifest, tick_until
from sidecar.settings import SidecarSettings


class SlowLifecycle:
    def __init__(self, tick_seconds: float, delay: float) -> None:
        self.tick_seconds, self.delay, self.ticks, self.cancelled = tick_seconds, delay, 0, False

    async def tick(self) -> float:
        self.ticks += 1
        try:
            await asyncio.sleep(self.tick_seconds)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return self.delay


async def test_stop_interrupts_a_tick_in_flight():
    lifecycle, stop = SlowLifecycle(tick_seconds=10, delay=0), asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)
    await asyncio.wait_for(tick_until(lifecycle, stop), 1)
    assert lifecycle.cancelled


async def test_sleeps_what_the_lifecycle_asks():
    lifecycle, stop = SlowLifecycle(tick_seconds=0, delay=0.05), asyncio.Event()
    asyncio.get_running_loop().call_later(0.12, stop.set)
    await asyncio.wait_for(tick_until(lifecycle, stop), 1)
    assert 2 <= lifecycle.ticks <= 4


def test_bootstrap_picks_the_registry_adapter(tmp_path, monkeypatch):
    for name in ("ID", "BODY", "HOSTPORT", "FREQUENCY_IN_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"id": "w", "element": "x-w", "module": "w.js"}))
    settings = SidecarSettings(manifest=path, widget_url="http://h:1/w/", token="t")
    lifecycle = bootstrap(settings, load_manifest(settings), httpx.AsyncClient(), print)
    assert type(lifecycle.registry) is HttpRegistry
    assert lifecycle.registry.headers == {"X-Tessera-Origin": "http://h:1", "Authorization": "Bearer t"}

    body = {"webComponent": {"jsUrl": "http://h:1/w.js", "componentId": "x-w"}, "label": "W"}
    monkeypatch.setenv("ID", "w")
    monkeypatch.setenv("BODY", json.dumps(body))
    monkeypatch.setenv("FREQUENCY_IN_SECONDS", "7")
    lab = SidecarSettings()
    lifecycle = bootstrap(lab, load_manifest(lab), httpx.AsyncClient(), print)
    assert type(lifecycle.registry) is LabRegistry
    assert lifecycle.interval == 7
