"""Real trackers in a real Chromium, pointed at a real collector process: the official
Plausible and Snowplow browser trackers (npm, bundled with esbuild) and our own t.js."""

import asyncio
import collections
import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pytest

from tracker.event import EVENTS_TOPIC
from tracker.settings import StreamSettings
from tracker.stream.factory import make_consumer
from tracker.stream.tansu import free_port

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
    settings = StreamSettings(stream_backend="local", stream_dir=stream_dir)
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


# -- retries: the official Snowplow tracker, GET and POST, with forced failures ---------------
RETRY_ENTRY = """
import { newTracker, trackPageView, flushBuffer } from '@snowplow/browser-tracker';
newTracker('get', window.COLLECTOR, { appId: 'sp-get.example', eventMethod: 'get', bufferSize: 1 });
newTracker('post', window.COLLECTOR, { appId: 'sp-post.example', eventMethod: 'post', bufferSize: 1 });
window.flushAll = () => flushBuffer({}, ['get', 'post']);
trackPageView({}, ['get', 'post']);
window.TRACKED = true;
"""
PAGES = 5
DESKTOP_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36")


def start_writer(tmp_path, port: int) -> subprocess.Popen:
    env = {**os.environ, "TESSERA_WRITER_STREAM_BACKEND": "local", "TESSERA_WRITER_STREAM_DIR": str(tmp_path / "stream"),
           "TESSERA_WRITER_OLAP_DSN": f"chdb://{tmp_path / 'olap'}", "TESSERA_WRITER_BATCH_MAX_AGE_MS": "50"}
    return subprocess.Popen([sys.executable, "-m", "tracker", "writer", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "writer.log", "ab"))


def views(port: int, site: str) -> int | None:
    now = datetime.now(UTC)
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/api/v1/metrics/visitors", timeout=2, params={
            "site": site, "from": (now - timedelta(hours=1)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()})
        return r.json()["views"] if r.status_code == 200 else None
    except httpx.HTTPError:
        return None


class FlakyNetwork:
    """Playwright routing for the collector: an event's first attempt fails before it reaches
    the collector, its second reaches the collector but the answer is lost, the third goes
    through — so the collector sees every event twice and the tracker must retry each.  A POST
    may carry several events: the request goes as far as its least-tried event allows (so an
    event may be refused more than once, and a POST event may never be taken and lost)."""

    def __init__(self) -> None:
        self.attempts: collections.Counter = collections.Counter()  # requests carrying each event
        self.failed: collections.Counter = collections.Counter()  # of those, the ones that failed
        self.lost: collections.Counter = collections.Counter()  # of those, taken by the collector, answer lost
        self.through: set[str] = set()
        self.by_method: dict[str, set[str]] = collections.defaultdict(set)

    @staticmethod
    def event_ids(request) -> list[str]:
        if request.method == "GET":
            return parse_qs(urlsplit(request.url).query).get("eid", [])
        if request.method == "POST" and request.post_data:
            return [e.get("eid", "") for e in json.loads(request.post_data).get("data", [])]
        return []

    async def __call__(self, route, request) -> None:
        eids = self.event_ids(request)
        attempt = min((self.attempts[e] for e in eids), default=2) + 1
        for e in eids:
            self.attempts[e] += 1
            self.by_method[request.method].add(e)
        if attempt == 1:
            self.failed.update(eids)
            await route.abort("connectionreset")
        elif attempt == 2:
            self.failed.update(eids)
            self.lost.update(eids)
            await route.fetch()  # the collector takes it; the tracker never hears back
            await route.abort("connectionreset")
        else:
            self.through.update(eids)
            await route.continue_()


async def test_official_snowplow_tracker_retries_count_exactly_once(tmp_path, collector_process):
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium")
    from playwright.async_api import async_playwright

    page_dir = tmp_path / "site"
    page_dir.mkdir()
    subprocess.run([str(REPO / "node_modules/.bin/esbuild"), "--bundle", "--format=iife",
                    f"--outfile={page_dir / 'retry.js'}", "--log-level=warning"],
                   input=RETRY_ENTRY.encode(), cwd=REPO, check=True)
    collector = collector_process(tmp_path)
    for n in range(1, PAGES + 1):
        (page_dir / f"p{n}.html").write_text(
            f"<!doctype html><title>Page {n}</title><script>window.COLLECTOR = {collector.url!r};</script>"
            "<script src='retry.js'></script>")
    server, origin = serve_static(page_dir)
    port = free_port()
    writer = start_writer(tmp_path, port)
    network = FlakyNetwork()
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                # a desktop Chrome's user agent: the rollups count no bot's views (HeadlessChrome is one)
                page = await (await browser.new_context(user_agent=DESKTOP_CHROME)).new_page()
                await page.route(collector.url + "/**", network)
                for n in range(1, PAGES + 1):
                    await page.goto(f"{origin}/p{n}.html")
                    await page.wait_for_function("window.TRACKED === true")
                    await page.wait_for_timeout(300)
                for _ in range(120):  # every queued event is retried until it goes through
                    if len(network.through) == 2 * PAGES:
                        break
                    await page.evaluate("window.flushAll()")
                    await page.wait_for_timeout(250)
                await page.wait_for_timeout(500)
            finally:
                await browser.close()
        assert len(network.attempts) == 2 * PAGES and network.through == set(network.attempts), network.attempts
        # every event failed twice before it went through; each GET (one event a request) was taken
        # by the collector once with its answer lost, and so was at least one POST's
        assert min(network.failed[e] for e in network.attempts) >= 2, (network.attempts, network.failed)
        assert len(network.by_method["GET"]) == PAGES and all(network.lost[e] for e in network.by_method["GET"])
        assert any(network.lost[e] for e in network.by_method["POST"]), network.lost

        def done(events):
            return len({e["event_id"] for e in events}) >= 2 * PAGES

        events = await events_on_stream(tmp_path / "stream", done)
        await asyncio.sleep(1.0)
        events = await events_on_stream(tmp_path / "stream", lambda e: False, timeout=2.0)
        by_site = collections.Counter(e["site"] for e in events)
        ids = collections.Counter(e["event_id"] for e in events)
        assert by_site == {"sp-get.example": PAGES, "sp-post.example": PAGES}, by_site
        assert set(ids.values()) == {1} and set(ids) == set(network.attempts)

        deadline = time.monotonic() + 60
        counted = {}
        while time.monotonic() < deadline:
            counted = {site: views(port, site) for site in ("sp-get.example", "sp-post.example")}
            if all(v is not None and v >= PAGES for v in counted.values()):
                break
            await asyncio.sleep(0.3)
        await asyncio.sleep(1.0)  # a double count would show by now
        counted = {site: views(port, site) for site in ("sp-get.example", "sp-post.example")}
        assert counted == {"sp-get.example": PAGES, "sp-post.example": PAGES}
        assert collector.stats()["duplicates"] >= 2 * PAGES
    finally:
        server.shutdown()
        writer.send_signal(signal.SIGTERM)
        writer.wait(30)
