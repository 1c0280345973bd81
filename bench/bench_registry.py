"""Registry under sidecar load: 1,000 simulated sidecars heartbeating every 3 s
(≈333 req/s) against one registry process, and catalogue listings of 1,000 widgets.

    python bench/bench_registry.py [--quick]      (or: python bench/run.py --only registry)

The registry runs as a real process (``python -m registry``, uvicorn, SQLite in a temp
dir), pinned to one core; the load comes from this process, pinned to the other cores,
over raw asyncio HTTP/1.1 keep-alive connections (one per sidecar). The registry's CPU
is read from /proc/<pid>/stat over the measured window.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SIDECARS = 1000
INTERVAL = 3.0
CPU_CEILING = 0.10  # of one core
P99_CEILING_MS = 20.0
ORIGIN = "http://127.0.0.1:8100"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (its threads included), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_queue_wait(pid: int) -> float:
    """Seconds ``pid``'s threads spent runnable but waiting for a CPU (contention)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            total += int((task / "schedstat").read_text().split()[1]) / 1e9
    return total


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def manifest(i: int) -> dict:
    return {
        "id": f"bench-widget-{i}",
        "version": "1.0.0",
        "team": f"team-{i % 20}",
        "label": f"Bench widget {i}",
        "description": "A widget announced by a simulated sidecar for the registry benchmark.",
        "tags": ["bench", f"group-{i % 10}"],
        "element": f"bench-widget-{i}",
        "module": f"{ORIGIN}/bench-{i}/dist/widget.js",
        "attributes": {"type": "object", "properties": {"site": {"type": "string"}}},
        "emits": {"bench-selected": {"type": "object"}},
        "accepts": {"site-selected": {"type": "object"}},
        "dataProducts": ["tracker.pageviews"],
        "ttl": 15,
    }


class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time (like one sidecar)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: str = "") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: 0\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


TRIVIAL_APP = """
import sys, uvicorn
async def app(scope, receive, send):
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"{}"})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False,
            lifespan="off", proxy_headers=False, server_header=False)
"""


class Registry:
    """``python -m registry`` on a free port, pinned to one core, in a temp directory."""

    def __init__(self, tmp: str, core: int, *, trivial: bool = False) -> None:
        self.port = free_port()
        self.core = core
        self.tokens = {} if trivial else issue_tokens(f"sqlite:///{tmp}/registry.db")  # before it starts
        env = {**os.environ, "TESSERA_REGISTRY_DATABASE_URL": f"sqlite:///{tmp}/registry.db", "PYTHONUNBUFFERED": "1"}
        env.pop("TESSERA_REGISTRY_REQUIRE_TOKENS", None)  # the default: team tokens on every write
        env["TESSERA_REGISTRY_ALLOWED_ORIGINS"] = ORIGIN  # the simulated sidecars' loopback widget host (as make up does)
        command = ["-c", TRIVIAL_APP, str(self.port)] if trivial else ["-m", "registry", "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [sys.executable, *command], env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.health = "/" if trivial else "/healthz"
        self.pinned = pin(self.proc.pid, {core})
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base}{self.health}").status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("registry did not become healthy")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def idlest_core(cores: set[int], seconds: float = 0.5) -> int:
    """The core with the most idle time over ``seconds`` (other work shares this machine)."""

    def idle() -> dict[int, int]:
        found = {}
        for line in Path("/proc/stat").read_text().splitlines():
            name, *values = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cores:
                found[int(name[3:])] = int(values[3]) + int(values[4])  # idle + iowait
        return found

    try:
        before = idle()
        time.sleep(seconds)
        after = idle()
        return max(after, key=lambda core: after[core] - before.get(core, 0))
    except (OSError, ValueError):
        return min(cores)


def pin(pid: int, cores: set[int]) -> bool:
    if not hasattr(os, "sched_setaffinity"):
        return False
    try:
        available = os.sched_getaffinity(0)
        chosen = cores & available or {min(available)}
        os.sched_setaffinity(pid, chosen)
        return True
    except OSError:
        return False


def issue_tokens(database_url: str) -> dict[str, str]:
    """A team token per bench team, in the registry's database (as ``tokens create`` does)."""
    from registry.bootstrap import open_stores, utc_now
    from registry.service_layer.tokens import create_token
    from registry.settings import RegistrySettings

    _widgets, store, engine = open_stores(RegistrySettings(database_url=database_url))
    try:
        return {f"team-{t}": create_token(store, f"team-{t}", utc_now())[1] for t in range(20)}
    finally:
        engine.dispose()


