"""Issue 10's story on real processes (`make up`'s launcher) in Chromium, with three people:
a power user builds and shares a layout, a casual user opens the view link (locked, read-only,
403 on the API), a new starter clones it and saves their own; the original never changes;
history, diff and restore work; a stale save from a second tab meets the conflict dialog."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

SAVE_STATE = "() => document.querySelector('tessera-layout-bar').saveState?.status"
WINDOWS = "() => document.querySelectorAll('tessera-widget-frame').length"


def add_page_views(page) -> None:
    before = page.evaluate(WINDOWS)
    page.locator("tessera-catalogue").get_by_role("button", name=re.compile("^Add", re.I)).first.click()
    page.wait_for_function(f"() => document.querySelectorAll('tessera-widget-frame').length === {before + 1}")


def wait_saved(page, version: int) -> None:
    page.wait_for_function(
        "v => { const s = document.querySelector('tessera-layout-bar').saveState;"
        " return s && s.status === 'saved' && s.version === v; }", arg=version, timeout=15_000)


def wait_status(page, status: str) -> None:
    page.wait_for_function("s => document.querySelector('tessera-layout-bar').saveState?.status === s", arg=status)


def api(context, method: str, url: str, **kwargs):
    return context.request.fetch(url, method=method, **kwargs)


def layout_id(page) -> str:
    match = re.search(r"/l/([A-Za-z0-9_-]+)$", page.url)
    assert match, page.url
    return match.group(1)


def windows_of(document: dict) -> list[tuple[str, str]]:
    found, stack = [], [document["layout"]["root"]]
    while stack:
        item = stack.pop()
        if item.get("type") == "component":
            found.append((item["componentState"]["windowId"], item["componentState"]["widgetId"]))
        stack.extend(reversed(item.get("content") or []))
    return found


def test_power_user_casual_user_and_new_starter(tessera, chromium):
    base = tessera.dashboard.rstrip("/")
    power = chromium.new_context(viewport={"width": 1400, "height": 860})
    casual = chromium.new_context(viewport={"width": 1400, "height": 860})
    starter = chromium.new_context(viewport={"width": 1400, "height": 860})
    errors: list[str] = []
    try:
        # --- the power user builds a 3-window layout, saves twice and shares a view link ---------
        page = power.new_page()
        page.on("pageerror", lambda error: errors.append(f"power: {error}"))
        page.goto(base + "/?new")  # "/" opens the seeded default layout
        page.locator("tessera-catalogue").get_by_text("Page views").first.wait_for(timeout=30_000)
        for _ in range(3):
            add_page_views(page)
        assert page.evaluate(SAVE_STATE) == "new"
        page.keyboard.press("Control+s")
        wait_saved(page, 1)
        original = layout_id(page)
        bar = page.locator("tessera-layout-bar")
        bar.get_by_label("Layout title").fill("Head of sales")
        bar.get_by_label("Layout title").press("Enter")
        wait_status(page, "unsaved")
        bar.get_by_role("button", name="Save with a message").click()
        bar.get_by_label("Your name").fill("Hedda")
        bar.get_by_label("What changed").fill("named it")
        bar.get_by_role("button", name="Save with message").click()
        wait_saved(page, 2)
        first = api(power, "GET", f"{base}/api/v1/layouts/{original}").json()
        assert first["version"] == 2 and first["title"] == "Head of sales"
        assert len(windows_of(first)) == 3

        bar.get_by_role("button", name="Share").click()
        share = page.locator("tessera-share-dialog")
        share.get_by_role("button", name="Create link").click()
        link_box = share.get_by_label("Share link")
        link_box.wait_for()
        view_url = link_box.input_value()
        assert "/v/" in view_url
        share.get_by_role("button", name="Done").click()

        # --- the casual user: same windows, nothing moves or closes, the API says 403 ---------------
        view = casual.new_page()
        view.on("pageerror", lambda error: errors.append(f"casual: {error}"))
        view.goto(view_url)
        view.wait_for_function("() => document.body?.dataset.state === 'ready'", timeout=30_000)
        assert view.locator("#casual-title").inner_text() == "Head of sales"
        seen = view.evaluate("() => [...document.querySelectorAll('tessera-widget-frame')].map(f => f.widgetId)")
        assert seen == [w for _, w in windows_of(first)]
        assert view.evaluate("() => ['tessera-catalogue', 'tessera-layout-bar', 'tessera-history-panel',"
                             " 'tessera-share-dialog'].filter(n => customElements.get(n))") == []
        assert view.locator(".lm_close_tab:visible, .lm_maximise:visible, .lm_popout:visible, .lm_close:visible").count() == 0
        before = view.evaluate("() => JSON.stringify(window.tessera.layout.saveLayout().root)")
        tabs = view.locator(".lm_tab")
        box_a, box_c = tabs.nth(0).bounding_box(), tabs.nth(2).bounding_box()
        view.mouse.move(box_a["x"] + 20, box_a["y"] + 10)
        view.mouse.down()
        view.mouse.move(box_c["x"] + 40, box_c["y"] + 200, steps=12)
        view.mouse.up()
        splitter = view.locator(".lm_splitter").first.bounding_box()
        view.mouse.move(splitter["x"] + splitter["width"] / 2, splitter["y"] + 300)
        view.mouse.down()
        view.mouse.move(splitter["x"] + 250, splitter["y"] + 300, steps=8)
        view.mouse.up()
        view.wait_for_timeout(200)
        assert view.evaluate("() => JSON.stringify(window.tessera.layout.saveLayout().root)") == before
        assert view.evaluate(WINDOWS) == 3
        token = view_url.rsplit("/", 1)[1]
        refused = api(casual, "PUT", f"{base}/api/v1/layouts/{original}",
                      headers={"Authorization": f"Bearer {token}", "If-Match": '"2"', "Content-Type": "application/json"},
                      data={"title": "hijacked", "layout": first["layout"]})
        assert refused.status == 403, refused.text()
        assert api(casual, "POST", f"{base}/api/v1/layouts/{original}/links",
                   headers={"Authorization": f"Bearer {token}"}, data={"role": "edit"}).status == 403

        # --- the new starter clones from the view link, adds a window, saves their own ------------
        mine = starter.new_page()
        mine.on("pageerror", lambda error: errors.append(f"starter: {error}"))
        mine.goto(view_url)
        mine.wait_for_function("() => document.body?.dataset.state === 'ready'", timeout=30_000)
        mine.get_by_role("button", name="Clone to edit").click()
        mine.wait_for_url(re.compile(r"/l/[A-Za-z0-9_-]+$"))
        clone = layout_id(mine)
        assert clone != original
        wait_saved(mine, 1)
        mine.locator("tessera-catalogue").get_by_text("Page views").first.wait_for(timeout=30_000)
        add_page_views(mine)
        mine.locator("tessera-layout-bar").get_by_role("button", name="Save", exact=True).click()
        wait_saved(mine, 2)
        cloned = api(starter, "GET", f"{base}/api/v1/layouts/{clone}").json()
        assert len(windows_of(cloned)) == 4
        assert cloned["parent"]["id"] == original and cloned["parent"]["version"] == 2
        assert "editKey" not in mine.url and token not in mine.url
        mine.locator("tessera-layout-bar").get_by_role("button", name="History").click()
        mine.locator("tessera-history-panel").get_by_role("button", name="Compare with parent").click()
        mine.locator("tessera-history-panel").get_by_text(re.compile("^Added")).wait_for()

        # --- the original is unchanged; its history shows both saves; restore v1 appends v3 -------
        latest = api(power, "GET", f"{base}/api/v1/layouts/{original}").json()
        assert latest["version"] == 2 and latest["contentHash"] == first["contentHash"]
        bar.get_by_role("button", name="History").click()
        history = page.locator("tessera-history-panel")
        rows = history.get_by_role("list", name="Versions").locator("li")
        rows.nth(1).wait_for()
        assert rows.count() == 2
        assert "named it" in rows.nth(0).inner_text() and "Hedda" in rows.nth(0).inner_text()
        history.get_by_label("Compare version 1").check()
        history.get_by_label("Compare version 2").check()
        history.get_by_role("button", name="Compare", exact=True).click()
        history.get_by_text("Title: Untitled layout → Head of sales").wait_for()
        history.get_by_role("button", name="Restore version 1").click()
        wait_saved(page, 3)
        v1 = api(power, "GET", f"{base}/api/v1/layouts/{original}?version=1").json()
        v3 = api(power, "GET", f"{base}/api/v1/layouts/{original}").json()
        assert v3["version"] == 3 and v3["restoredFrom"] == 1
        assert v3["contentHash"] == v1["contentHash"] and v3["layout"] == v1["layout"] and v3["title"] == v1["title"]

        # --- a stale save from a second tab gets the conflict dialog; nothing is lost -------------
        other = power.new_page()
        other.goto(f"{base}/l/{original}")
        wait_saved(other, 3)
        other.locator("tessera-catalogue").get_by_text("Page views").first.wait_for(timeout=30_000)
        add_page_views(other)
        other.keyboard.press("Control+s")
        wait_saved(other, 4)
        page.bring_to_front()
        page.locator("tessera-catalogue").get_by_text("Page views").first.wait_for(timeout=30_000)
        add_page_views(page)
        page.keyboard.press("Control+s")
        conflict = page.locator("tessera-conflict-dialog").get_by_role("dialog")
        conflict.wait_for()
        assert "version 4" in conflict.inner_text()
        wait_status(page, "conflict")
        conflict.get_by_role("button", name="Overwrite with mine").click()
        wait_saved(page, 5)
        versions = api(power, "GET", f"{base}/api/v1/layouts/{original}/versions").json()["versions"]
        assert [v["version"] for v in versions] == [5, 4, 3, 2, 1]
        assert errors == []
    finally:
        for context in (power, casual, starter):
            context.close()
