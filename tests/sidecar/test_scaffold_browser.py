"""The scaffolded widget in a real Chromium, served from its own host while the kit comes
from a dashboard (another origin, through the page's import map and the kit's CORS):
renders its data, emits page.selected, takes site.selected, cleans up when removed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from dashboard import kit_routes
from sidecar.scaffold import scaffold
from tests.dashboard.conftest import ROOT, ServerThread, front_end  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
LIST = "document.querySelector('qa-hello').shadowRoot.querySelector('tessera-bar-list')"


@pytest.fixture
def page(tmp_path: Path, front_end):  # noqa: F811
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed")
    dashboard = FastAPI()
    dashboard.state.web_dist = ROOT / "dashboard" / "web" / "dist"
    dashboard.include_router(kit_routes.router)
    with ServerThread(dashboard) as kit:
        scaffold("hello", tmp_path, team="qa", kit_url=f"{kit.url}/kit/v1/")
        host = FastAPI()
        host.mount("/", StaticFiles(directory=tmp_path))
        with ServerThread(host) as widgets, playwright_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{widgets.url}/hello/index.html")
            page.wait_for_function(f"() => {LIST}?.shadowRoot?.querySelectorAll('li').length === 4")
            yield page
            assert errors == []
            browser.close()


def test_renders_its_query_in_the_kit_bar_list(page):
    labels = page.evaluate(f"() => [...{LIST}.shadowRoot.querySelectorAll('.label')].map((l) => l.textContent)")
    assert labels == ["/", "/pricing", "/blog/hello", "/about"]
    assert page.evaluate("() => document.querySelector('qa-hello').shadowRoot.querySelector('h2').textContent") == "Hello"
    page.evaluate("() => document.querySelector('qa-hello').rangeMinutes = 15")
    assert page.evaluate("() => document.querySelector('qa-hello').getAttribute('range-minutes')") == "15"
    page.wait_for_function("() => document.querySelector('qa-hello').shadowRoot.querySelector('.hint').textContent"
                           " === 'Top pages of demo.local, last 15 min'")


def test_renders_are_batched_in_a_microtask(page):
    renders = page.evaluate("""async () => {
        const el = document.querySelector('qa-hello');
        let count = 0;
        const observer = new MutationObserver(() => count++);
        observer.observe(el.shadowRoot.querySelector('.hint'), {childList: true});
        el.rangeMinutes = 5; el.theme = 'dark'; el.rangeMinutes = 7;
        await new Promise((r) => setTimeout(r, 50));
        return count;
    }""")
    assert renders == 1


def test_a_row_click_emits_page_selected_bubbling_and_composed(page):
    detail = page.evaluate(f"""() => new Promise((resolve) => {{
        document.addEventListener('page.selected', (e) => resolve({{detail: e.detail, bubbles: e.bubbles, composed: e.composed}}), {{once: true}});
        {LIST}.shadowRoot.querySelectorAll('button')[1].click();
    }})""")
    assert detail == {"detail": {"site": "demo.local", "path": "/pricing"}, "bubbles": True, "composed": True}
    assert "page.selected" in page.locator("#log").inner_text()


def test_reacts_to_site_selected(page):
    page.click("#send")
    page.wait_for_function("() => document.querySelector('qa-hello').getAttribute('site') === 'shop.local'")
    assert page.evaluate("() => document.querySelector('qa-hello').lastMessage.topic") == "site.selected"


def test_removed_widget_stops_listening_and_lets_go_of_its_stream(page):
    result = page.evaluate(f"""async () => {{
        const kit = await import('/kit/v1/data-client.js');
        const before = kit.openStreams().length;
        const el = document.querySelector('qa-hello');
        const button = {LIST}.shadowRoot.querySelector('button');
        let seen = 0;
        el.addEventListener('page.selected', () => seen++);
        el.remove();
        button.click();
        el.dispatchEvent(new CustomEvent('tessera-message', {{detail: {{topic: 'site.selected', payload: {{site: 'x'}}}}}}));
        await new Promise((r) => setTimeout(r, 20));
        return {{before, after: kit.openStreams().length, seen, site: el.site}};
    }}""")
    assert result == {"before": 1, "after": 0, "seen": 0, "site": "demo.local"}
