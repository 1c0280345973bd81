"""Real trackers in a real Chromium, pointed at a real collector process: the official
Plausible and Snowplow browser trackers (npm, bundled with esbuild) and our own t.js."""

import functools
import http.server
import subprocess
import threading
import time
from pathlib import Path

import msgspec
import pytest

from tracker.event import EVENTS_TOPIC
from tracker.stream.factory import make_consumer

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

ENTRY = """
import Plausible from 'plausible-tracker';
import { newTracker, trackPageView, trackStructEvent } from '@snowplow/browser-tracker';
const collector = window.COLLECTOR;
const plausible = Plausible({ domain: 'plausible.example', apiHost: collector, trackLocalhost: true });
plausible.trackPageview();
plausible.trackEvent('signup', { props: { plan: 'pro' } });
newTracker('post', collector, { appId: 'snowplow.example', eventMethod: 'post', bufferSize: 1 });
newTracker('get', collector, { appId: 'snowplow-get.example', eventMethod: 'get' });
trackPageView({}, ['post', 'get']);
trackStructEvent({ category: 'video', action: 'play', label: 'intro' }, ['post']);
window.TRACKED = true;
"""


def serve_static(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def events_on_stream(stream_dir: Path, done, timeout: float = 20.0) -> list[dict]:
    settings = type("S", (), {"stream_backend": "local", "stream_dir": stream_dir})()
    consumer = make_consumer(settings, f"browser-{time.monotonic_ns()}", [EVENTS_TOPIC])
    await consumer.start()
    events: list[dict] = []
    try:
        deadline = time.monotonic() + timeout
        while not done(events) and time.monotonic() < deadline:
            for records in (await consumer.poll(1000, 200)).values():
                events.extend(msgspec.json.decode(r.value) for r in records)
    finally:
        await consumer.stop()
    return events


@pytest.fixture
def site(tmp_path, collector_process):
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium")
    page_dir = tmp_path / "site"
    page_dir.mkdir()
    subprocess.run([str(REPO / "node_modules/.bin/esbuild"), "--bundle", "--format=iife",
                    f"--outfile={page_dir / 'trackers.js'}", "--log-level=warning"],
                   input=ENTRY.encode(), cwd=REPO, check=True)
    collector = collector_process(tmp_path)
    server, origin = serve_static(page_dir)
    try:
        yield page_dir, origin, collector, tmp_path / "stream"
    finally:
        server.shutdown()


async def browse(url: str, script) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(url)
            await script(page)
        finally:
            await browser.close()


async def test_official_plausible_and_snowplow_trackers_land_on_the_stream(site):
    page_dir, origin, collector, stream_dir = site
    (page_dir / "index.html").write_text(
        f"<!doctype html><title>Tracked page</title><script>window.COLLECTOR = {collector.url!r};</script>"
        "<script src='trackers.js'></script><p>hello</p>")

    async def script(page):
        await page.wait_for_function("window.TRACKED === true")
        await page.wait_for_timeout(1500)  # let the trackers' requests go out

    await browse(origin + "/index.html?utm_source=e2e", script)

    def done(events):
        names = {(e["site"], e["name"]) for e in events}
        return {("plausible.example", "pageview"), ("plausible.example", "signup"),
                ("snowplow.example", "pageview"), ("snowplow.example", "play"),
                ("snowplow-get.example", "pageview")} <= names

    events = await events_on_stream(stream_dir, done)
    assert done(events), sorted({(e["site"], e["name"]) for e in events})
    by = {(e["site"], e["name"]): e for e in events}
    assert by[("plausible.example", "signup")]["props"] == {"plan": "pro"}
    assert by[("plausible.example", "pageview")]["utm_source"] == "e2e"
    assert by[("snowplow.example", "pageview")]["title"] == "Tracked page"
    assert by[("snowplow.example", "play")]["props"]["category"] == "video"
    assert by[("snowplow.example", "pageview")]["browser"].endswith("Chrome")


async def test_our_snippet_tracks_spa_navigation_and_engaged_time(site):
    page_dir, origin, collector, stream_dir = site
    (page_dir / "app.html").write_text(
        f"<!doctype html><title>SPA</title><script defer src='{collector.url}/t.js' data-site='snippet.example'>"
        "</script><p>app</p>")

    async def script(page):
        await page.wait_for_function("typeof window.tessera === 'function'")
        await page.evaluate("history.pushState({}, '', '/spa/next')")
        await page.wait_for_timeout(1200)
        await page.goto("about:blank")  # pagehide: engaged time goes out as a beacon
        await page.wait_for_timeout(300)

    await browse(origin + "/app.html", script)

    def done(events):
        return {"/app.html", "/spa/next"} <= {e["path"] for e in events if e["name"] == "pageview"} and any(
            e["name"] == "engagement" for e in events)

    events = await events_on_stream(stream_dir, done)
    assert done(events), [(e["name"], e["path"]) for e in events]
    engaged = next(e for e in events if e["name"] == "engagement")
    assert engaged["site"] == "snippet.example" and int(engaged["props"]["engaged_ms"]) >= 1000
