"""The scaffolded element in a real Chromium: renders, emits its topic, takes messages."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture
def page(host_factory):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed")
    host = host_factory("hello")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(host.widget_url + "index.html")
        page.wait_for_function("document.querySelector('qa-hello')?.shadowRoot?.querySelector('h2')")
        yield page
        assert errors == []
        browser.close()


def test_renders_in_shadow_dom_from_attributes(page):
    assert page.evaluate("document.querySelector('qa-hello').shadowRoot.querySelector('h2').textContent") == "Hello from Hello"
    page.evaluate("document.querySelector('qa-hello').greeting = 'Hi'")
    page.wait_for_function("document.querySelector('qa-hello').shadowRoot.querySelector('h2').textContent === 'Hi from Hello'")
    assert page.evaluate("document.querySelector('qa-hello').getAttribute('greeting')") == "Hi"


def test_renders_are_batched_in_a_microtask(page):
    renders = page.evaluate("""async () => {
        const el = document.querySelector('qa-hello');
        let count = 0;
        const observer = new MutationObserver(() => count++);
        observer.observe(el.shadowRoot, {childList: true});
        el.greeting = 'a'; el.theme = 'dark'; el.greeting = 'b';
        await new Promise((r) => setTimeout(r, 50));
        return count;
    }""")
    assert renders == 1


def test_emits_declared_topic_bubbling_and_composed(page):
    detail = page.evaluate("""() => new Promise((resolve) => {
        document.addEventListener('hello-clicked', (e) => resolve({detail: e.detail, bubbles: e.bubbles, composed: e.composed}), {once: true});
        document.querySelector('qa-hello').shadowRoot.querySelector('button').click();
    })""")
    assert detail == {"detail": {"count": 1}, "bubbles": True, "composed": True}


def test_reacts_to_tessera_message(page):
    page.click("#send")
    page.wait_for_function("document.querySelector('qa-hello').shadowRoot.querySelector('.message').textContent.includes('demo.local')")
    assert page.evaluate("document.querySelector('qa-hello').lastMessage.topic") == "site-selected"


def test_disconnected_element_stops_listening(page):
    emitted = page.evaluate("""async () => {
        const el = document.querySelector('qa-hello');
        const button = el.shadowRoot.querySelector('button');
        let seen = 0;
        el.addEventListener('hello-clicked', () => seen++);
        el.remove();
        button.click();
        el.dispatchEvent(new CustomEvent('tessera-message', {detail: {topic: 't', payload: 1}}));
        await new Promise((r) => setTimeout(r, 20));
        return {seen, message: el.lastMessage};
    }""")
    assert emitted == {"seen": 0, "message": None}
