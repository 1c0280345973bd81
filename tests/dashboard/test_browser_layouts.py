"""The layouts shell in a real Chromium against the real dashboard (SQLite) and stub
upstreams: the casual view, dead links, pinned versions, edit links, drafts, read-only
modes, the gallery; and the screenshots in docs/images/ (dark and light)."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.dashboard.conftest import ROOT, PAGE_VIEWS_MANIFEST, widget_public
from tests.support.screenshots import screenshot_dir

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

IMAGES = screenshot_dir()  # docs/images only with TESSERA_UPDATE_SCREENSHOTS=1
LIVE = PAGE_VIEWS_MANIFEST["version"]
READY = "() => document.body?.dataset.state === 'ready'"
CANVASES = "n => document.querySelectorAll('tessera-page-views').length === n && [...document.querySelectorAll(" \
           "'tessera-page-views')].every(el => el.shadowRoot?.querySelector('tessera-time-series')?.shadowRoot?.querySelector('canvas'))"


def window(widget_id: str, window_id: str, title: str, version: str | None = LIVE, **attributes) -> dict:
    return {"type": "component", "componentType": "tessera-widget", "title": title,
            "componentState": {"widgetId": widget_id, "version": version, "attributes": attributes,
                               "windowId": window_id}}


def three_windows(version: str | None = LIVE) -> dict:
    return {"root": {"type": "row", "content": [
        window("page-views", "w-shop", "Shop traffic", version, site="shop.local"),
        {"type": "column", "content": [
            window("page-views", "w-blog", "Blog traffic", LIVE, site="blog.local"),
            {"type": "stack", "content": [window("page-views", "w-docs", "Docs", LIVE, site="docs.local"),
                                          window("page-views", "w-demo", "Demo", LIVE, site="demo.local")]},
        ]},
    ]}}


def create(base: str, layout: dict, title: str = "Weekly traffic", **extra) -> dict:
    answer = httpx.post(f"{base}/api/v1/layouts", json={"title": title, "layout": layout, **extra}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def link(base: str, made: dict, **body) -> dict:
    answer = httpx.post(f"{base}/api/v1/layouts/{made['id']}/links", json={"role": "view", **body},
                        headers={"Authorization": f"Bearer {made['editKey']}"}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


def windows_of(layout: dict) -> list[dict]:
    found, stack = [], [layout["root"]]
    while stack:
        item = stack.pop()
        if item.get("type") == "component":
            found.append(item["componentState"])
        stack.extend(reversed(item.get("content") or []))
    return found


def with_key(page, made: dict) -> None:
    """This browser holds the layout's edit key (as after creating it here)."""
    page.context.add_init_script(
        f"localStorage.setItem('tessera.editKeys', JSON.stringify({{'{made['id']}': '{made['editKey']}'}}))")


def light(page) -> None:
    page.get_by_role("button", name="Switch to the light theme").click()
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    page.wait_for_timeout(250)


