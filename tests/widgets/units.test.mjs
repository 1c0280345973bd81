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

test("the live feed adds single page views newest first, each once, bounded", async () => {
  const { addArrivals, arrivalDetail } = await import("../../widgets/live-feed/src/live-feed-data.js");
  const event = (id, second, extra = {}) => ({ id, t: `2026-11-29T07:00:${String(second).padStart(2, "0")}Z`, path: `/p${id}`, ...extra });
  let list = addArrivals([], [event("a", 1), event("b", 2, { referrer: "news.example", device: "mobile" })]);
  assert.deepEqual(list.map((item) => item.id), ["b", "a"]);
  list = addArrivals(list, [event("b", 2), event("c", 3), { id: 7 }, null]); // a resumed stream repeats "b"
  assert.deepEqual(list.map((item) => item.id), ["c", "b", "a"]);
  assert.equal(arrivalDetail(list[1]), "news.example · mobile");
  assert.equal(arrivalDetail(list[0]), "direct");
  list = addArrivals(list, Array.from({ length: 60 }, (_, i) => event(`n${i}`, 10 + (i % 40))), 50);
  assert.equal(list.length, 50);
  assert.ok(!("visitor" in list[0]));
});

test("the mesh counts live, stale and gone per team with the team's latest heartbeat", async () => {
  const { meshRows } = await import("../../widgets/mesh-health/src/mesh-data.js");
  const now = Date.parse("2026-11-29T07:00:00Z");
  const seen = (seconds) => new Date(now - seconds * 1000).toISOString();
  const { rows, teams } = meshRows([
    { id: "a", label: "A", team: "web", status: "live", lastSeen: seen(3), dataProducts: ["tracker.live"] },
    { id: "b", label: "B", team: "web", status: "gone", lastSeen: seen(400) },
    { id: "c", label: "C", team: "marketing", status: "stale", lastSeen: seen(40) },
    { id: "d", label: "D", team: "marketing", status: "odd" },
  ], now);
  assert.deepEqual(rows.map((r) => r.health), ["live · 3s", "gone · 400s", "stale · 40s", "live"]);
  assert.deepEqual(teams.map(({ team, live, stale, gone, lastSeen }) => ({ team, live, stale, gone, lastSeen })), [
    { team: "marketing", live: 1, stale: 1, gone: 0, lastSeen: 40 },
    { team: "web", live: 1, stale: 0, gone: 1, lastSeen: 3 },
  ]);
});
