import assert from "node:assert/strict";
import { test } from "node:test";

import { ago, summarize } from "../../../../dashboard/web/src/layouts/diff-summary.js";

test("a structural diff reads as one line per change", () => {
  const lines = summarize({
    identical: false,
    fields: [{ field: "title", from: "Sales", to: "Sales (EU)" }],
    windows: {
      added: [{ windowId: "w3", widgetId: "kpi", version: "1.2.0", title: "KPIs", path: "row[2]" }],
      removed: [{ windowId: "w1", widgetId: "table", title: null, path: "row[0]" }],
      moved: [{ windowId: "w2", from: "row[1]", to: "row[0]" }],
      changed: [{ windowId: "w2", fields: [], attributes: [{ path: "site", from: "a.local", to: "b.local", change: "changed" }],
        size: { from: 50, to: 30 } }],
    },
    wiring: { changed: true, changes: [{ path: "x" }] },
    viewState: { changed: false, changes: [] },
    layoutSettings: [],
  });
  assert.deepEqual(lines.map((l) => l.kind), ["field", "added", "removed", "moved", "changed", "changed", "wiring"]);
  assert.equal(lines[0].text, "Title: Sales → Sales (EU)");
  assert.equal(lines[1].text, "Added “KPIs” (kpi 1.2.0)");
  assert.equal(lines[2].text, "Removed “table”");
  assert.equal(lines[4].text, "window w2: site a.local → b.local");
  assert.equal(lines[6].text, "Wiring: 1 value changed");
});

test("what golden-layout only made explicit is left out; windows are named by their titles", () => {
  const lines = summarize({
    identical: false, fields: [],
    windows: { added: [], removed: [], moved: [{ windowId: "w1", from: "row[0]", to: "row[0]/stack[0]" },
      { windowId: "w2", from: "row[1]/stack[0]", to: "row[1]/stack[1]" }],
    changed: [{ windowId: "w1", fields: [], attributes: [], size: { to: "1fr" } }] },
    wiring: { changed: false }, viewState: { changed: false },
    layoutSettings: [{ path: "settings.tabOverlapAllowance", to: 0, change: "added" },
      { path: "settings.reorderEnabled", from: true, to: false, change: "changed" }],
  }, new Map([["w2", "Docs"]]));
  assert.deepEqual(lines.map((l) => l.text), ["Moved “Docs” from row[1]/stack[0] to row[1]/stack[1]",
    "Layout settings: settings.reorderEnabled changed"]);
});

test("identical versions have no lines", () => {
  assert.deepEqual(summarize({ identical: true }), []);
  assert.deepEqual(summarize(null), []);
});

test("times read as people say them", () => {
  const now = Date.parse("2026-11-29T12:00:00Z");
  assert.equal(ago("2026-11-29T11:59:50Z", now), "just now");
  assert.equal(ago("2026-11-29T11:50:00Z", now), "10 min ago");
  assert.equal(ago("2026-11-28T10:00:00Z", now), "yesterday");
  assert.equal(ago("2025-01-02T00:00:00Z", now), "2025-01-02");
  assert.equal(ago("garbage", now), "");
});
