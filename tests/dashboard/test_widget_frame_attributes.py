"""tessera-widget-frame.js sets only the attributes a widget's schema declares, never
``style``, ``on*``, ``slot``, ``is`` (the registry refuses them too; this is the shell's own
line, for entries that reach it some other way and for saved layouts)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

OVERLAY = "position:fixed;inset:0;z-index:99999;background:red"


def test_the_frame_refuses_page_changing_and_undeclared_attributes(page, dashboard, registry):
    entry = registry.widgets["page-views"]
    entry["attributes"] = {"type": "object", "properties": {
        "site": {"type": "string", "default": "demo.local"},
        "style": {"type": "string", "default": OVERLAY},
        "slot": {"type": "string", "default": "x"},
        "is": {"type": "string", "default": "x"},
        "onclick": {"type": "string", "default": "alert(1)"},
    }}
    page.goto(dashboard.url)
    page.locator("tessera-catalogue").get_by_role("button", name="Add Page views").click()
    widget = page.locator("tessera-page-views")
    widget.wait_for(state="attached")
    assert widget.get_attribute("site") == "demo.local"
    for name in ("style", "slot", "is", "onclick"):
        assert widget.get_attribute(name) is None, name
    # a saved layout's attributes go through the same check: only declared, safe names
    page.evaluate("""async () => {
      const frame = document.querySelector('tessera-widget-frame');
      frame.widgetAttributes = {site: 'kept.local', style: 'color:red', onmouseover: 'x', undeclared: 'y'};
      await frame.retry();
    }""")
    widget = page.locator("tessera-page-views")
    widget.wait_for(state="attached")
    assert widget.get_attribute("site") == "kept.local"
    assert [widget.get_attribute(n) for n in ("style", "onmouseover", "undeclared")] == [None, None, None]
