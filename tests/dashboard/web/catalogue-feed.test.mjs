// The catalogue feed under node's test runner: a page that carries the catalogue starts loaded
// (no fetch before the first windows import their widgets) and opens its stream later; a page
// without one fetches at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CatalogueFeed } from "../../../dashboard/web/src/catalogue-feed.js";
import { moduleUrl } from "../../../dashboard/web/src/widget-module.js";

const ENTRY = { id: "kpis", label: "KPIs", module: "/widgets/kpis/dist/kpis.js", status: "live" };

function withFakes(fn) {
  const fetched = [];
  const opened = [];
  const saved = { fetch: globalThis.fetch, EventSource: globalThis.EventSource, location: globalThis.location };
  globalThis.fetch = async (url) => {
    fetched.push(url);
    return { ok: true, status: 200, json: async () => ({ items: [ENTRY, { ...ENTRY, id: "other" }], stale: false }) };
  };
  globalThis.EventSource = class { constructor(url) { opened.push(url); } addEventListener() {} close() {} };
  globalThis.location = new URL("http://dash.test/");
  return Promise.resolve(fn({ fetched, opened })).finally(() => Object.assign(globalThis, saved));
}

test("a seeded feed is loaded at once and opens its stream after the delay", () => withFakes(async ({ fetched, opened }) => {
  const feed = new CatalogueFeed({ seed: { items: [ENTRY], stale: false }, streamDelayMs: 30 });
  let changes = 0;
  feed.addEventListener("change", () => { changes += 1; });
  feed.start();
  assert.equal(feed.loaded, true);
  assert.equal(feed.get("kpis").label, "KPIs");
  assert.ok(changes >= 1);
  assert.deepEqual(fetched, []);
  assert.deepEqual(opened, []);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(opened, ["/api/v1/catalogue/stream"]);
  feed.stop();
}));

test("a stale or missing seed is ignored: the feed fetches and connects at once", () => withFakes(async ({ fetched, opened }) => {
  const feed = new CatalogueFeed({ seed: { items: [ENTRY], stale: true } });
  feed.start();
  assert.equal(feed.loaded, false);
  assert.deepEqual(fetched, ["/api/v1/catalogue"]);
  assert.deepEqual(opened, ["/api/v1/catalogue/stream"]);
  await feed.whenLoaded(1000);
  assert.deepEqual([...feed.entries.keys()], ["kpis", "other"]);
  feed.stop();
}));

test("a module is imported under its integrity, so the proxy may call it immutable", () => withFakes(() => {
  assert.equal(moduleUrl(ENTRY), "/widgets/kpis/dist/kpis.js");
  assert.equal(moduleUrl({ ...ENTRY, integrity: "sha384-a+b/c=" }), "/widgets/kpis/dist/kpis.js?v=sha384-a%2Bb%2Fc%3D");
}));
