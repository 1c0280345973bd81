"""The kit in a real Chromium: one small real server serving the built kit through the
dashboard's own kit route, the gallery page, the shell's tokens and a controllable SSE
stream (counts connections, records Last-Event-ID, can drop or refuse connections)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.staticfiles import StaticFiles

from dashboard import kit_routes
from tests.dashboard.conftest import ROOT, ServerThread, browser, front_end, page  # noqa: F401 (fixtures)

GALLERY = ROOT / "tests" / "kit" / "gallery"
TOKENS = ROOT / "dashboard" / "web" / "src" / "styles" / "tokens.css"
BLANK = """<!doctype html><html data-theme="dark"><head><meta charset="utf-8">
<link rel="stylesheet" href="/tokens.css"><script type="module" src="/kit/v1/index.js"></script></head>
<body style="margin:0;background:var(--canvas);font-family:system-ui">
<main style="width:640px;height:360px;position:relative"></main></body></html>"""


class SseStub:
    """`/api/v1/metrics/stream`: numbered events; `refuse` answers 503, `drop_after` closes
    a connection after that many events (the browser then reconnects with Last-Event-ID)."""

    def __init__(self) -> None:
        self.refuse = False
        self.drop_after: int | None = None
        self.gap = 0.05
        self.connections: list[dict] = []
        self.open = 0

    async def stream(self, request: Request) -> Response:
        seen = {"header": request.headers.get("last-event-id"), "param": request.query_params.get("lastEventId"),
                "site": request.query_params.get("site")}
        self.connections.append(seen)
        if self.refuse:
            return JSONResponse({"detail": "stream unavailable"}, status_code=503)
        resume = seen["header"] or seen["param"]
        first = int(resume) + 1 if resume else 1

        async def body():
            self.open += 1
            try:
                yield b"retry: 150\n\n"
                n = first
                while self.drop_after is None or n < first + self.drop_after:
                    data = json.dumps({"n": n, "site": seen["site"]})
                    yield f"id: {n}\nevent: minute\ndata: {data}\n\n".encode()
                    n += 1
                    await asyncio.sleep(self.gap)
            finally:
                self.open -= 1

        return StreamingResponse(body(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def rows_answer(request: Request) -> Response:
    status = int(request.query_params.get("status", "200"))
    if status == 422:
        return JSONResponse({"detail": [{"loc": ["query", "dimension"], "msg": "unknown dimension 'colour'",
                                         "type": "value_error"}]}, status_code=422)
    if status != 200:
        return JSONResponse({"detail": "down"}, status_code=status)
    lag = float(request.query_params.get("lag", "5"))
    watermark = (datetime.now(UTC) - timedelta(seconds=lag)).isoformat().replace("+00:00", "Z")
    rows = [{"value": "/", "views": 10, "visitors": 7}, {"value": "/pricing", "views": 4, "visitors": 3}]
    return JSONResponse({"rows": rows, "watermark": watermark, "echo": dict(request.query_params.multi_items())})


def build_app(stub: SseStub) -> FastAPI:
    app = FastAPI()
    app.state.web_dist = ROOT / "dashboard" / "web" / "dist"
    app.include_router(kit_routes.router)
    app.add_api_route("/api/v1/metrics/stream", stub.stream)
    app.add_api_route("/api/v1/metrics/rows", rows_answer)
    app.add_api_route("/tokens.css", lambda: FileResponse(TOKENS, media_type="text/css"))
    app.add_api_route("/blank.html", lambda: HTMLResponse(BLANK))
    app.mount("/gallery", StaticFiles(directory=GALLERY, html=True))
    return app


@pytest.fixture
def sse() -> SseStub:
    return SseStub()


@pytest.fixture
def kit_server(front_end, sse) -> Iterator[ServerThread]:  # noqa: F811
    with ServerThread(build_app(sse)) as server:
        yield server


@pytest.fixture
def blank(page, kit_server):  # noqa: F811
    """A page on the kit server with the whole kit loaded and the shell's dark tokens."""
    page.goto(f"{kit_server.url}/blank.html")
    page.wait_for_function("() => customElements.get('tessera-table') && customElements.get('tessera-time-series')")
    return page


def mount(page, markup: str) -> None:
    page.evaluate("(markup) => { document.querySelector('main').innerHTML = markup; }", markup)
