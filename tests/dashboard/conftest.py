"""Stub upstreams for the dashboard's tests: a registry, a query API and a widget host,
each a small real HTTP server on a free port (the real ones are other parts' work)."""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dashboard.app import create_app
from dashboard.guarded_network import system_resolve
from dashboard.settings import DashboardSettings
from tests.support.chromium import browser  # noqa: F401 (fixture)
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]

# How many pixels of the chart's canvas are painted in the "views" blue or "visitors" green.
SERIES_PIXELS = """() => {
  const canvas = document.querySelector('tessera-page-views').shadowRoot.querySelector('tessera-time-series')?.shadowRoot?.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let blue = 0, green = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 200 && b > 200 && r < 120) blue++;
    if (a > 200 && g > 160 && r < 150 && b < 130) green++;
  }
  return { blue, green };
}"""
WIDGETS = ROOT / "widgets"
PAGE_VIEWS_MANIFEST = json.loads((WIDGETS / "page-views" / "manifest.json").read_text())

THROWING_MODULE = """
class Broken extends HTMLElement { constructor() { super(); throw new Error("broken on purpose"); } }
customElements.define("tessera-broken-throws", Broken);
"""


BLANK_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="/page-views/dist/page-views.js"></script></head>
<body style="margin:0"><main style="width:640px;height:320px"></main></body></html>"""


class ServerThread:
    """Run an ASGI app with uvicorn in a daemon thread on a free port."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("stub server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def widget_public(manifest: dict, host: str, folder: str, status: str = "live") -> dict:
    """What the registry answers for a manifest announced from ``{host}/{folder}/``."""
    base = f"{host}/{folder}/"
    now = datetime.now(UTC)
    resolved = {k: (base + v if k in ("module", "stylesheet", "icon") and v else v) for k, v in manifest.items()}
    return {**resolved, "status": status, "origin": host, "last_seen": now.isoformat(),
            "lease_expires_at": (now + timedelta(seconds=15)).isoformat()}


class StubRegistry:
    def __init__(self) -> None:
        self.widgets: dict[str, dict] = {}
        self.available = True
        self.streaming = True
        self.subscribers: list[asyncio.Queue] = []
        self.app = Starlette(routes=[
            Route("/api/v1/widgets", self.list_widgets),
            Route("/api/v1/events", self.events),
            Route("/_stub/emit", self.emit, methods=["POST"]),
        ])

    async def list_widgets(self, request: Request) -> Response:
        if not self.available:
            return JSONResponse({"detail": "down"}, status_code=503)
        return JSONResponse({"items": list(self.widgets.values())})

    async def events(self, request: Request) -> Response:
        if not self.streaming:
            return JSONResponse({"detail": "no change feed"}, status_code=404)
        queue: asyncio.Queue = asyncio.Queue()
        self.subscribers.append(queue)

        async def body():
            try:
                yield b": hello\n\n"
                while True:
                    try:
                        event, data = await asyncio.wait_for(queue.get(), 1.0)
                    except TimeoutError:
                        yield b": ping\n\n"
                        continue
                    if event == "stub-end":  # the feed ends (POST /_stub/emit {"event": "stub-end"})
                        return
                    if event == "stub-mute":  # a half-open connection: nothing, not even a ping, for 10 s
                        await asyncio.sleep(10)
                        return
                    yield f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
            finally:
                self.subscribers.remove(queue)

        return StreamingResponse(body(), media_type="text/event-stream")

    async def emit(self, request: Request) -> Response:
        message = await request.json()
        if message["event"] in ("stub-end", "stub-mute"):
            for queue in list(self.subscribers):
                queue.put_nowait((message["event"], None))
            return JSONResponse({"subscribers": len(self.subscribers)})
        widget = message["data"]
        if message["event"] == "widget-removed":
            self.widgets.pop(widget["id"], None)
        else:
            self.widgets[widget["id"]] = widget
        for queue in list(self.subscribers):
            queue.put_nowait((message["event"], widget))
        return JSONResponse({"subscribers": len(self.subscribers)})


