"""Kill -9 a real collector process again and again under load: every hit it answered
with a 2xx is on the stream, exactly once (the answer waits for the append)."""

import asyncio
import collections
import signal
import threading
import time

import httpx
import msgspec
import pytest

from tracker.event import EVENTS_TOPIC
from tracker.settings import StreamSettings
from tracker.stream.factory import make_consumer
from tracker.stream.tansu import free_port

pytestmark = pytest.mark.integration
RATE = 500  # requests per second, all senders together
SENDERS = 8
KILLS = 3


class Load:
    """Senders that GET the pixel with a distinct path each and note which were answered 2xx."""

    def __init__(self, url: str) -> None:
        self.url, self.stop = url, threading.Event()
        self.acked: list[str] = []
        self.sent = 0
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(SENDERS)]

    def run(self, n: int) -> None:
        pause = SENDERS / RATE
        with httpx.Client(base_url=self.url, timeout=5,
                          headers={"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}) as http:
            i = 0
            while not self.stop.is_set():
                started = time.monotonic()
                path = f"/{n}/{i}"
                i += 1
                self.sent += 1
                try:
                    response = http.get("/t.gif", params={"site": "kill9.example", "url": f"https://kill9.example{path}"})
                    if 200 <= response.status_code < 300:
                        self.acked.append(path)
                except httpx.HTTPError:
                    time.sleep(0.02)  # the collector is down: try the next hit
                time.sleep(max(0.0, pause - (time.monotonic() - started)))

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(10)


async def paths_on_stream(stream_dir, want: set[str], timeout: float = 30.0) -> collections.Counter:
    settings = StreamSettings(stream_backend="local", stream_dir=stream_dir)
    consumer = make_consumer(settings, f"kill9-{time.monotonic_ns()}", [EVENTS_TOPIC])
    await consumer.start()
    counts: collections.Counter = collections.Counter()
    try:
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            got = 0
            for records in (await consumer.poll(1000, 300)).values():
                for r in records:
                    counts[msgspec.json.decode(r.value)["path"]] += 1
                    got += 1
            if want <= counts.keys() and not got:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 1.5:  # anything replayed twice would show by now
                    break
    finally:
        await consumer.stop()
    return counts


def test_kill_minus_nine_under_load_loses_no_acknowledged_hit(tmp_path, collector_process):
    port = free_port()
    collector = collector_process(tmp_path, port, TESSERA_COLLECTOR_STREAM_BACKEND="local")
    with Load(collector.url) as load:
        for _ in range(KILLS):
            time.sleep(1.5)
            collector.process.send_signal(signal.SIGKILL)
            collector.process.wait(10)
            collector = collector_process(tmp_path, port, TESSERA_COLLECTOR_STREAM_BACKEND="local")
        time.sleep(1.0)
    acked = set(load.acked)
    assert len(acked) == len(load.acked) and len(acked) > 300, f"only {len(acked)} of {load.sent} hits answered"
    counts = asyncio.run(paths_on_stream(tmp_path / "stream", acked))
    missing = acked - counts.keys()
    twice = {p: n for p, n in counts.items() if n > 1}
    print(f"\n{load.sent} sent, {len(acked)} answered 2xx, {len(counts)} on the stream, {KILLS} kills")
    assert not missing, f"{len(missing)} hits answered 2xx are not on the stream, e.g. {sorted(missing)[:5]}"
    assert not twice, f"{len(twice)} hits on the stream more than once, e.g. {list(twice.items())[:5]}"
    assert collector.stats()["lost"] == 0
