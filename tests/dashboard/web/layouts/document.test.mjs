import assert from "node:assert/strict";
import { test } from "node:test";

import {
  canonical, cleanTitle, fromAnswer, lockedConfig, sameDocument, storableConfig, toDocument, windows, withWindowIds,
} from "../../../../dashboard/web/src/layouts/document.js";

const widget = (widgetId, extra = {}) => ({
  type: "component", componentType: "tessera-widget", title: widgetId,
  componentState: { widgetId, version: "1.0.0", attributes: {}, ...extra },
});
const config = () => ({
  root: { type: "row", content: [widget("page-views"), { type: "stack", content: [widget("kpi"), widget("table")] }] },
  settings: { reorderEnabled: true, showCloseIcon: true },
  openPopouts: [{ root: {} }],
});

test("windows are listed in layout order with their state", () => {
  const found = windows(config());
  assert.deepEqual(found.map((w) => w.widgetId), ["page-views", "kpi", "table"]);
  assert.equal(found[0].version, "1.0.0");
});

test("window ids are added once, kept across calls, and de-duplicated", () => {
  let n = 0;
  const first = withWindowIds(config(), () => `w-${++n}`);
  assert.deepEqual(windows(first).map((w) => w.windowId), ["w-1", "w-2", "w-3"]);
  const again = withWindowIds(first, () => "never");
  assert.deepEqual(windows(again).map((w) => w.windowId), ["w-1", "w-2", "w-3"]);
  const twins = config();
  twins.root.content[0].componentState.windowId = "same";
  twins.root.content[1].content[0].componentState.windowId = "same";
  const fixed = windows(withWindowIds(twins, () => `w-${++n}`)).map((w) => w.windowId);
  assert.equal(new Set(fixed).size, 3);
  assert.equal(fixed[0], "same");
});

test("the stored document drops popouts and cleans the title", () => {
  assert.equal("openPopouts" in storableConfig(config()), false);
  const document = toDocument({ title: "  Sales\u0007 board\n ", config: config(), wiring: null });
  assert.equal(document.title, "Sales board");
  assert.equal(document.schemaVersion, 1);
  assert.equal("wiring" in document, false);
  assert.equal(cleanTitle(""), "Untitled layout");
  assert.equal(cleanTitle("x".repeat(500)).length, 200);
});

test("canonical JSON ignores key order, so an edit undone is not a change", () => {
  assert.equal(canonical({ b: 1, a: [1, { d: 2, c: 3 }] }), canonical({ a: [1, { c: 3, d: 2 }], b: 1 }));
  assert.ok(sameDocument({ a: 1, b: undefined }, { a: 1 }));
  assert.ok(!sameDocument({ a: 1 }, { a: 2 }));
});

test("a locked config can move, close, maximise or pop out nothing", () => {
  const locked = lockedConfig(config());
  assert.equal(locked.settings.reorderEnabled, false);
  assert.equal(locked.settings.showCloseIcon, false);
  assert.equal(locked.settings.showMaximiseIcon, false);
  assert.equal(locked.settings.showPopoutIcon, false);
  assert.equal(locked.header.popout, false);
  assert.equal("openPopouts" in locked, false);
  const stack = locked.root.content[1];
  for (const item of [locked.root, stack, ...stack.content]) {
    assert.equal(item.reorderEnabled, false);
    assert.equal(item.isClosable, false);
  }
  assert.equal(config().settings.reorderEnabled, true, "the input is not changed");
});

test("an answer's document is read flat or wrapped, with defaults", () => {
  assert.equal(fromAnswer({ document: { title: "A", layout: { root: null } } }).title, "A");
  assert.equal(fromAnswer({ title: "B", layout: {}, version: 3 }).title, "B");
  assert.equal(fromAnswer(null).title, "Untitled layout");
});
