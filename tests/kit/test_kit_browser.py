"""The kit's elements and data client in a real Chromium, loaded from /kit/v1/ through the
dashboard's kit route: selection events, keyboard, sorting, states, theme, resize, and
the data client's shared SSE connections, polling fallback and Last-Event-ID resume."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.dashboard.conftest import ROOT
from tests.kit.conftest import mount

SHOTS = ROOT / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

PAGES = """[{value: '/', views: 10, visitors: 7}, {value: '/pricing', views: 40, visitors: 20},
            {value: '/about', views: 25, visitors: 25}, {value: '/blog', views: 5, visitors: 4}]"""
TABLE = ("<tessera-table id='t' emit-topic='page.selected' emit-field='path' row-key='value' sort='views:desc' "
         "columns='[{\"key\":\"value\",\"label\":\"Page\"},{\"key\":\"views\",\"label\":\"Views\",\"type\":\"number\"},"
         "{\"key\":\"visitors\",\"label\":\"Visitors\",\"type\":\"number\"}]'></tessera-table>")
DEEP_TEXT = """(el) => { const walk = (node) => [...node.childNodes].map((n) => n.nodeType === 3 ? n.data
  : (n.shadowRoot ? walk(n.shadowRoot) : '') + walk(n)).join(' '); return walk(el.shadowRoot).replace(/\\s+/g, ' '); }"""


def rendered(page, selector="#t"):
    page.wait_for_function(f"() => document.querySelector('{selector}').shadowRoot.querySelector('tbody tr, li, .tile, canvas')")


def table_order(page) -> list[str]:
    return page.evaluate("() => [...document.querySelector('#t').shadowRoot.querySelectorAll('tbody tr')]"
                         ".map((tr) => tr.cells[0].textContent)")


def wait(predicate, timeout=10.0, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# ---- table -----------------------------------------------------------------------------

def test_table_row_click_emits_the_declared_topic_bubbling_and_composed_out_of_a_widget(blank):
    # The table sits in a widget's shadow root; the document must still hear the topic.
    blank.evaluate(f"""() => {{
      const host = document.createElement('div');
      host.id = 'widget';
      document.querySelector('main').append(host);
      host.attachShadow({{mode: 'open'}}).innerHTML = `{TABLE}`;
      const t = host.shadowRoot.querySelector('#t');
      t.extraPayload = {{site: 'demo.local'}};
      t.rows = {PAGES};
      window.heard = [];
      for (const type of ['page.selected', 'tessera-table-selected']) document.addEventListener(type,
        (e) => heard.push({{type, detail: e.detail.payload ?? e.detail, bubbles: e.bubbles, composed: e.composed}}));
    }}""")
    blank.wait_for_function("() => document.querySelector('#widget').shadowRoot.querySelector('#t').shadowRoot.querySelector('tbody tr')")
    blank.locator("#widget #t tbody tr").nth(1).click()  # the second row by views: /about
    heard = blank.evaluate("() => heard")
    assert heard[0] == {"type": "page.selected", "detail": {"site": "demo.local", "path": "/about"}, "bubbles": True, "composed": True}
    assert heard[1]["type"] == "tessera-table-selected" and heard[1]["composed"]
    table = blank.locator("#widget #t")
    assert table.get_attribute("selected") == "/about"
    assert blank.locator("#widget #t tbody tr[aria-selected=true]").inner_text().startswith("/about")
    blank.locator("#widget #t tbody tr").nth(1).click()  # the selected row again clears the selection
    assert blank.evaluate("() => heard[2]") == {"type": "page.selected", "detail": {"site": "demo.local", "path": None},
                                                 "bubbles": True, "composed": True}
    assert blank.locator("#widget #t tbody tr[aria-selected=true]").count() == 0


def test_table_keyboard_moves_with_arrows_home_end_and_selects_with_enter(blank):
    mount(blank, TABLE)
    blank.evaluate(f"() => {{ document.querySelector('#t').rows = {PAGES};"
                   " window.picked = []; document.addEventListener('page.selected', (e) => picked.push(e.detail.path)); }")
    rendered(blank)
    focused = "() => document.querySelector('#t').shadowRoot.activeElement?.cells?.[0]?.textContent"
    blank.keyboard.press("Tab")  # the sort buttons come first, then the one focusable row
    while blank.evaluate("() => document.querySelector('#t').shadowRoot.activeElement?.localName") == "button":
        blank.keyboard.press("Tab")
    assert blank.evaluate(focused) == "/pricing"
    blank.keyboard.press("ArrowDown")
    blank.keyboard.press("ArrowDown")
    assert blank.evaluate(focused) == "/"
    blank.keyboard.press("End")
    assert blank.evaluate(focused) == "/blog"
    blank.keyboard.press("ArrowDown")  # stays on the last row
    assert blank.evaluate(focused) == "/blog"
    blank.keyboard.press("Home")
    blank.keyboard.press("ArrowDown")
    blank.keyboard.press("Enter")
    assert blank.evaluate("() => picked") == ["/about"]
    blank.keyboard.press("ArrowUp")
    blank.keyboard.press(" ")
    assert blank.evaluate("() => picked") == ["/about", "/pricing"]
    assert blank.evaluate(focused) == "/pricing"  # focus survives the re-render
    blank.keyboard.press("Escape")  # clears: the topic says "no page" (path null)
    assert blank.evaluate("() => picked") == ["/about", "/pricing", None]
    assert blank.locator("#t").get_attribute("selected") is None
    # only one row is in the tab order (roving tabindex)
    assert blank.evaluate("() => [...document.querySelector('#t').shadowRoot.querySelectorAll('tr[tabindex=\"0\"]')].length") == 1


def test_table_sorts_by_header_click_and_keyboard_and_reflects_it_in_the_sort_attribute(blank):
    mount(blank, TABLE)
    blank.evaluate(f"() => {{ document.querySelector('#t').rows = {PAGES}; window.sorted = [];"
                   " document.addEventListener('tessera-table-sorted', (e) => sorted.push(e.detail)); }")
    rendered(blank)
    assert table_order(blank) == ["/pricing", "/about", "/", "/blog"]
    blank.locator("#t th button", has_text="Views").click()
    assert blank.locator("#t").get_attribute("sort") == "views:asc"
    assert table_order(blank) == ["/blog", "/", "/about", "/pricing"]
    assert blank.locator("#t th[aria-sort=ascending]").inner_text().strip().endswith("Views")
    blank.locator("#t th button", has_text="Page").focus()
    blank.keyboard.press("Enter")
    assert table_order(blank) == ["/pricing", "/blog", "/about", "/"]  # text, descending
    blank.evaluate("() => document.querySelector('#t').setAttribute('sort', 'visitors:asc')")
    blank.wait_for_function("() => document.querySelector('#t').shadowRoot.querySelector('tbody tr').cells[0].textContent === '/blog'")
    assert blank.evaluate("() => sorted") == [{"key": "views", "direction": "asc"}, {"key": "value", "direction": "desc"}]


# ---- bar list and KPI tiles ------------------------------------------------------------------

def test_bar_list_rows_are_buttons_with_share_bars_that_emit_their_topic(blank):
    mount(blank, "<tessera-bar-list id='t' emit-topic='referrer.selected' emit-field='referrer'></tessera-bar-list>")
    blank.evaluate("""() => { document.querySelector('#t').rows = [{value: 'google.com', views: 30},
      {value: 'news.ycombinator.com', views: 60}, {value: '', views: 10}];
      window.picked = []; document.addEventListener('referrer.selected', (e) => picked.push([e.detail, e.composed])); }""")
    rendered(blank)
    widths = blank.evaluate("() => [...document.querySelector('#t').shadowRoot.querySelectorAll('.bar')].map((b) => b.style.width)")
    assert widths == ["100%", "50%", "16.6667%"]
    assert blank.locator("#t li").first.inner_text().replace("\n", " ").split() == ["news.ycombinator.com", "60", "60%"]
    assert blank.locator("#t li").last.inner_text().startswith("(none)")
    assert blank.locator("#t button[aria-pressed=true]").count() == 0  # nothing selected yet, not even the "" row
    assert blank.evaluate("() => document.querySelector('#t').selected") is None
    blank.locator("#t button").first.focus()
    blank.keyboard.press("ArrowDown")
    blank.keyboard.press("Enter")
    assert blank.evaluate("() => picked") == [[{"referrer": "google.com"}, True]]
    assert blank.locator("#t button[aria-pressed=true]").count() == 1
    assert blank.locator("#t button[tabindex='0']").count() == 1  # one tab stop: the focused row
    assert blank.evaluate("() => document.querySelector('#t').shadowRoot.activeElement.textContent").startswith("google.com")


def test_kpi_tiles_show_value_change_against_previous_and_a_sparkline(blank):
    mount(blank, "<tessera-kpi-tiles id='t'></tessera-kpi-tiles>")
    blank.evaluate("""() => document.querySelector('#t').rows = [
      {label: 'Visitors', value: 1200, previous: 1000, spark: [1, 3, 2, 5]},
      {label: 'Bounce rate', value: 0.5, previous: 0.4, format: 'percent', better: 'down', spark: [2, 2]},
      {label: 'Engaged', value: 75, format: 'duration'}]""")
    rendered(blank)
    tiles = blank.evaluate("""() => [...document.querySelector('#t').shadowRoot.querySelectorAll('.tile')].map((t) => ({
      value: t.querySelector('.value').textContent, change: t.querySelector('.change b').textContent,
      tone: t.querySelector('.change').className, path: t.querySelector('path').getAttribute('d')}))""")
    assert [t["value"] for t in tiles] == ["1,200", "50%", "1m 15s"]
    assert [t["change"] for t in tiles] == ["+20%", "+25%", ""]
    assert tiles[0]["tone"] == "change good" and tiles[1]["tone"] == "change bad"  # a rising bounce rate is bad
    assert tiles[0]["path"].startswith("M2 26") and tiles[2]["path"] == ""


@pytest.mark.parametrize("box", [None, 220, 110, 76, 62])
def test_kpi_tiles_fit_a_short_box_by_giving_up_the_sparkline_first(blank, box):
    # A widget's body that is a size container (the default layout's Overview is ~66 px high at
    # 1280 x 720, ~104 at 1440 x 900): the tiles fill it, the sparkline takes what is left (up to
    # 28 px), and label and value stay whole; in no container the tiles keep their own height.
    style = f"container-type: size; height: {box}px;" if box else ""
    mount(blank, f"<div id='box' style='{style} width: 700px; overflow: auto'>"
                 "<tessera-kpi-tiles id='t'></tessera-kpi-tiles></div>")
    blank.evaluate("""() => document.querySelector('#t').rows = [
      {label: 'Visitors', value: 1200, previous: 1000, spark: [1, 3, 2, 5]},
      {label: 'Views', value: 3000, previous: 2000, spark: [4, 1, 2, 5]}]""")
    rendered(blank)
    got = blank.evaluate("""() => { const tile = document.querySelector('#t').shadowRoot.querySelector('.tile');
      const box = document.querySelector('#box').getBoundingClientRect(); const r = (s) => tile.querySelector(s).getBoundingClientRect();
      return {spark: r('svg').height, value: r('.value').height, bottom: Math.max(r('.value').bottom, r('.change').bottom, r('svg').bottom),
              tile: tile.getBoundingClientRect().bottom, box: box.bottom, change: r('.change').height, title: tile.title}; }""")
    assert got["value"] >= 20 and got["bottom"] <= got["tile"] <= got["box"] + 0.5, got  # nothing cut, nothing scrolls
    assert got["title"] == "+20% vs previous period"
    if box is None or box >= 130:
        assert got["spark"] == 28 and got["change"] > 0
    elif box >= 100:
        assert 0 < got["spark"] < 28 and got["change"] > 0
    else:
        assert got["spark"] == 0
    assert (got["change"] > 0) == (box is None or box > 70)


# ---- states --------------------------------------------------------------------------------

def overlay(page):
    return page.evaluate("""() => { const o = document.querySelector('#t').shadowRoot.querySelector('tessera-state-overlay');
      const box = o.shadowRoot; return {state: o.state, cover: !box.querySelector('.cover').hidden,
      banner: box.querySelector('.banner').hidden ? '' : box.querySelector('.banner').textContent,
      text: box.querySelector('.box').textContent, spinner: Boolean(box.querySelector('.spinner'))}; }""")


def test_loading_empty_error_and_stale_states_from_real_queries(blank, kit_server):
    mount(blank, "<tessera-bar-list id='t' stale-after='60'></tessera-bar-list>")
    state = overlay(blank)
    assert state["state"] == "loading" and state["cover"] and state["spinner"]

    blank.evaluate("() => document.querySelector('#t').rows = []")
    blank.wait_for_function("() => document.querySelector('#t').dataState === 'empty'")
    time.sleep(0.05)
    assert overlay(blank)["text"].startswith("No data")

    load = "(q) => import('/kit/v1/data-client.js').then((m) => document.querySelector('#t').load(m.clientFor('/api/v1/metrics').query('rows', q)))"
    blank.evaluate(load, {"status": 503})
    state = overlay(blank)
    assert state["state"] == "error" and "HTTP 503 (down)" in state["text"] and "Retry" in state["text"]
    blank.evaluate("() => { window.retried = 0; document.addEventListener('tessera-state-overlay-retried', () => retried++); }")
    blank.locator("#t tessera-state-overlay button").click()
    assert blank.evaluate("() => retried") == 1  # composed: it leaves both shadow roots

    blank.evaluate(load, {"status": 422})
    assert "dimension: unknown dimension 'colour'" in overlay(blank)["text"]

    blank.evaluate(load, {"lag": 5})  # fresh data: no cover, no banner
    time.sleep(0.05)
    assert overlay(blank) | {"text": ""} == {"state": "ready", "cover": False, "banner": "", "text": "", "spinner": False}

    blank.evaluate(load, {"lag": 600})  # complete only up to 10 minutes ago, stale after 60 s
    time.sleep(0.05)
    banner = overlay(blank)["banner"]
    assert banner.startswith("Stale: data complete up to") and "(10 min ago)" in banner

    blank.evaluate(load, {"status": 502})  # a failed refresh keeps the rows, says so
    time.sleep(0.05)
    state = overlay(blank)
    assert state["state"] == "ready" and state["banner"].startswith("Refresh failed") and "HTTP 502" in state["banner"]
    assert blank.locator("#t li").count() == 2
    assert blank.errors == []


# ---- theme and size ------------------------------------------------------------------------

def test_theme_follows_the_shell_tokens_and_the_theme_attribute(blank):
    mount(blank, TABLE + "<tessera-time-series id='s' style='height:200px'></tessera-time-series>")
    blank.evaluate(f"""() => {{ document.querySelector('#t').rows = {PAGES};
      document.querySelector('#s').rows = [{{t: 0, views: 3}}, {{t: 60, views: 5}}, {{t: 120, views: 4}}]; }}""")
    rendered(blank)
    rendered(blank, "#s")
    cell = "() => getComputedStyle(document.querySelector('#t').shadowRoot.querySelector('td')).color"
    assert blank.evaluate(cell) == "rgb(204, 204, 220)"  # the shell's dark --text
    chart = blank.evaluate_handle("() => document.querySelector('#s').chart")
    blank.evaluate("() => document.documentElement.dataset.theme = 'light'")
    blank.wait_for_function(f"() => ({cell})() === 'rgb(36, 41, 46)'")  # the shell's light --text
    blank.wait_for_function("(old) => document.querySelector('#s').chart && document.querySelector('#s').chart !== old", arg=chart)
    # Without shell tokens, the theme attribute alone switches the fallbacks.
    blank.evaluate("() => document.querySelector('link[href=\"/tokens.css\"]').remove()")
    blank.evaluate("() => document.querySelector('#t').theme = 'light'")
    blank.wait_for_function(f"() => ({cell})() === 'rgb(36, 41, 46)'")
    blank.evaluate("() => document.querySelector('#t').theme = 'dark'")
    blank.wait_for_function(f"() => ({cell})() === 'rgb(204, 204, 220)'")  # theme="dark" beats the page's light
    blank.evaluate("() => document.querySelector('#t').removeAttribute('theme')")
    blank.wait_for_function(f"() => ({cell})() === 'rgb(36, 41, 46)'")  # no attribute: <html data-theme="light">


def test_time_series_resizes_with_its_window_and_data_does_not_move_the_layout(blank):
    mount(blank, "<div id='box' style='width:500px;height:220px'><tessera-time-series id='s'></tessera-time-series></div><p id='below'>below</p>")
    before = blank.evaluate("() => [document.querySelector('#s').getBoundingClientRect().height, document.querySelector('#below').getBoundingClientRect().top]")
    blank.evaluate("() => document.querySelector('#s').rows = Array.from({length: 30}, (_, i) => ({t: i * 60, views: i % 7, visitors: i % 3}))")
    rendered(blank, "#s")
    after = blank.evaluate("() => [document.querySelector('#s').getBoundingClientRect().height, document.querySelector('#below').getBoundingClientRect().top]")
    assert after == before == [220, before[1]]
    canvas_width = "() => document.querySelector('#s').shadowRoot.querySelector('canvas').getBoundingClientRect().width"
    assert abs(blank.evaluate(canvas_width) - 500) < 2
    blank.evaluate("() => document.querySelector('#box').style.width = '320px'")
    blank.wait_for_function(f"() => Math.abs(({canvas_width})() - 320) < 2")


@pytest.mark.parametrize("height, legend", [(220, True), (70, False)])
def test_time_series_in_a_short_box_gives_the_legend_up_to_the_plot(blank, height, legend):
    # 1280 x 720 leaves the default layout's page views chart ~67 px: the plot takes it all
    # (the key is the widget's own totals there), and nothing is drawn past the box
    mount(blank, f"<div style='width:500px;height:{height}px;display:flex'><tessera-time-series id='s' "
                 "style='min-height:0' series='[{\"key\":\"views\",\"label\":\"views\"}]'></tessera-time-series></div>")
    blank.evaluate("() => document.querySelector('#s').rows = Array.from({length: 30}, (_, i) => ({t: i * 60, views: i % 7}))")
    rendered(blank, "#s")
    blank.wait_for_timeout(100)  # the resize observer's frame
    got = blank.evaluate("""() => { const root = document.querySelector('#s').shadowRoot;
      const legend = root.querySelector('.legend'); const host = document.querySelector('#s').getBoundingClientRect();
      return {legend: getComputedStyle(legend).display !== 'none', canvas: root.querySelector('canvas').getBoundingClientRect().bottom,
              plot: root.querySelector('.plot').getBoundingClientRect().height, host: host.bottom, hostHeight: host.height}; }""")
    assert got["legend"] is legend and got["hostHeight"] == height
    assert got["canvas"] <= got["host"] + 0.5, got
    assert got["plot"] == (height - 22 if legend else height), got


def test_time_series_click_and_drag_emit(blank):
    mount(blank, "<div style='width:600px;height:240px'><tessera-time-series id='s' emit-topic='time.range' interval='1m'></tessera-time-series></div>")
    blank.evaluate("""() => { document.querySelector('#s').rows = Array.from({length: 11}, (_, i) =>
        ({t: new Date(Date.UTC(2026, 10, 29, 10, i)).toISOString(), views: i + 1}));
      window.got = []; for (const type of ['time.range', 'tessera-time-series-selected'])
        document.addEventListener(type, (e) => got.push([type, e.detail, e.composed])); }""")
    rendered(blank, "#s")
    over = blank.locator("#s .u-over").bounding_box()
    y = over["y"] + over["height"] / 2
    blank.mouse.click(over["x"] + over["width"] / 2, y)
    blank.mouse.move(over["x"] + 20, y)
    blank.mouse.down()
    blank.mouse.move(over["x"] + over["width"] - 20, y, steps=5)
    blank.mouse.up()
    got = blank.evaluate("() => got")
    clicked = [g for g in got if g[0] == "tessera-time-series-selected"][0]
    assert clicked[1]["t"] == "2026-11-29T10:05:00.000Z" and clicked[1]["values"] == {"views": 6} and clicked[2]
    ranged = [g for g in got if g[0] == "time.range"][0][1]
    assert ranged["interval"] == "1m" and "2026-11-29T10:00" <= ranged["from"] < ranged["to"] <= "2026-11-29T10:10:01"


# ---- data client: shared streams, fallback, resume ------------------------------------------

SUBSCRIBE = """async ([count, site, options]) => {
  const kit = await import('/kit/v1/data-client.js');
  window.kit = kit;
  window.updates ??= {};
  window.subs ??= [];
  const client = options ? new kit.DataClient('/api/v1/metrics', options) : kit.clientFor('/api/v1/metrics');
  for (let i = 0; i < count; i++) {
    const key = `${site}-${subs.length}`;
    updates[key] = [];
    subs.push(client.subscribe('stream', {site}, (u) => updates[key].push([u.via, u.data?.n ?? null]), {events: ['minute'], pollMs: 200}));
  }
}"""


def test_ten_subscribers_share_one_connection_closed_when_the_last_leaves(blank, sse):
    blank.evaluate(SUBSCRIBE, [10, "a.local", None])
    blank.wait_for_function("() => Object.values(updates).every((u) => u.length >= 2)")
    assert sse.open == 1 and len(sse.connections) == 1
    streams = blank.evaluate("() => kit.openStreams()")
    assert [(s["subscribers"], s["mode"], s["opened"]) for s in streams] == [(10, "sse", 1)]
    assert streams[0]["url"].endswith("/api/v1/metrics/stream?site=a.local")

    blank.evaluate(SUBSCRIBE, [1, "b.local", None])  # other parameters, another stream
    wait(lambda: sse.open == 2, what="a second connection")
    blank.evaluate("() => subs.slice(0, 9).forEach((s) => s.close())")
    time.sleep(0.3)
    assert sse.open == 2
    blank.evaluate("() => subs.forEach((s) => s.close())")
    wait(lambda: sse.open == 0, what="every connection to close")
    assert blank.evaluate("() => kit.openStreams()") == []


def test_last_event_id_resumes_a_dropped_stream_without_loss_or_repeats(blank, sse):
    sse.drop_after = 3
    blank.evaluate(SUBSCRIBE, [2, "a.local", None])
    blank.wait_for_function("() => Object.values(updates).every((u) => u.length >= 8)")
    for received in blank.evaluate("() => Object.values(updates)"):
        numbers = [n for via, n in received]
        assert numbers[:8] == list(range(1, 9))
    assert [c["header"] for c in sse.connections[:3]] == [None, "3", "6"]  # the browser's own resume
    assert len({id(c) for c in sse.connections}) == len(sse.connections)
    assert blank.evaluate("() => subs[0].lastEventId") >= "8"


def test_polling_while_the_stream_fails_then_back_to_sse_resuming_by_query_parameter(blank, sse):
    sse.drop_after = 2
    options = {"pollMs": 200, "streamRetryMs": 800, "maxStreamFailures": 2}
    blank.evaluate(SUBSCRIBE, [1, "a.local", options])
    blank.wait_for_function("() => updates['a.local-0'].some(([via, n]) => n === 2)")
    sse.refuse = True  # the next reconnect gets a 503: fall back to polling
    blank.wait_for_function("() => updates['a.local-0'].filter(([via]) => via === 'poll').length >= 3")
    assert blank.evaluate("() => subs[0].mode") == "poll"
    last = blank.evaluate("() => subs[0].lastEventId")
    sse.refuse = False
    sse.drop_after = None
    blank.wait_for_function("() => subs[0].mode === 'sse'", timeout=5000)
    blank.wait_for_function(f"() => updates['a.local-0'].some(([via, n]) => n === {int(last) + 2})")
    assert sse.connections[-1]["param"] == last  # a new EventSource resumes through ?lastEventId=
    numbers = [n for via, n in blank.evaluate("() => updates['a.local-0']") if via == "sse"]
    assert numbers == list(range(1, len(numbers) + 1))  # nothing lost, nothing twice


def test_a_subscriber_that_throws_does_not_stop_the_others(blank, sse):
    blank.evaluate("""async () => {
      const kit = await import('/kit/v1/data-client.js');
      window.fine = 0;
      window.onerror = () => true;
      kit.clientFor('/api/v1/metrics').subscribe('stream', {site: 'x'}, () => { throw new Error('boom'); }, {events: ['minute']});
      kit.clientFor('/api/v1/metrics').subscribe('stream', {site: 'x'}, () => fine++, {events: ['minute']});
    }""")
    blank.wait_for_function("() => fine >= 3")
    assert sse.open == 1


# ---- gallery --------------------------------------------------------------------------------

def test_gallery_renders_every_element_in_both_themes_without_errors(page, kit_server):
    page.set_viewport_size({"width": 1500, "height": 1000})
    page.goto(f"{kit_server.url}/gallery/")
    page.wait_for_function("() => window.galleryReady && document.querySelectorAll('tessera-time-series').length === 2"
                           " && [...document.querySelectorAll('tessera-time-series')].every((s) => s.chart)")
    text = page.evaluate(DEEP_TEXT.replace("el.shadowRoot", "el"), page.query_selector("main"))
    for expected in ("Unique visitors", "+14.5%", "/pricing", "news.ycombinator.com", "Loading", "No data",
                     "HTTP 503", "Stale: data complete up to"):
        assert expected in text
    assert page.errors == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "kit-gallery.png"))  # docs/images/kit-gallery.png is a copy, looked at


def test_the_built_kit_serves_its_declarations_and_modules_with_their_types(kit_server):
    for name, kind in [("index.js", "text/javascript"), ("time-series.js", "text/javascript"),
                       ("index.d.ts", "application/typescript"), ("topics.d.ts", "application/typescript")]:
        answer = httpx.get(f"{kit_server.url}/kit/v1/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(kind), name
    assert b"u-cursor-pt" in httpx.get(f"{kit_server.url}/kit/v1/uplot.js").content  # uPlot, imported by the time series
    assert b"u-cursor-pt" not in httpx.get(f"{kit_server.url}/kit/v1/time-series-element.js").content  # when it first draws
    assert b"u-over" not in httpx.get(f"{kit_server.url}/kit/v1/table-element.js").content


def test_the_data_api_comes_from_the_nearest_data_api_attribute_across_shadow_roots(blank):
    bases = blank.evaluate("""async () => {
      const { resolveBase, clientFor } = await import('/kit/v1/data-client.js');
      const widget = document.createElement('x-w');
      widget.setAttribute('data-api', 'http://metrics.example/api/v1/metrics/');
      document.querySelector('main').append(widget);
      const inner = document.createElement('div');
      widget.attachShadow({mode: 'open'}).append(inner);
      const table = document.createElement('tessera-table');
      inner.append(table);
      return [resolveBase(table), resolveBase(document.body), clientFor(table) === clientFor(widget)];
    }""")
    assert bases == ["http://metrics.example/api/v1/metrics", f"{blank.url.split('/blank')[0]}/api/v1/metrics", True]


def test_accept_routes_the_shells_messages_once_each_replays_the_last_and_stops_on_disconnect(blank):
    got = blank.evaluate("""async () => {
      const { KitElement } = await import('/kit/v1/kit-element.js');
      class Receiver extends KitElement {}
      customElements.define('x-receiver', Receiver);
      const el = document.createElement('x-receiver');
      const seen = [];
      el.lastMessage = {topic: 'site.selected', payload: {site: 'early.local'}};  // before it connects
      document.querySelector('main').append(el);
      el.accept('site.selected', (payload) => seen.push(payload.site));
      el.accept('page.selected', (payload, message) => seen.push(message.topic + ' ' + payload.path));
      const message = {topic: 'page.selected', payload: {path: '/a'}};
      el.lastMessage = message;  // the shell sets the property, then dispatches the same object
      el.dispatchEvent(new CustomEvent('tessera-message', {detail: message}));
      el.dispatchEvent(new CustomEvent('tessera-message', {detail: {topic: 'other', payload: 1}}));
      el.remove();
      el.dispatchEvent(new CustomEvent('tessera-message', {detail: {topic: 'site.selected', payload: {site: 'late'}}}));
      return {seen, last: el.lastMessage.topic};
    }""")
    assert got == {"seen": ["early.local", "page.selected /a"], "last": "other"}


def test_every_kit_url_shares_one_instance_of_each_module(blank):
    """Built-in widgets import /kit/v1/kit.js; a third-party widget imports /kit/v1/<file>.js (a
    facade re-exporting from kit.js): both get the same data client and the same classes."""
    same = blank.evaluate("""async () => {
      const kit = await import('/kit/v1/kit.js');
      const client = await import('/kit/v1/data-client.js');
      const table = await import('/kit/v1/table.js');
      const index = await import('/kit/v1/index.js');
      const series = await import('/kit/v1/time-series.js');
      const element = await import('/kit/v1/kit-element.js');
      return [kit.clientFor === client.clientFor, kit.DataClient === index.DataClient, table.TableElement === kit.TableElement,
              customElements.get('tessera-table') === kit.TableElement, index.TimeSeriesElement === series.TimeSeriesElement,
              Object.getPrototypeOf(Object.getPrototypeOf(series.TimeSeriesElement)) === element.KitElement,
              clientFor(document.body) === client.clientFor(document.body)].map(Boolean);
      function clientFor(el) { return kit.clientFor(el); }
    }""")
    assert same == [True] * 7


# ---- the chart library, imported when a chart first draws ------------------------------------------

def test_a_chart_waits_loading_for_its_library_then_draws(page, kit_server):
    """uPlot (/kit/v1/uplot.js) is imported by the first time series with points to draw: until it
    is in, the element's data state stays "loading" (rows alone do not make it ready)."""
    held = []
    page.route("**/kit/v1/uplot.js", lambda route: held.append(route))  # answered when the test says
    page.goto(f"{kit_server.url}/blank.html")
    page.wait_for_function("() => customElements.get('tessera-time-series')")
    mount(page, "<tessera-time-series id='s' style='height:200px'></tessera-time-series>")
    page.evaluate("() => document.querySelector('#s').rows = [{t: 0, views: 3}, {t: 60, views: 5}]")
    page.wait_for_function("() => document.querySelector('#s').shadowRoot.querySelector('tessera-state-overlay').state")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    assert page.evaluate("() => [document.querySelector('#s').dataState, document.querySelector('#s').chart]") == ["loading", None]
    held[0].continue_()
    page.wait_for_function("() => document.querySelector('#s').dataState === 'ready' && document.querySelector('#s').chart")
    rendered(page, "#s")
    assert page.errors == []


def test_a_chart_whose_library_cannot_load_says_so(page, kit_server):
    page.route("**/kit/v1/uplot.js", lambda route: route.fulfill(status=503, body="down"))
    page.goto(f"{kit_server.url}/blank.html")
    page.wait_for_function("() => customElements.get('tessera-time-series')")
    mount(page, "<tessera-time-series id='s' style='height:200px'></tessera-time-series>")
    page.evaluate("() => document.querySelector('#s').rows = [{t: 0, views: 3}, {t: 60, views: 5}]")
    page.wait_for_function("() => document.querySelector('#s').dataState === 'error'")
    overlay = page.evaluate("() => { const o = document.querySelector('#s').shadowRoot.querySelector('tessera-state-overlay');"
                            " return [o.state, o.message]; }")
    assert overlay[0] == "error" and "the chart library did not load" in overlay[1], overlay
