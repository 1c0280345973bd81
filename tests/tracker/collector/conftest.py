import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from tracker.collector.app import create_app
from tracker.collector.settings import CollectorSettings
from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.stream.memory import MemoryLog
from tracker.stream.tansu import TansuBroker, free_port

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")


@pytest.fixture
def settings(tmp_path):
    return CollectorSettings(stream_backend="memory", stream_dir=tmp_path / "stream", spill_dir=tmp_path / "spill",
                             salts_dir=tmp_path / "salts", flush_interval_ms=1, replay_interval_ms=50,
                             stream_timeout_ms=500)


class Collector:
    """The app on an in-memory stream, with helpers to read what reached the stream."""

    def __init__(self, app, log: MemoryLog) -> None:
        self.app, self.log = app, log
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5555)),
                                      base_url="http://collector", headers={"user-agent": CHROME})

    async def flush(self) -> None:
        await self.app.committer.flush()

    async def events(self) -> list[dict]:
        await self.flush()
        return [msgspec.json.decode(v) for v in self.log.values(EVENTS_TOPIC)]

    async def dead(self) -> list[dict]:
        await self.flush()
        return [msgspec.json.decode(v) for v in self.log.values(DEAD_LETTER_TOPIC)]


@pytest.fixture
async def make_collector(settings):
    started = []

    async def make(**overrides) -> Collector:
        log = MemoryLog(4)
        app = create_app(settings.model_copy(update=overrides), producer=log.producer())
        await app.committer.start()
        started.append(Collector(app, log))
        return started[-1]

    yield make
    for c in started:
        await c.http.aclose()
        await c.app.committer.stop()


@pytest.fixture
async def collector(make_collector):
    return await make_collector()


@pytest.fixture(scope="session")
def tansu_broker():
    broker = TansuBroker().start()
    yield broker
    broker.stop()


class CollectorProcess:
    def __init__(self, tmp: Path, port: int | None = None, **env: str) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "TESSERA_COLLECTOR_STREAM_DIR": str(tmp / "stream"),
                    "TESSERA_COLLECTOR_SPILL_DIR": str(tmp / "spill"),
                    "TESSERA_COLLECTOR_SALTS_DIR": str(tmp / "salts"),
                    "TESSERA_COLLECTOR_STREAM_TIMEOUT_MS": "1000",
                    "TESSERA_COLLECTOR_REPLAY_INTERVAL_MS": "200", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "collector", "--port", str(self.port), "--log-level", "warning"],
            env=self.env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/livez", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.process.kill()
        self.process.wait()
        raise RuntimeError("collector did not start")

    def stats(self) -> dict:
        return httpx.get(self.url + "/stats").json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


@pytest.fixture
def collector_process():
    """Start ``python -m tracker collector`` processes; all are stopped after the test."""
    started: list[CollectorProcess] = []

    def start(tmp: Path, port: int | None = None, **env: str) -> CollectorProcess:
        started.append(CollectorProcess(tmp, port, **env))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.stop()
