"""Kill -9 a real writer process again and again while events flow: exactly N counted.

Real processes: ``python -m tracker writer`` on the local durable log and chDB; the
test appends with the local log's producer and reads the answer from the query API.
"""

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tracker.event import EVENTS_TOPIC

pytestmark = pytest.mark.integration
N = 6_000
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_writer(tmp_path, port):
    env = {**os.environ,
           "TESSERA_WRITER_STREAM_BACKEND": "local",
           "TESSERA_WRITER_STREAM_DIR": str(tmp_path / "stream"),
           "TESSERA_WRITER_OLAP_DSN": f"chdb://{tmp_path / 'olap'}",
           "TESSERA_WRITER_BATCH_MAX_ROWS": "150",
           "TESSERA_WRITER_BATCH_MAX_AGE_MS": "20"}
    return subprocess.Popen([sys.executable, "-m", "tracker", "writer", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "writer.log", "ab"))


def views(port) -> int | None:
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/api/v1/metrics/visitors", timeout=2, params={
            "site": "demo.local", "from": (T0 - timedelta(hours=1)).isoformat(),
            "to": (T0 + timedelta(days=1)).isoformat()})
        return r.json()["views"] if r.status_code == 200 else None
    except httpx.HTTPError:
        return None


async def produce(kit, tmp_path, stop_after: float):
    from tracker.stream.local import LocalProducer

    producer = LocalProducer(tmp_path / "stream", 4)
    await producer.start()
    try:
        chunk = 100
        for start in range(0, N, chunk):
            events = [kit.make_event(i, ts=T0 + timedelta(milliseconds=i * 37)) for i in range(start, start + chunk)]
            await producer.send_batch(EVENTS_TOPIC, [kit.encode(e) for e in events])
            await asyncio.sleep(stop_after / (N / chunk))
    finally:
        await producer.stop()


async def test_kill_minus_nine_repeatedly_still_counts_exactly_n(kit, tmp_path):
    rng = random.Random(7)
    port = free_port()
    feeding = asyncio.create_task(produce(kit, tmp_path, stop_after=8.0))
    kills = 0
    while not feeding.done() or kills < 4:
        proc = start_writer(tmp_path, port)
        await asyncio.sleep(rng.uniform(1.5, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    await feeding
    proc = start_writer(tmp_path, port)
    try:
        deadline = time.monotonic() + 60
        seen = None
        while time.monotonic() < deadline:
            seen = views(port)
            if seen is not None and seen >= N:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # anything double counted would show up by now
        assert views(port) == N, f"after {kills} kills: {seen}"
        progress = httpx.get(f"http://127.0.0.1:{port}/api/v1/writer/progress").json()
        assert progress["dead_lettered"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean stop
