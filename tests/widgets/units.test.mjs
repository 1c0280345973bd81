// The built-in widgets' pure parts under node's test runner (no DOM): the scope the accepted
// topics set, the page-views window, the KPI tiles and the mesh rows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { followScope, scopeFilters, scopeLabel, scopeParams, scopeWindow } from "../../widgets/_shared/scope.js";
import { seriesWindow } from "../../widgets/page-views/src/page-views-data.js";

/** Just enough of an element: attributes, and accept(topic, handler) recorded. */
function fakeElement(attributes = {}) {
  const attrs = new Map(Object.entries(attributes));
  const handlers = new Map();
  return {
    handlers,
    getAttribute: (name) => (attrs.has(name) ? attrs.get(name) : null),
    setAttribute: (name, value) => attrs.set(name, String(value)),
    removeAttribute: (name) => attrs.delete(name),
    accept: (topic, handler) => handlers.set(topic, handler),
    send(topic, payload) { handlers.get(topic)?.(payload); },
  };
}

test("accepted topics become attributes, and a null value clears", () => {
  const el = fakeElement({ site: "demo.local" });
  followScope(el, undefined);
  el.send("page.selected", { path: "/pricing" });
  el.send("referrer.selected", { referrer: "news.ycombinator.com" });
  el.send("filter.changed", { filters: { browser: "Firefox", utm_source: "newsletter", bogus: "x" } });
  assert.deepEqual(scopeFilters(el), { page: "/pricing", referrer: "news.ycombinator.com", browser: "Firefox", utm_source: "newsletter" });
  el.send("filter.changed", { filters: { browser: null, page: null } });
  assert.deepEqual(scopeFilters(el), { referrer: "news.ycombinator.com", utm_source: "newsletter" });
  el.send("referrer.selected", { referrer: null });
  el.send("filter.changed", { filters: { utm_source: null } });
  assert.deepEqual(scopeFilters(el), {});
  assert.equal(el.getAttribute("filters"), null);
  assert.equal(scopeLabel(el), "");
});

test("a widget that selects on a topic is not filtered by it", () => {
  const el = fakeElement();
  followScope(el, undefined, { except: ["page.selected"] });
  el.send("page.selected", { path: "/a" });
  el.send("filter.changed", { filters: { page: "/b", device: "mobile" } });
  assert.equal(el.getAttribute("page"), null);
  assert.deepEqual(scopeFilters(el), { device: "mobile" });
});

test("time.range sets the window; a bad one is ignored; without one, the last range-hours", () => {
  const el = fakeElement({ "range-hours": "6" });
  followScope(el, undefined);
  const now = Date.parse("2026-11-29T12:00:00Z");
  assert.deepEqual(scopeWindow(el, now), { from: "2026-11-29T06:00:00.000Z", to: "2026-11-29T12:00:00.000Z", fixed: false });
  el.send("time.range", { from: "nonsense", to: "2026-11-29T12:00:00Z" });
  assert.equal(el.getAttribute("from"), null);
  el.send("time.range", { from: "2026-11-29T10:00:00Z", to: "2026-11-29T11:00:00Z", interval: "1m" });
  assert.equal(scopeWindow(el, now).fixed, true);
  const params = scopeParams(el);
  assert.deepEqual([params.site, params.from, params.to], ["demo.local", "2026-11-29T10:00:00.000Z", "2026-11-29T11:00:00.000Z"]);
});

test("the page-views window picks a bucket that keeps the chart readable", () => {
  assert.equal(seriesWindow(null, null), null);
  assert.equal(seriesWindow("2026-11-29T11:00:00Z", "2026-11-29T10:00:00Z"), null);
  assert.equal(seriesWindow("2026-11-29T10:00:00Z", "2026-11-29T12:00:00Z").interval, "1m");
  assert.equal(seriesWindow("2026-11-28T10:00:00Z", "2026-11-29T12:00:00Z").interval, "1h");
  assert.equal(seriesWindow("2026-10-01T00:00:00Z", "2026-11-29T00:00:00Z").interval, "1d");
});
