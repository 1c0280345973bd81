"""<tessera-page-views> on its own (no shell), in Chromium, with the metrics API stubbed
by Playwright routes. (Widget tests live here because this part owns tests/dashboard/.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.dashboard.conftest import SERIES_PIXELS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

API = "http://metrics.test/api/v1/metrics"
UNIQUE_VISITORS = 4  # over the range: fewer than the per-minute uniques add up to
# The widget's text, its kit elements' shadow roots included.
SHADOW_TEXT = """() => { const walk = (node) => [...node.childNodes].map((n) => n.nodeType === 3 ? n.data
  : (n.shadowRoot ? walk(n.shadowRoot) : '') + walk(n)).join(' ');
  return walk(document.querySelector('#w').shadowRoot).replace(/\\s+/g, ' '); }"""
CANVAS = "() => document.querySelector('#w').shadowRoot.querySelector('tessera-time-series')?.shadowRoot?.querySelector('canvas')"


def series(views: list[int]) -> dict:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    points = [{"t": (now - timedelta(minutes=len(views) - 1 - i)).isoformat().replace("+00:00", "Z"),
               "views": v, "visitors": v // 2} for i, v in enumerate(views)]
    return {"site": "demo.local", "interval": "1m", "watermark": now.isoformat(), "points": points}


@pytest.fixture
def blank(page, widget_host):
    """An empty page on the widget host with the widget's module loaded."""
    page.goto(f"{widget_host.url}/broken/blank.html")
    page.wait_for_function("() => customElements.get('tessera-page-views')")
    return page


def mount(page, **attributes) -> None:
    attrs = " ".join(f'{k}="{v}"' for k, v in {"data-api": API, **attributes}.items())
    markup = f'<tessera-page-views id="w" {attrs}></tessera-page-views>'
    page.evaluate("(markup) => { document.querySelector('main').innerHTML = markup; }", markup)


def answer(page, body=None, status=200, seen=None):
    def handle(route):
        if seen is not None:
            seen.append(route.request.url)
        reply = body or {}
        if "/visitors?" in route.request.url and status == 200:
            reply = {"views": sum(p["views"] for p in reply.get("points", [])), "visitors": UNIQUE_VISITORS}
        route.fulfill(status=status, content_type="application/json", body=json.dumps(reply))

    page.route("http://metrics.test/**", handle)


def test_standalone_page_draws_demo_data(page, widget_host):
    page.goto(f"{widget_host.url}/page-views/index.html")
    page.wait_for_function("() => document.querySelector('#widget').shadowRoot.querySelector('tessera-time-series')?.shadowRoot?.querySelector('canvas')")
    pixels = page.evaluate(SERIES_PIXELS.replace("tessera-page-views", "#widget"))
    assert pixels["blue"] > 100


def test_draws_totals_and_watermark(blank):
    seen: list[str] = []
    answer(blank, series([5, 7, 0, 3]), seen=seen)
    mount(blank, site="shop.local", **{"range-minutes": "10"})
    blank.wait_for_function(CANVAS)
    text = blank.evaluate(SHADOW_TEXT)
    assert "15 views" in text and "4 visitors" in text  # the range's unique visitors, not a sum of minutes
    assert "data complete up to" in text
    pageviews = next(url for url in seen if "/pageviews?" in url)
    assert "site=shop.local" in pageviews and "interval=1m" in pageviews
    assert any("/visitors?" in url and "site=shop.local" in url for url in seen)


def test_empty_and_error_states(blank):
    answer(blank, series([0, 0, 0]))
    mount(blank)
    blank.wait_for_function(f"() => ({SHADOW_TEXT})().includes('No page views yet')")

    blank.unroute("http://metrics.test/**")
    answer(blank, {"detail": "down"}, status=502)
    blank.evaluate("() => document.querySelector('#w').site = 'other.local'")
    blank.wait_for_function(f"() => ({SHADOW_TEXT})().includes('HTTP 502')")
    assert "Page views unavailable" in blank.evaluate(SHADOW_TEXT)


def test_attributes_are_the_source_of_truth(blank):
    answer(blank, series([1]))
    mount(blank)
    result = blank.evaluate("""() => {
      const w = document.querySelector('#w');
      w.rangeMinutes = 15;
      w.setAttribute('site', 'x.local');
      w.theme = 'light';
      return [w.getAttribute('range-minutes'), w.site, w.getAttribute('theme'), w.rangeMinutes,
              (w.setAttribute('range-minutes', 'nonsense'), w.rangeMinutes)];
    }""")
    assert result == ["15", "x.local", "light", 15, 30]


def test_accepts_site_selected_and_stops_polling_when_removed(blank):
    seen: list[str] = []
    answer(blank, series([2, 2]), seen=seen)
    mount(blank, **{"refresh-seconds": "1"})
    blank.wait_for_function(CANVAS)
    blank.evaluate("""() => document.querySelector('#w').dispatchEvent(new CustomEvent('tessera-message',
      {detail: {topic: 'site-selected', payload: {site: 'picked.local'}}}))""")
    blank.wait_for_function("() => document.querySelector('#w').getAttribute('site') === 'picked.local'")
    blank.wait_for_timeout(1300)
    assert any("site=picked.local" in url for url in seen)

    blank.evaluate("() => document.querySelector('#w').remove()")
    before = len(seen)
    blank.wait_for_timeout(2200)
    assert len(seen) == before


def test_stream_attribute_refreshes_on_the_query_services_minute_events(blank):
    seen: list[str] = []

    def handle(route):
        seen.append(route.request.url)
        if "/stream" in route.request.url:
            route.fulfill(status=200, content_type="text/event-stream",
                          body='retry: 500\n\nevent: minute\ndata: {"site": "demo.local"}\n\n')
        else:
            route.fulfill(status=200, content_type="application/json", body=json.dumps(series([4])))

    blank.route("http://metrics.test/**", handle)
    mount(blank, stream="", **{"refresh-seconds": "60"})
    blank.wait_for_timeout(3000)
    assert any("/stream?site=demo.local" in url for url in seen)
    assert len([url for url in seen if "/pageviews?" in url]) >= 2
