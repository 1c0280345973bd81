"""The event bus (issue 9): in-page delivery p95 to 20 widgets on one channel (≤ 2 ms),
main window → golden-layout popout delivery p95 (≤ 50 ms), and the live relay's p95 from
the presenter's POST to 50 SSE followers (≤ 100 ms).

    python bench/bench_bus.py [--quick]      (or: python bench/run.py --only bus)

Real processes and a real Chromium: the dashboard (``python -m dashboard``, SQLite in a temp
dir), a static host for the bus test widgets (tests/dashboard/bus_widgets) and the kit, a
small registry stub in this process. In-page: a layout of one sender and 20 receivers on the
default channel; the page times ``dispatchEvent`` on the sender until the shell has
validated, routed and delivered to all 20 (delivery is synchronous), one event every 40 ms
(under the per-window rate limit). Popout: the receiver is popped out; each event's send
time (main) and arrival (popout) are read on the same clock (``timeOrigin + now``). Relay:
a live view link's 50 followers stream ``/api/v1/shared/live`` with the link's token
(httpx, one asyncio loop in this process)
while the presenter posts messages 50 ms apart; latency = arrival at each follower − POST
start. Each figure is also given against a floor measured in the same run (a bare
``dispatchEvent`` to 20 listeners; a BroadcastChannel round trip; an SSE ping of one
follower), so the ratio reads through the machine's load.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
RECEIVERS = 20
FOLLOWERS = 50
TOPIC = json.loads((ROOT / "dashboard" / "topics" / "referrer.selected.json").read_text())
READY = "n => [...document.querySelectorAll('tessera-widget-frame')].filter(f => f.status === 'ready').length === n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(math.ceil(len(ordered) * q)) - 1)]


def result(name: str, value: float, unit: str, ceiling: float, ceiling_name: str, target: str) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "ceiling": ceiling, "ceiling_name": ceiling_name,
            "ratio": round(value / ceiling, 4), "target": target, "passed": value <= ceiling}


def manifest(widget_id: str, element: str, host: str, emits: dict | None = None, accepts: dict | None = None) -> dict:
    return {"id": widget_id, "version": "1.0.0", "team": "bench", "label": widget_id, "description": "bench",
            "tags": [], "icon": None, "element": element, "module": f"{host}/bus/bus-widgets.js", "stylesheet": None,
            "integrity": None, "attributes": {"type": "object", "properties": {}}, "emits": emits or {},
            "accepts": accepts or {}, "dataProducts": [], "ttl": 3600, "status": "live", "origin": host,
            "last_seen": "2026-01-01T00:00:00Z", "lease_expires_at": "2999-01-01T00:00:00Z"}


def stubs(host: str) -> Starlette:
    widgets = [manifest("bus-sender", "bus-sender", host, emits={"referrer.selected": TOPIC}),
               manifest("bus-filter-view", "bus-filter-view", host,
                        accepts={"referrer.selected": TOPIC})]

    async def listing(request: Request) -> Response:
        return JSONResponse({"items": widgets})

    async def nothing(request: Request) -> Response:
        return JSONResponse({"detail": "not here"}, status_code=404)

    return Starlette(routes=[Route("/api/v1/widgets", listing), Route("/{rest:path}", nothing)])


def window(widget_id: str, window_id: str) -> dict:
    return {"type": "component", "componentType": "tessera-widget", "title": window_id,
            "componentState": {"widgetId": widget_id, "version": "1.0.0", "attributes": {}, "windowId": window_id}}


def layout() -> dict:
    stacks = [{"type": "stack", "content": [window("bus-filter-view", f"r{s * 5 + i}") for i in range(5)]}
              for s in range(RECEIVERS // 5)]
    return {"root": {"type": "row", "content": [window("bus-sender", "sender"), *stacks]}}


IN_PAGE = """async (n) => {
  const sender = document.querySelector('bus-sender');
  const views = [...document.querySelectorAll('bus-filter-view')];
  const before = views.map(v => v.received.length);
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    sender.dispatchEvent(new CustomEvent('referrer.selected', {detail: {referrer: `r${i}.example`}, bubbles: true, composed: true}));
    samples.push(performance.now() - t0);
    await new Promise(r => setTimeout(r, 40));
  }
  const delivered = views.map((v, i) => v.received.length - before[i]);
  // the floor, paced the same way: a bare dispatchEvent to as many plain listeners that write the same text
  const target = new EventTarget(); const floor = [];
  for (const v of views) target.addEventListener('x', (e) => { v.querySelector('.count').textContent = e.detail.n; });
  for (let i = 0; i < n; i++) {
    const t0 = performance.now(); target.dispatchEvent(new CustomEvent('x', {detail: {n: `${i} messages`}})); floor.push(performance.now() - t0);
    await new Promise(r => setTimeout(r, 40));
  }
  return {samples, delivered, floor};
}"""


def browser_figures(base: str, made: dict, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 900})
            context.add_init_script(
                f"localStorage.setItem('tessera.editKeys', JSON.stringify({{'{made['id']}': '{made['editKey']}'}}))")
            page = context.new_page()
            page.goto(f"{base}/l/{made['id']}")
            page.wait_for_function(READY, arg=RECEIVERS + 1, timeout=60_000)
            page.evaluate(IN_PAGE, 10)  # warm-up
            in_page = page.evaluate(IN_PAGE, runs)
            # popout: pop out the first receiver's stack member
            stack = page.locator(".lm_stack").nth(1)
            stack.locator(".lm_tab", has_text="r0").click()
            with page.expect_popup() as opened:
                stack.locator(".lm_popout").click()
            popup = opened.value
            popup.wait_for_function("() => document.querySelector('tessera-widget-frame')?.status === 'ready'", timeout=30_000)
            popup.evaluate("""() => { window.arrivals = {};
              document.querySelector('bus-filter-view').addEventListener('tessera-message', (e) => {
                arrivals[e.detail.payload.referrer] = performance.timeOrigin + performance.now(); }); }""")
            sent = page.evaluate("""async (n) => { const sender = document.querySelector('bus-sender'); const sent = {};
              for (let i = 0; i < n; i++) { const key = `p${i}.example`; sent[key] = performance.timeOrigin + performance.now();
                sender.dispatchEvent(new CustomEvent('referrer.selected', {detail: {referrer: key}, bubbles: true, composed: true}));
                await new Promise(r => setTimeout(r, 40)); }
              return sent; }""", runs)
            popup.wait_for_timeout(300)
            arrivals = popup.evaluate("() => arrivals")
            popout = [arrivals[key] - at for key, at in sent.items() if key in arrivals]
            # the floor: a bare BroadcastChannel hop main → popout on the same clock
            popup.evaluate("""() => { window.hops = []; const c = new BroadcastChannel('bench-floor');
              c.onmessage = (e) => hops.push(performance.timeOrigin + performance.now() - e.data); }""")
            page.evaluate("""async (n) => { const c = new BroadcastChannel('bench-floor');
              for (let i = 0; i < n; i++) { c.postMessage(performance.timeOrigin + performance.now()); await new Promise(r => setTimeout(r, 40)); } }""",
                          runs)
            popup.wait_for_timeout(300)
            floor = popup.evaluate("() => hops")
            return {"in_page": in_page, "popout": popout, "popout_lost": len(sent) - len(popout), "popout_floor": floor}
        finally:
            browser.close()


async def relay_figures(base: str, messages: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        window = {"type": "component", "componentType": "tessera-widget",
                  "componentState": {"widgetId": "bench", "windowId": "w"}}
        layout = (await client.post("/api/v1/layouts", json={"title": "Relay bench",
                                                             "layout": {"root": {"type": "row", "content": [window]}}})).json()
        link = (await client.post(f"/api/v1/layouts/{layout['id']}/links", json={"role": "view", "live": True},
                                  headers={"Authorization": f"Bearer {layout['editKey']}"})).json()
        relay = link["live"]
        key = {"Authorization": f"Bearer {relay['publishKey']}"}
        token = {"Authorization": f"Bearer {link['token']}"}
        sent: dict[str, float] = {}
        latencies: list[float] = []
        connected = 0
        everyone = asyncio.Event()

        async def follower() -> None:
            nonlocal connected
            async with httpx.AsyncClient(base_url=base, timeout=60) as own:
                async with own.stream("GET", relay["eventsUrl"], headers=token) as stream:
                    connected += 1
                    if connected == FOLLOWERS:
                        everyone.set()
                    seen = 0
                    async for line in stream.aiter_lines():
                        if line.startswith("data:"):
                            arrived = time.perf_counter()
                            referrer = json.loads(line[5:])["payload"]["referrer"]
                            if referrer in sent:
                                latencies.append((arrived - sent[referrer]) * 1000)
                                seen += 1
                                if seen == messages:
                                    return

        tasks = [asyncio.create_task(follower()) for _ in range(FOLLOWERS)]
        await asyncio.wait_for(everyone.wait(), 30)
        await asyncio.sleep(0.3)
        for i in range(messages):
            name = f"m{i}.example"
            sent[name] = time.perf_counter()
            await client.post(relay["messagesUrl"], headers=key,
                              json={"topic": "referrer.selected", "payload": {"referrer": name},
                                    "source": {"windowId": "w", "widgetId": "bench"}})
            await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
        # the floor: one plain request/answer round trip to the same process
        floor = []
        for _ in range(messages):
            started = time.perf_counter()
            await client.get("/healthz")
            floor.append((time.perf_counter() - started) * 1000)
        return {"latencies": latencies, "floor": floor}


def wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def run(quick: bool = False) -> list[dict]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError("chromium is not installed")
    if not (ROOT / "dashboard" / "web" / "dist" / "shell.js").is_file():
        subprocess.run(["node", "build.mjs"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    runs = 60 if quick else 200
    processes: list[subprocess.Popen] = []
    servers: list[uvicorn.Server] = []
    with tempfile.TemporaryDirectory(prefix="bench-bus-") as tmp:
        try:
            host_port, dash_port, stub_port = free_port(), free_port(), free_port()
            host_app = Starlette(routes=[
                Mount("/kit/v1", StaticFiles(directory=ROOT / "dashboard" / "web" / "dist" / "kit" / "v1")),
                Mount("/bus", StaticFiles(directory=ROOT / "tests" / "dashboard" / "bus_widgets"))])
            host = f"http://127.0.0.1:{host_port}"
            for app, port in ((host_app, host_port), (stubs(host), stub_port)):
                server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
                threading.Thread(target=server.run, daemon=True).start()
                servers.append(server)
            stub = f"http://127.0.0.1:{stub_port}"
            env = {**os.environ, "TESSERA_DASHBOARD_REGISTRY_URL": stub, "TESSERA_DASHBOARD_QUERY_URL": stub,
                   "TESSERA_DASHBOARD_DATABASE_URL": f"sqlite:///{tmp}/dashboard.db",
                   "TESSERA_DASHBOARD_WIDGET_ORIGINS": host}  # the widget host is allow-listed, as make up's is
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "dashboard", "--port", str(dash_port), "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            base = f"http://127.0.0.1:{dash_port}"
            wait_http(f"{base}/healthz")
            wait_http(f"{host}/bus/bus-widgets.js")
            made = httpx.post(f"{base}/api/v1/layouts", json={"title": "Bus bench", "layout": layout()},
                              timeout=10).raise_for_status().json()
            load = os.getloadavg()[0]
            figures = browser_figures(base, made, runs)
            relay = asyncio.run(relay_figures(base, 40 if quick else 100))
        finally:
            for server in servers:
                server.should_exit = True
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
    in_page = figures["in_page"]
    assert all(count == runs for count in in_page["delivered"]), in_page["delivered"]
    note = f"machine load {load:.1f} on {os.cpu_count()} cores"
    return [
        result(f"in-page delivery to {RECEIVERS} widgets on a channel (p95)", percentile(in_page["samples"], 0.95), "ms",
               2.0, "issue 9 target", f"≤ 2 ms ({runs} events; median {percentile(in_page['samples'], 0.5):.2f} ms; {note})"),
        {**result(f"in-page delivery ÷ a bare dispatchEvent to {RECEIVERS} listeners (p95, same run)",
                  percentile(in_page["samples"], 0.95), "ms", max(percentile(in_page["floor"], 0.95), 0.1),
                  "bare paced dispatch p95 (≥ 0.1 ms timer resolution)", "context: validation + routing + 20 frames"), "passed": True},
        result("main → popout delivery (p95)", percentile(figures["popout"], 0.95), "ms", 50.0, "issue 9 target",
               f"≤ 50 ms ({len(figures['popout'])} events, {figures['popout_lost']} lost; "
               f"bare BroadcastChannel hop p95 {percentile(figures['popout_floor'], 0.95):.2f} ms)"),
        result(f"relay, presenter POST → {FOLLOWERS} SSE followers (p95)", percentile(relay["latencies"], 0.95), "ms",
               100.0, "issue 9 target", f"≤ 100 ms ({len(relay['latencies'])} deliveries; median "
               f"{percentile(relay['latencies'], 0.5):.1f} ms; plain request round trip p95 {percentile(relay['floor'], 0.95):.1f} ms)"),
    ]


if __name__ == "__main__":
    for line in run(quick="--quick" in sys.argv):
        print(line)
