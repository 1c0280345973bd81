"""The widget proxy under attack, on real servers: SSRF targets, HTML on the dashboard's
origin, a trickling host, DNS rebinding (issue 8 §2)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tests.dashboard.conftest import ServerThread

pytestmark = pytest.mark.integration


def listed(registry, widget_id: str, module: str) -> None:
    registry.widgets[widget_id] = {**registry.widgets["page-views"], "id": widget_id, "element": f"tessera-{widget_id}",
                                   "module": module, "icon": None, "stylesheet": None, "integrity": None}


# ---- SSRF: a manifest pointing inside the dashboard's network ------------------------

SSRF_HOSTS = ["127.0.0.1", "0x7f.1", "2130706433", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]", "[::1]", "localhost",
              "169.254.169.254", "10.0.0.1"]


@pytest.mark.parametrize("host", SSRF_HOSTS)
def test_the_proxy_will_not_fetch_the_registry_through_an_internal_address(serve_dashboard, registry, query, host):
    port = registry.url.rsplit(":", 1)[1]
    listed(registry, "ssrf", f"http://{host}:{port}/api/v1/w.js")
    dashboard = serve_dashboard(registry.url, query.url, widget_origins=[])  # the defaults: nothing allow-listed
    response = httpx.get(f"{dashboard.url}/widgets/ssrf/widgets", timeout=10)
    assert response.status_code == 403, response.text[:300]
    assert "address" in response.json()["detail"]
    assert "items" not in response.text


def test_a_name_resolving_to_loopback_is_refused(serve_dashboard, registry, query):
    port = registry.url.rsplit(":", 1)[1]
    listed(registry, "ssrf", f"http://widgets.example:{port}/api/v1/w.js")

    async def loopback(host, port):
        return ["127.0.0.1"]

    dashboard = serve_dashboard(registry.url, query.url, widget_origins=["*"], resolve=loopback)
    response = httpx.get(f"{dashboard.url}/widgets/ssrf/widgets", timeout=10)
    assert response.status_code == 403
    assert "widgets.example resolves to 127.0.0.1, a loopback address" in response.json()["detail"]


def test_an_origin_off_the_allow_list_is_refused_before_any_fetch(serve_dashboard, registry, query, widget_host):
    listed(registry, "elsewhere", f"{registry.url}/api/v1/w.js")
    dashboard = serve_dashboard(registry.url, query.url)  # allow-list: the widget host only
    response = httpx.get(f"{dashboard.url}/widgets/elsewhere/widgets", timeout=10)
    assert response.status_code == 403
    assert "allow-list" in response.json()["detail"]
    assert httpx.get(f"{dashboard.url}/widgets/page-views/dist/page-views.js", timeout=10).status_code == 200


# ---- content types -----------------------------------------------------------------

def test_html_from_a_real_widget_host_is_never_served(dashboard, registry, widget_host):
    listed(registry, "broken", f"{widget_host.url}/broken/throws.js")
    response = httpx.get(f"{dashboard.url}/widgets/broken/blank.html", timeout=10)
    assert response.status_code == 502
    assert "text/html" in response.json()["detail"]
    assert "<script" not in response.text
    assert response.headers["content-type"].startswith("application/json")


def test_svg_icons_are_served_sandboxed_and_scripts_with_nosniff(dashboard):
    icon = httpx.get(f"{dashboard.url}/widgets/page-views/icon.svg", timeout=10)
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert "sandbox" in icon.headers["content-security-policy"]
    module = httpx.get(f"{dashboard.url}/widgets/page-views/dist/page-views.js", timeout=10)
    assert module.headers["x-content-type-options"] == "nosniff"


# ---- a trickling host cannot starve the others ---------------------------------------

class Trickle:
    """Sends headers, then one byte every half second for a minute; counts open requests."""

    def __init__(self) -> None:
        self.open = self.most = 0

    async def serve(self, request: Request) -> Response:
        async def body():
            self.open += 1
            self.most = max(self.most, self.open)
            try:
                for _ in range(120):
                    yield b" "
                    await asyncio.sleep(0.5)
            finally:
                self.open -= 1

        return StreamingResponse(body(), media_type="text/javascript")


@pytest.fixture
def trickle_host():
    handler = Trickle()
    with ServerThread(Starlette(routes=[Route("/slow/{name}", handler.serve)])) as server:
        server.handler = handler
        yield server


def test_a_trickling_host_is_cut_off_and_does_not_starve_another_host(serve_dashboard, registry, query,
                                                                       widget_host, trickle_host):
    listed(registry, "slow", f"{trickle_host.url}/slow/slow.js")
    dashboard = serve_dashboard(registry.url, query.url, widget_origins=[widget_host.url, trickle_host.url],
                                widget_timeout_seconds=2.0, read_timeout=1.0, widget_concurrency=32)
    flood = 40  # more than the whole proxy's slots before (32)
    started = time.monotonic()
    with ThreadPoolExecutor(flood) as pool:
        slow = [pool.submit(httpx.get, f"{dashboard.url}/widgets/slow/slow.js?n={n}", timeout=30) for n in range(flood)]
        time.sleep(1.0)  # the flood holds its slots now
        other = httpx.get(f"{dashboard.url}/widgets/page-views/dist/page-views.js", timeout=10)
        answers = [f.result() for f in slow]
    elapsed = time.monotonic() - started
    assert other.status_code == 200, other.text[:200]
    assert "tessera-page-views" in other.text
    statuses = sorted({a.status_code for a in answers})
    assert set(statuses) <= {503, 504}, [a.text for a in answers if a.status_code == 502][:3]
    assert 1 <= trickle_host.handler.most <= 8  # that host's own slots, no more
    assert elapsed < 8, f"the trickle held the proxy for {elapsed:.1f}s"


# ---- DNS rebinding: the connection goes to the address that was checked ---------------

class Answer(BaseHTTPRequestHandler):
    """HTTP/1.0: one request per connection, so every fetch opens a new one."""

    body = b""
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


def serve_on(address: str, port: int, body: bytes) -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []
    handler = type("Handler", (Answer,), {"body": body, "seen": seen})
    server = ThreadingHTTPServer((address, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def shared_free_port() -> int:
    for _ in range(50):
        with socket.socket() as a, socket.socket() as b:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            try:
                b.bind(("127.0.0.2", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


def test_dns_rebinding_cannot_redirect_a_connection(serve_dashboard, registry, query):
    port = shared_free_port()
    widget, widget_seen = serve_on("127.0.0.2", port, b"export const where = 'widget host';")
    secret, secret_seen = serve_on("127.0.0.1", port, b"export const where = 'internal service';")
    answers: list[str] = []

    async def rebinding(host, port):  # first the allowed address, then loopback
        answers.append("127.0.0.2" if not answers else "127.0.0.1")
        return [answers[-1]]

    try:
        listed(registry, "rebind", f"http://rebind.example:{port}/w/mod.js")
        dashboard = serve_dashboard(registry.url, query.url, widget_origins=["*"], widget_networks=["127.0.0.2/32"],
                                    resolve=rebinding)
        first = httpx.get(f"{dashboard.url}/widgets/rebind/mod.js", timeout=10)
        second = httpx.get(f"{dashboard.url}/widgets/rebind/mod.js", timeout=10)
    finally:
        widget.shutdown()
        secret.shutdown()
    assert first.status_code == 200 and "widget host" in first.text
    assert second.status_code == 403 and "loopback" in second.json()["detail"]
    assert secret_seen == [] and widget_seen == ["/w/mod.js"]
    assert len(answers) == 2  # resolved once per connection, and used as resolved
