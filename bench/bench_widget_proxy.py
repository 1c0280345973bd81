"""A trickling widget host against a healthy one, through a real dashboard (issue 8 §2).

``python bench/bench_widget_proxy.py [--flood 40] [--trickle-every 3]``: starts a stub
registry listing two widgets, a healthy widget host (the repository's ``widgets/``), a
host that sends one byte every ``--trickle-every`` seconds, and a dashboard with its
default limits (both hosts allow-listed). It opens ``--flood`` fetches to the trickling
host, then fetches the healthy host's module ten times, and reports what each got and
how long the flood held the proxy. Not part of ``bench/run.py`` (no ratio to a ceiling).
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flood", type=int, default=40)
    parser.add_argument("--trickle-every", type=float, default=3.0)
    args = parser.parse_args()

    async def trickle(request):
        async def body():
            for _ in range(20):
                yield b" "
                await asyncio.sleep(args.trickle_every)
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
    with ThreadPoolExecutor(args.flood) as pool:
        flood = [pool.submit(httpx.get, f"{dashboard}/widgets/slow/slow.js?n={n}", timeout=120)
                 for n in range(args.flood)]
        time.sleep(1.0)
        other, took = [], []
        for _ in range(10):
            t = time.monotonic()
            answer = httpx.get(f"{dashboard}/widgets/page-views/page-views.js", timeout=30)
            other.append(answer.status_code if answer.status_code != 404 else answer.text)
            took.append((time.monotonic() - t) * 1000)
        answers = Counter(f.result().status_code for f in flood)
    held = time.monotonic() - started
    print(f"healthy host while flooded: {Counter(other)}; median {statistics.median(took):.0f} ms")
    print(f"trickling host: {dict(answers)}; flood over after {held:.1f} s")


if __name__ == "__main__":
    main()
