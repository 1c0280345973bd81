"""A trickling widget host against a healthy one, through a real dashboard (issue 8 §2).

``python bench/bench_widget_proxy.py [--flood 40] [--trickle-every 3]``: starts a stub
registry listing two widgets, a healthy widget host (the repository's ``widgets/``), a
host that sends one byte every ``--trickle-every`` seconds, and a dashboard with its
default limits (both hosts allow-listed). It opens ``--flood`` fetches to the trickling
host, then fetches the healthy host's module ten times, and reports what each got and
how long the flood held the proxy. In ``bench/run.py`` as ``run()``: the healthy host's
median answer while flooded, against the proxy's own 10 s fetch limit.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dashboard.app import create_app
from dashboard.settings import DashboardSettings

ROOT = Path(__file__).resolve().parents[1]


def serve(app) -> tuple[str, uvicorn.Server]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


def measure(flood_size: int = 40, trickle_every: float = 3.0) -> dict:
    async def trickle(request):
        async def body():
            for _ in range(20):
                yield b" "
                await asyncio.sleep(trickle_every)
        return StreamingResponse(body(), media_type="text/javascript")

    healthy, _ = serve(Starlette(routes=[Mount("/", StaticFiles(directory=ROOT / "widgets"))]))
    slow, _ = serve(Starlette(routes=[Route("/slow/{name}", trickle)]))
    widgets = [
        {"id": "page-views", "label": "Page views", "element": "tessera-page-views", "status": "live",
         "module": f"{healthy}/page-views/dist/page-views.js"},
        {"id": "slow", "label": "Slow", "element": "tessera-slow", "status": "live", "module": f"{slow}/slow/slow.js"},
    ]
    registry, _ = serve(Starlette(routes=[Route("/api/v1/widgets", lambda r: JSONResponse({"items": widgets}))]))
    settings = DashboardSettings(registry_url=registry, widget_origins=[healthy, slow], database_url="sqlite://",
                                 catalogue_cache_seconds=60)
    dashboard, _ = serve(create_app(settings))

    httpx.get(f"{dashboard}/api/v1/catalogue", timeout=10)  # warm the catalogue cache
    started = time.monotonic()
    with ThreadPoolExecutor(flood_size) as pool:
        flood = [pool.submit(httpx.get, f"{dashboard}/widgets/slow/slow.js?n={n}", timeout=120)
                 for n in range(flood_size)]
        time.sleep(1.0)
        other, took = [], []
        for _ in range(10):
            t = time.monotonic()
            answer = httpx.get(f"{dashboard}/widgets/page-views/page-views.js", timeout=30)
            other.append(answer.status_code if answer.status_code != 404 else answer.text)
            took.append((time.monotonic() - t) * 1000)
        answers = Counter(f.result().status_code for f in flood)
    held = time.monotonic() - started
    return {"other": Counter(other), "median_ms": statistics.median(took), "flood": dict(answers), "held_s": held}


LIMIT_MS = 10_000.0  # the proxy's total limit per fetch (dashboard settings)


def run(quick: bool = False) -> list[dict]:
    m = measure(flood_size=20 if quick else 40)
    healthy = m["other"] == Counter({200: 10})
    return [{"name": f"healthy widget host through the proxy while {20 if quick else 40} fetches trickle from another "
                     f"(median of 10; answers {dict(m['other'])}; trickling host got {m['flood']}, "
                     f"flood over after {m['held_s']:.1f} s)",
             "value": m["median_ms"], "unit": "ms", "ceiling": LIMIT_MS, "ceiling_name": "the proxy's 10 s fetch limit",
             "ratio": m["median_ms"] / LIMIT_MS, "target": "all 10 answered 200 (issue 8 §2)", "passed": healthy}]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flood", type=int, default=40)
    parser.add_argument("--trickle-every", type=float, default=3.0)
    args = parser.parse_args()
    m = measure(args.flood, args.trickle_every)
    print(f"healthy host while flooded: {m['other']}; median {m['median_ms']:.0f} ms")
    print(f"trickling host: {m['flood']}; flood over after {m['held_s']:.1f} s")


if __name__ == "__main__":
    main()