def test_casual_view_is_locked_loads_no_editor_and_widgets_stay_interactive(page, dashboard):
    IMAGES.mkdir(parents=True, exist_ok=True)
    made = create(dashboard.url, three_windows())
    shared = link(dashboard.url, made, expiresIn=3600)
    answer = httpx.get(dashboard.url + shared["url"], timeout=10)
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"
    assert "shell.js" not in answer.text and "view.js" in answer.text

    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(dashboard.url + shared["url"])
    page.wait_for_function(READY)
    page.wait_for_function(CANVASES, arg=4)
    assert page.locator("#casual-title").inner_text() == "Weekly traffic"
    assert not any("/static/shell.js" in url for url in loaded)
    assert not any(shared["token"] in url for url in loaded if "/v/" not in url), "the token leaked into a URL"
    assert page.evaluate("() => ['tessera-catalogue', 'tessera-layout-bar', 'tessera-share-dialog',"
                         " 'tessera-history-panel', 'tessera-conflict-dialog'].filter(n => customElements.get(n))") == []
    assert page.locator(".lm_close_tab:visible, .lm_controls > *:visible").count() == 0
    assert page.locator("tessera-catalogue").count() == 0

    # tabs still switch; nothing can be dragged out of place
    page.locator(".lm_tab", has_text="Demo").click()
    assert page.locator(".lm_tab.lm_active", has_text="Demo").count() == 1
    before = page.evaluate("() => JSON.stringify(window.tessera.layout.saveLayout().root.content.map(i => i.type))")
    tab = page.locator(".lm_tab", has_text="Shop traffic").bounding_box()
    page.mouse.move(tab["x"] + 20, tab["y"] + 10)
    page.mouse.down()
    page.mouse.move(tab["x"] + 900, tab["y"] + 400, steps=10)
    page.mouse.up()
    assert page.evaluate("() => JSON.stringify(window.tessera.layout.saveLayout().root.content.map(i => i.type))") == before
    assert page.evaluate("() => getComputedStyle(document.querySelector('.lm_splitter')).pointerEvents") == "none"

    # widgets are fully interactive: a click on a minute publishes its topic on the bus
    page.evaluate("() => { window.seen = []; window.tessera.bus.subscribe((m) => window.seen.push(m)); }")
    chart = page.locator("tessera-page-views").first.locator(".u-over").bounding_box()
    page.mouse.click(chart["x"] + chart["width"] * 0.6, chart["y"] + chart["height"] * 0.5)
    page.wait_for_function("() => window.seen.length > 0")
    assert page.evaluate("() => window.seen[0].topic") == "page-views-bucket-selected"

    page.screenshot(path=str(IMAGES / "casual-view-dark.png"))
    light(page)
    page.wait_for_function("() => [...document.querySelectorAll('tessera-page-views')].every(el => el.getAttribute('theme') === 'light')")
    page.wait_for_timeout(300)
    page.screenshot(path=str(IMAGES / "casual-view-light.png"))
    assert not page.errors


def test_expired_revoked_and_unknown_links_get_a_clear_page(page, dashboard):
    made = create(dashboard.url, three_windows())
    expiring = link(dashboard.url, made, expiresIn=1)
    revoked = link(dashboard.url, made)
    gone = httpx.delete(f"{dashboard.url}/api/v1/layouts/{made['id']}/links/{revoked['id']}",
                        headers={"Authorization": f"Bearer {made['editKey']}"}, timeout=10)
    assert gone.status_code == 204
    time.sleep(1.2)
    for url, title in [(expiring["url"], "This link has expired"), (revoked["url"], "This link was revoked"),
                       ("/v/tvl_made_up_token", "This link does not work"), ("/v/%3Cscript%3E", "This link does not work")]:
        page.goto(dashboard.url + url)
        problem = page.locator("#workspace-problem")
        problem.wait_for()
        assert problem.locator("h1").inner_text() == title, url
        assert "Traceback" not in page.content() and "undefined" not in problem.inner_text()
        assert page.locator("tessera-widget-frame").count() == 0
    page.goto(dashboard.url + revoked["url"])
    page.locator("#workspace-problem").wait_for()
    page.screenshot(path=str(IMAGES / "casual-view-revoked.png"))
    assert not page.errors


def test_a_pinned_version_that_is_no_longer_live_shows_a_placeholder(page, dashboard):
    made = create(dashboard.url, three_windows(version="0.0.9"))
    with_key(page, made)
    page.goto(f"{dashboard.url}/l/{made['id']}")
    card = page.locator("tessera-widget-frame[widget-id=page-views]").get_by_role("alert")
    card.wait_for()
    assert card.count() == 1
    text = card.inner_text()
    assert "Pinned version no longer live" in text and "0.0.9" in text and LIVE in text
    page.wait_for_function(CANVASES, arg=3)  # the rest of the layout works
    assert page.evaluate("() => document.querySelector('tessera-layout-bar').saveState.status") == "saved"
    card.get_by_role("button", name=f"Use version {LIVE}").click()
    page.wait_for_function(CANVASES, arg=4)
    page.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState.status === 'unsaved'")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState.status === 'saved'")
    saved = httpx.get(f"{dashboard.url}/api/v1/layouts/{made['id']}", timeout=10).json()
    assert saved["version"] == 2
    assert [w["version"] for w in windows_of(saved["layout"])] == [LIVE] * 4
    assert not page.errors