def pageviews_points(start: datetime, end: datetime) -> list[dict]:
    points, t, i = [], start.replace(second=0, microsecond=0), 0
    while t <= end:
        views = round(12 + 8 * math.sin(i / 4) + (i * 7) % 5)
        points.append({"t": t.isoformat().replace("+00:00", "Z"), "views": views, "visitors": max(1, views // 2)})
        t += timedelta(minutes=1)
        i += 1
    return points


class StubQuery:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.app = Starlette(routes=[
            Route("/api/v1/metrics/pageviews", self.pageviews),
            Route("/api/v1/metrics/visitors", self.visitors),
            Route("/api/v1/metrics/live", self.slow),
            Route("/api/v1/metrics/stream", self.stream),
            Route("/api/v1/metrics/{rest:path}", self.echo),
        ])

    async def pageviews(self, request: Request) -> Response:
        self.requests.append(str(request.url))
        parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
        start, end = parse(request.query_params["from"]), parse(request.query_params["to"])
        return JSONResponse({
            "site": request.query_params.get("site"), "interval": "1m",
            "from": request.query_params["from"], "to": request.query_params["to"],
            "watermark": (end - timedelta(seconds=10)).isoformat().replace("+00:00", "Z"),
            "points": pageviews_points(start, end),
        })

    async def visitors(self, request: Request) -> Response:
        self.requests.append(str(request.url))
        parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
        points = pageviews_points(parse(request.query_params["from"]), parse(request.query_params["to"]))
        return JSONResponse({"site": request.query_params.get("site"), "views": sum(p["views"] for p in points),
                             "visitors": max(p["visitors"] for p in points) if points else 0})

    async def slow(self, request: Request) -> Response:
        await asyncio.sleep(6)  # far beyond every read timeout the tests give the gateway
        return JSONResponse({})

    async def stream(self, request: Request) -> Response:
        async def body():
            for n in range(3):
                yield f"event: minute\ndata: {json.dumps({'n': n})}\n\n".encode()
                await asyncio.sleep(0.05)

        return StreamingResponse(body(), media_type="text/event-stream")

    async def echo(self, request: Request) -> Response:
        self.requests.append(str(request.url))
        return JSONResponse({"path": request.url.path, "query": request.url.query}, headers={"X-Stub": "1"})


@pytest.fixture(scope="session")
def front_end() -> Path:
    """The bundled shell and widget (built once if missing)."""
    shell = ROOT / "dashboard" / "web" / "dist" / "shell.js"
    widget = WIDGETS / "page-views" / "dist" / "page-views.js"
    kit = ROOT / "dashboard" / "web" / "dist" / "kit" / "v1" / "index.js"
    view = ROOT / "dashboard" / "web" / "dist" / "view.js"
    if not (shell.is_file() and view.is_file() and widget.is_file() and kit.is_file()):
        node = shutil.which("node")
        if node is None:
            pytest.skip("node is not installed: cannot bundle the front-end")
        subprocess.run([node, "build.mjs"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    return ROOT / "dashboard" / "web" / "dist"


@pytest.fixture(scope="session")
def widget_host(tmp_path_factory, front_end) -> Iterator[ServerThread]:
    """Serves widgets/ and the kit at /kit/v1/ (widgets import it from there), plus `broken/` (a module that throws in its constructor) and
    `hang/` (modules that never finish loading)."""
    broken = tmp_path_factory.mktemp("broken-widgets")
    (broken / "throws.js").write_text(THROWING_MODULE)
    (broken / "blank.html").write_text(BLANK_PAGE)
    async def hang(request: Request) -> Response:
        await asyncio.sleep(30)
        return Response("", media_type="text/javascript")

    app = Starlette(routes=[
        Route("/hang/{name}", hang),
        Mount("/broken", StaticFiles(directory=broken)),
        Mount("/kit/v1", StaticFiles(directory=front_end / "kit" / "v1")),  # as the dashboard serves it
        Mount("/", StaticFiles(directory=WIDGETS)),
    ])
    with ServerThread(app) as server:
        yield server


def broken_manifest(widget_id: str, element: str, module: str) -> dict:
    return {**PAGE_VIEWS_MANIFEST, "id": widget_id, "label": f"Broken {widget_id}", "element": element,
            "module": module, "icon": None, "team": "qa", "description": "Fails on purpose.",
            "tags": ["test"], "dataProducts": []}


@pytest.fixture
def registry(widget_host) -> Iterator[StubRegistry]:
    stub = StubRegistry()
    stub.widgets["page-views"] = widget_public(PAGE_VIEWS_MANIFEST, widget_host.url, "page-views")
    with ServerThread(stub.app) as server:
        stub.url = server.url
        yield stub


@pytest.fixture
def query() -> Iterator[StubQuery]:
    stub = StubQuery()
    with ServerThread(stub.app) as server:
        stub.url = server.url
        yield stub


@pytest.fixture
def unused_url() -> str:
    """An address nothing listens on (a dead upstream)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def serve_dashboard(front_end, tmp_path, widget_host):
    """Start a real dashboard (uvicorn, free port) against the given upstream URLs; the
    loopback widget host is allow-listed, as `make up` allow-lists its own."""
    servers: list[ServerThread] = []

    def serve(registry_url: str, query_url: str, resolve=system_resolve, **overrides) -> ServerThread:
        settings = DashboardSettings(**{
            "registry_url": registry_url, "query_url": query_url,
            "database_url": f"sqlite:///{tmp_path}/dashboard.db", "read_timeout": 1.0,
            "connect_timeout": 0.5, "catalogue_cache_seconds": 0.2, "breaker_reset_seconds": 1.0,
            "widget_origins": [widget_host.url], **overrides,
        })
        server = ServerThread(create_app(settings, resolve=resolve)).__enter__()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def dashboard(serve_dashboard, registry, query) -> ServerThread:
    return serve_dashboard(registry.url, query.url)


# ---- Chromium (Playwright) ---------------------------------------------------------

@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()
