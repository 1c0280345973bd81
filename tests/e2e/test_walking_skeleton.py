"""The walking skeleton, as a new user meets it: `make up`'s launcher starts every real
process; Chromium opens the demo site (whose pages fire the real pixel) and the dashboard,
adds Page views from the catalogue and sees the hits it sent; Ctrl-C leaves nothing behind."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

# Headless Chromium names itself HeadlessChrome, which the collector rightly flags as a bot
# (bots are kept but not counted as page views): the visitors here present a desktop browser.
DESKTOP = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/156.0.0.0 Safari/537.36")
PAGES = ["/", "/pricing.html", "/blog/hello.html", "/", "/about.html", "/pricing.html", "/"]


def widget_text(page) -> str:
    return page.evaluate(
        "() => { const el = document.querySelector('tessera-page-views');"
        " return el && el.shadowRoot ? el.shadowRoot.textContent : ''; }"
    )


def test_dashboard_shows_the_hits_sent_through_the_pixel(tessera, chromium):
    shots = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1400, "height": 860}, user_agent=DESKTOP)
    try:
        visitor = context.new_page()
        for path in PAGES:
            with visitor.expect_response(lambda r: "/t.gif" in r.url) as pixel:
                visitor.goto(tessera.demo.rstrip("/") + path)
            assert pixel.value.status == 200
            assert pixel.value.headers["content-type"] == "image/gif"
        sent = len(PAGES)

        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(tessera.dashboard + "?new")  # "/" opens the seeded default layout
        entry = page.locator("tessera-catalogue").get_by_text("Page views").first
        entry.wait_for(timeout=30_000)
        page.locator("tessera-catalogue").get_by_role("button", name="Add Page views").click()  # eight widgets now
        page.wait_for_function(
            "() => { const el = document.querySelector('tessera-page-views');"
            " return el && el.shadowRoot && el.shadowRoot.querySelector('tessera-time-series')?.shadowRoot?.querySelector('canvas'); }",
            timeout=30_000,
        )
        deadline = time.monotonic() + 30
        text = ""
        while time.monotonic() < deadline:
            text = widget_text(page)
            if re.search(rf"(?<!\d){sent}\s*(page )?views", text, re.I):
                break
            time.sleep(0.5)
        page.screenshot(path=str(shots / "e2e-dashboard.png"))
        assert re.search(rf"(?<!\d){sent}\s*(page )?views", text, re.I), text
        assert not errors, errors
    finally:
        context.close()

    now = datetime.now(timezone.utc).replace(microsecond=0)
    query = urlencode({"site": "demo.local", "interval": "1h",
                       "from": (now - timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
                       "to": (now + timedelta(hours=1)).isoformat().replace("+00:00", "Z")})
    with urllib.request.urlopen(tessera.url(0, f"/api/v1/metrics/pageviews?{query}"), timeout=10) as answer:
        series = json.load(answer)
    assert sum(point["views"] for point in series["points"]) == sent
    assert series["watermark"]

    code, left = tessera.stop()
    assert code == 0, tessera.log()
    assert not left, f"processes left running after Ctrl-C: {left}"
    assert "stopped" in tessera.log()