async def register_all(registry: Registry, n: int) -> list[str]:
    """PUT every widget with its team's token; each sidecar's heartbeat headers (token, If-Match)."""
    headers = [""] * n
    async with httpx.AsyncClient(base_url=registry.base, timeout=30) as client:
        semaphore = asyncio.Semaphore(16)

        async def one(i: int) -> None:
            doc = manifest(i)
            auth = f"Bearer {registry.tokens[doc['team']]}"
            async with semaphore:
                r = await client.put(f"/api/v1/widgets/bench-widget-{i}", json=doc,
                                     headers={"X-Tessera-Origin": ORIGIN, "Authorization": auth})
                r.raise_for_status()
            headers[i] = f"Authorization: {auth}\r\nIf-Match: {r.headers['etag']}\r\n"

        await asyncio.gather(*(one(i) for i in range(n)))
    return headers


async def heartbeats(port: int, seconds: float, latencies: list[float], errors: list[int], headers: list[str] | None = None) -> None:
    """Each sidecar heartbeats on a fixed 3 s schedule (staggered), on its own connection,
    with its team token and the ETag of the manifest it announced."""
    start = time.perf_counter() + 0.5

    async def sidecar(i: int) -> None:
        conn = Connection(port)
        path = f"/api/v1/widgets/bench-widget-{i}/heartbeat"
        extra = headers[i] if headers else ""
        due = start + i * INTERVAL / SIDECARS
        try:
            while due < start + seconds:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                t0 = time.perf_counter()
                status, _ = await conn.request("POST", path, extra)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors.append(status)
                due += INTERVAL
        finally:
            conn.close()

    await asyncio.gather(*(sidecar(i) for i in range(SIDECARS)))


async def listings(port: int, count: int, rate: float, *, cold: bool) -> list[float]:
    """GET /api/v1/widgets at ``rate``/s; ``cold`` varies the query's letter case so the
    registry's listing cache misses and renders all 1,000 widgets each time."""
    conn, latencies = Connection(port), []
    try:
        for _ in range(count):
            path = "/api/v1/widgets"
            if cold:
                path += "?q=" + "".join(c.upper() if random.random() < 0.5 else c for c in "bench-widget")
            t0 = time.perf_counter()
            status, body = await conn.request("GET", path)
            latencies.append(time.perf_counter() - t0)
            assert status == 200 and body.count(b'"bench-widget-') >= SIDECARS, (status, body[:200])
            await asyncio.sleep(1 / rate)
    finally:
        conn.close()
    return latencies


async def loop_lag(samples: list[float], period: float = 0.01) -> None:
    """How late this (load-generating) process wakes up: its own share of any latency."""
    while True:
        t0 = time.perf_counter()
        await asyncio.sleep(period)
        samples.append(time.perf_counter() - t0 - period)


async def measure(registry: Registry, quick: bool) -> dict:
    window = 10.0 if quick else 30.0
    sidecar_headers = await register_all(registry, SIDECARS)
    await asyncio.sleep(1.0)
    beat_latencies: list[float] = []
    errors: list[int] = []
    load = asyncio.create_task(
        heartbeats(registry.port, window + 1.0 + (12.0 if quick else 35.0), beat_latencies, errors, sidecar_headers))
    await asyncio.sleep(1.0 + INTERVAL)  # every sidecar connected and in its rhythm
    beat_latencies.clear()
    lags: list[float] = []
    lag_task = asyncio.create_task(loop_lag(lags))
    pid = registry.proc.pid
    cpu0, wait0, wall0 = cpu_seconds(pid), run_queue_wait(pid), time.perf_counter()
    await asyncio.sleep(window)
    cpu1, wait1, wall1 = cpu_seconds(pid), run_queue_wait(pid), time.perf_counter()
    beats = list(beat_latencies)
    lag_task.cancel()
    client_lag = p99(lags)
    warm = await listings(registry.port, 100 if quick else 300, 20, cold=False)
    cold = await listings(registry.port, 50 if quick else 150, 10, cold=True)
    wait2, wall2 = run_queue_wait(pid), time.perf_counter()
    load.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await load
    return {
        "cpu": (cpu1 - cpu0) / (wall1 - wall0),
        "waiting": (wait1 - wait0) / (wall1 - wall0),
        "waiting_list": (wait2 - wait1) / (wall2 - wall1),
        "load": os.getloadavg()[0],
        "client_lag": client_lag,
        "rate": len(beats) / (wall1 - wall0),
        "beat_p99": p99(beats),
        "errors": len(errors),
        "list_p99": p99(warm),
        "list_cold_p99": p99(cold),
    }