def test_an_edit_link_opens_the_editor_and_leaves_the_address_bar(page, dashboard):
    made = create(dashboard.url, three_windows())
    edit = link(dashboard.url, made, role="edit", expiresIn=600)
    assert edit["url"].startswith("/e/")
    answer = httpx.get(dashboard.url + edit["url"], timeout=10)
    assert answer.headers["referrer-policy"] == "no-referrer" and answer.headers["cache-control"] == "no-store"
    page.goto(dashboard.url + edit["url"])
    page.wait_for_url(f"{dashboard.url}/l/{made['id']}")
    assert edit["token"] not in page.url
    page.wait_for_function(CANVASES, arg=4)
    bar = page.locator("tessera-layout-bar")
    bar.get_by_label("Layout title").fill("Edited by link")
    bar.get_by_label("Layout title").press("Enter")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState.version === 2")
    assert httpx.get(f"{dashboard.url}/api/v1/layouts/{made['id']}", timeout=10).json()["title"] == "Edited by link"
    # an edit link may save but not share: the share dialog says so
    bar.get_by_role("button", name="Share").click()
    page.locator("tessera-share-dialog").get_by_text("Only the holder of this layout's edit key").wait_for()
    assert not page.errors


def test_unsaved_changes_survive_a_reload_and_are_never_pushed_without_save(page, dashboard):
    made = create(dashboard.url, {"root": {"type": "row", "content": [window("page-views", "w1", "One")]}})
    with_key(page, made)
    page.goto(f"{dashboard.url}/l/{made['id']}")
    page.wait_for_function(CANVASES, arg=1)
    page.locator("tessera-catalogue").get_by_role("button", name="Add Page views").click()
    page.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState.status === 'unsaved'")
    page.wait_for_function(f"() => localStorage.getItem('tessera.draft.{made['id']}')?.includes('page-views')")
    page.reload()
    try:
        page.wait_for_function(CANVASES, arg=2, timeout=10000)
    except Exception:
        print("DEBUG", page.url, page.evaluate("() => [document.querySelectorAll('tessera-widget-frame').length, document.querySelectorAll('tessera-page-views').length, localStorage.getItem('tessera.draft.%s'), document.querySelector('tessera-layout-bar').saveState]" % made['id']))
        raise
    assert page.evaluate("() => document.querySelector('tessera-layout-bar').saveState.status") == "unsaved"
    server = httpx.get(f"{dashboard.url}/api/v1/layouts/{made['id']}", timeout=10).json()
    assert server["version"] == 1 and len(server["layout"]["root"]["content"]) == 1
    # the Save button is reachable by keyboard
    save = page.locator("tessera-layout-bar").get_by_role("button", name="Save", exact=True)
    save.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState.status === 'saved'")
    assert page.evaluate(f"() => localStorage.getItem('tessera.draft.{made['id']}')") is None
    assert httpx.get(f"{dashboard.url}/api/v1/layouts/{made['id']}", timeout=10).json()["version"] == 2
    assert not page.errors


def test_without_the_key_a_layout_is_view_only_and_a_past_version_is_read_only(page, dashboard):
    made = create(dashboard.url, three_windows())
    httpx.put(f"{dashboard.url}/api/v1/layouts/{made['id']}", json={"title": "v2", "layout": three_windows()},
              headers={"Authorization": f"Bearer {made['editKey']}", "If-Match": '"1"'}, timeout=10).raise_for_status()
    page.goto(f"{dashboard.url}/l/{made['id']}")
    page.wait_for_function(CANVASES, arg=4)
    bar = page.locator("tessera-layout-bar")
    assert "View only" in bar.locator(".status").inner_text()
    assert bar.get_by_role("button", name="Save", exact=True).is_hidden()
    assert bar.get_by_role("button", name="Clone").is_visible()
    assert page.locator("#catalogue").is_hidden()
    assert page.locator(".lm_close_tab:visible").count() == 0

    page.goto(f"{dashboard.url}/l/{made['id']}@1")
    page.wait_for_function(CANVASES, arg=4)
    assert bar.locator(".status").inner_text() == "Version 1 of 2 · read-only"
    assert bar.get_by_label("Layout title").input_value() == "Weekly traffic"
    assert bar.get_by_role("button", name="Restore this version").is_hidden()  # no key here
    bar.get_by_role("button", name="Open latest").click()
    page.wait_for_url(f"{dashboard.url}/l/{made['id']}")

    page.goto(f"{dashboard.url}/l/nosuchlayout")
    page.locator("#workspace-problem h1", has_text="No such layout").wait_for()
    assert not page.errors