async def measure_floor(server: Registry, quick: bool) -> dict:
    """The same heartbeat load against a do-nothing ASGI app on the same uvicorn: the floor
    (uvicorn, sockets, this machine's current contention) under the registry's figures."""
    window = 10.0 if quick else 30.0
    latencies: list[float] = []
    load = asyncio.create_task(heartbeats(server.port, window + 1.0 + INTERVAL + 1.0, latencies, []))
    await asyncio.sleep(1.0 + INTERVAL)
    latencies.clear()
    cpu0, wall0 = cpu_seconds(server.proc.pid), time.perf_counter()
    await asyncio.sleep(window)
    cpu1, wall1 = cpu_seconds(server.proc.pid), time.perf_counter()
    beats = list(latencies)
    load.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await load
    return {"cpu": (cpu1 - cpu0) / (wall1 - wall0), "beat_p99": p99(beats)}


def result(name: str, value: float, unit: str, ceiling: float, ceiling_name: str, target: str) -> dict:
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "ceiling": ceiling,
        "ceiling_name": ceiling_name,
        "ratio": round(value / ceiling, 4) if ceiling else 0.0,
        "target": target,
        "passed": value <= ceiling,
    }


def run(quick: bool = False) -> list[dict]:
    own = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    core = idlest_core(own) if own else 0
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        registry = Registry(tmp, core)
        try:
            registry.wait_ready()
            if len(own) > 1:
                pin(0, own - {core})  # keep the load generator off the registry's core
            figures = asyncio.run(measure(registry, quick))
        finally:
            registry.stop()
        floor_server = Registry(tmp, core, trivial=True)
        try:
            floor_server.wait_ready()
            floor = asyncio.run(measure_floor(floor_server, quick))
        finally:
            floor_server.stop()
            if own:
                os.sched_setaffinity(0, own)
    pinned = f"pinned to core {core}" if registry.pinned else "not pinned"
    context = (f"machine load {figures['load']:.1f} on {os.cpu_count()} cores; the registry waited for its core "
               f"{figures['waiting'] * 100:.1f}% of the window; the load generator's own wake-up lag p99 "
               f"{figures['client_lag']:.1f} ms)")
    list_context = (f"machine load {figures['load']:.1f}; the registry waited for its core "
                    f"{figures['waiting_list'] * 100:.1f}% of the time")
    return [
        result("heartbeat CPU (1,000 sidecars / 3 s)", figures["cpu"] * 100, "% of a core", CPU_CEILING * 100,
               "10% of one core", f"<= 10% of a core ({pinned}; {figures['rate']:.0f} req/s measured, {figures['errors']} errors)"),
        result("heartbeat p99", figures["beat_p99"], "ms", P99_CEILING_MS, "20 ms", f"<= 20 ms ({context}"),
        result("floor: do-nothing uvicorn app, same load, CPU", floor["cpu"] * 100, "% of a core", CPU_CEILING * 100,
               "10% of one core", "context for the heartbeat CPU figure (what uvicorn and the sockets alone cost)"),
        result("floor: do-nothing uvicorn app, same load, p99", floor["beat_p99"], "ms", P99_CEILING_MS, "20 ms",
               "context for the heartbeat p99 (this machine's contention at the time)"),
        result("list 1,000 widgets p99 (cached)", figures["list_p99"], "ms", P99_CEILING_MS, "20 ms",
               f"<= 20 ms, while heartbeats run ({list_context})"),
        result("list 1,000 widgets p99 (cache miss, full render)", figures["list_cold_p99"], "ms", P99_CEILING_MS, "20 ms",
               f"<= 20 ms, while heartbeats run ({list_context})"),
    ]


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        mark = "ok  " if r["passed"] else "MISS"
        print(f"[{mark}] {r['name']}: {r['value']:.3f} {r['unit']} (ceiling {r['ceiling']} {r['unit']}; {r['target']})")