def test_gallery_history_and_share_screens_in_both_themes(page, dashboard):
    base = dashboard.url
    a = create(base, three_windows(), title="Weekly traffic", owner="Hedda (Sales)", description="Shop, blog and docs traffic by minute.")
    create(base, three_windows(), title="Marketing funnel", owner="Marco", description="Landing pages and sign-ups.")
    clone = httpx.post(f"{base}/api/v1/layouts/{a['id']}/clone", json={"title": "Weekly traffic (EU)", "owner": "Nina"},
                       timeout=10).json()
    page.goto(f"{base}/gallery")
    cards = page.locator("tessera-layout-gallery").locator("a.card")
    cards.nth(2).wait_for()
    assert cards.count() == 3
    assert "clone of Weekly traffic" in cards.filter(has_text="Weekly traffic (EU)").inner_text()
    page.screenshot(path=str(IMAGES / "gallery-dark.png"))
    light(page)
    page.screenshot(path=str(IMAGES / "gallery-light.png"))
    gallery = page.locator("tessera-layout-gallery")
    gallery.get_by_label("Search layouts").fill("funnel")
    gallery.get_by_role("button", name="Search").click()
    page.wait_for_function("() => document.querySelector('tessera-layout-gallery').items?.length === 1")
    assert "q=funnel" in page.url
    gallery.get_by_label("Search layouts").fill("nothing matches this")
    gallery.get_by_role("button", name="Search").click()
    gallery.get_by_text("No layout matches this search.").wait_for()
    page.get_by_role("button", name="Switch to the dark theme").click()

    # history with a structural diff, then the share dialog, in both themes
    with_key(page, clone)
    page.goto(f"{base}/l/{clone['id']}")
    page.wait_for_function(CANVASES, arg=4)
    page.locator(".lm_tab", has_text="Blog traffic").hover()
    page.locator(".lm_tab", has_text="Blog traffic").locator(".lm_close_tab").click()
    page.locator("tessera-catalogue").get_by_role("button", name="Add Page views").click()
    bar = page.locator("tessera-layout-bar")
    bar.get_by_role("button", name="Save with a message").click()
    bar.get_by_label("Your name").fill("Nina")
    bar.get_by_label("What changed").fill("blog out, a site-wide window in")
    bar.get_by_role("button", name="Save with message").click()
    page.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState.version === 2")
    bar.get_by_role("button", name="History").click()
    history = page.locator("tessera-history-panel")
    history.get_by_label("Compare version 1").check()
    history.get_by_label("Compare version 2").check()
    history.get_by_role("button", name="Compare", exact=True).click()
    diff = history.get_by_role("list", name="Differences")
    diff.wait_for()
    assert "Removed “Blog traffic”" in diff.inner_text() and "Added" in diff.inner_text()
    page.wait_for_timeout(200)
    page.screenshot(path=str(IMAGES / "history-diff-dark.png"))
    history.get_by_role("button", name="Compare with parent").click()
    history.get_by_text(re.compile("cloned from “Weekly traffic” v1")).wait_for()
    page.keyboard.press("Escape")
    light(page)
    bar.get_by_role("button", name="History").click()
    history.get_by_label("Compare version 1").check()
    history.get_by_label("Compare version 2").check()
    history.get_by_role("button", name="Compare", exact=True).click()
    diff.wait_for()
    page.wait_for_timeout(200)
    page.screenshot(path=str(IMAGES / "history-diff-light.png"))
    page.keyboard.press("Escape")

    bar.get_by_role("button", name="Share").click()
    share = page.locator("tessera-share-dialog")
    share.get_by_role("list", name="Active links").wait_for()
    share.get_by_label("Expires after").select_option(label="1 day")
    share.get_by_role("button", name="Create link").click()
    share.get_by_label("Share link").wait_for()
    assert "/v/" in share.get_by_label("Share link").input_value()
    # the new link is shown first; the list is fetched again after it
    page.wait_for_function("() => document.querySelector('tessera-share-dialog').links?.length === 2")
    assert share.get_by_role("list", name="Active links").locator("li").count() == 2  # the one made at creation, and this
    page.wait_for_timeout(200)
    page.screenshot(path=str(IMAGES / "share-dialog-light.png"))
    share.get_by_role("button", name="Revoke view link 2").click()
    page.wait_for_function("() => document.querySelector('tessera-share-dialog').links?.length === 1")
    share.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Switch to the dark theme").click()
    bar.get_by_role("button", name="Share").click()
    share.get_by_role("list", name="Active links").wait_for()
    share.get_by_role("button", name="Create link").click()
    share.get_by_label("Share link").wait_for()
    page.wait_for_timeout(200)
    page.screenshot(path=str(IMAGES / "share-dialog-dark.png"))
    assert not page.errors


def test_a_layout_saved_by_an_older_shell_is_kept_as_the_new_draft(page, dashboard, registry, widget_host):
    registry.widgets["page-views"] = widget_public(PAGE_VIEWS_MANIFEST, widget_host.url, "page-views")
    page.context.add_init_script("""if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1');
      localStorage.setItem('tessera.layout.v1', JSON.stringify({root: {type: 'row', content: [{type: 'component',
        componentType: 'tessera-widget', title: 'Old', componentState: {widgetId: 'page-views', attributes: {}}}]}})); }""")
    page.goto(dashboard.url)
    page.wait_for_function(CANVASES, arg=1)
    assert page.evaluate("() => document.querySelector('tessera-layout-bar').saveState.status") == "new"
    page.keyboard.press("Control+s")
    page.wait_for_url(re.compile(r"/l/[A-Za-z0-9_-]+$"))
    layout_id = page.url.rsplit("/", 1)[1]
    saved = httpx.get(f"{dashboard.url}/api/v1/layouts/{layout_id}", timeout=10).json()
    [state] = windows_of(saved["layout"])
    assert state["widgetId"] == "page-views" and state["windowId"]
    page.goto(dashboard.url)  # the home page now opens the last layout
    page.wait_for_url(f"{dashboard.url}/l/{layout_id}")
    page.goto(f"{dashboard.url}/gallery")
    page.locator("tessera-layout-gallery").get_by_role("link", name="New layout").click()
    page.wait_for_url(f"{dashboard.url}/")
    page.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState?.status === 'new'")
    assert page.locator("tessera-widget-frame").count() == 0
    assert not page.errors


def save_elsewhere(base: str, made: dict, version: int, title: str) -> None:
    answer = httpx.put(f"{base}/api/v1/layouts/{made['id']}", json={"title": title, "layout": three_windows()},
                       headers={"Authorization": f"Bearer {made['editKey']}", "If-Match": f'"{version}"'}, timeout=10)
    assert answer.status_code == 200, answer.text


def test_stale_states_a_newer_version_or_a_dead_link_while_the_page_is_open(browser, dashboard):
    base = dashboard.url
    made = create(base, three_windows())
    shared = link(base, made)
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    try:
        view = context.new_page()
        view.goto(base + shared["url"])
        view.wait_for_function(READY)
        assert view.locator("#casual-notice").is_hidden()
        save_elsewhere(base, made, 1, "Weekly traffic, revised")
        view.evaluate("() => window.tessera.checkForUpdate()")
        view.locator("#casual-notice", has_text="Version 2 was saved since you opened this").wait_for()
        view.get_by_role("button", name="Show the new version").click()
        view.wait_for_function(READY)
        assert view.locator("#casual-title").inner_text() == "Weekly traffic, revised"
        httpx.delete(f"{base}/api/v1/layouts/{made['id']}/links/{shared['id']}",
                     headers={"Authorization": f"Bearer {made['editKey']}"}, timeout=10).raise_for_status()
        view.evaluate("() => window.tessera.checkForUpdate()")
        view.locator("#casual-notice", has_text="This link was revoked: what you see may be out of date").wait_for()
        assert view.locator("tessera-widget-frame").count() == 4  # what was on screen stays

        editor = context.new_page()
        with_key(editor, made)
        editor.goto(f"{base}/l/{made['id']}")
        editor.wait_for_function(CANVASES, arg=4)
        bar = editor.locator("tessera-layout-bar")
        save_elsewhere(base, made, 2, "Saved in another tab")
        editor.evaluate("() => window.tessera.session.checkLatest()")
        behind = bar.get_by_role("button", name="v3 saved elsewhere · Open")
        behind.wait_for()
        behind.click()  # nothing edited here: it simply opens theirs
        editor.wait_for_function("() => document.querySelector('tessera-layout-bar').saveState.version === 3")
        assert bar.get_by_label("Layout title").input_value() == "Saved in another tab"
        assert behind.is_hidden()
    finally:
        context.close()
