// The bus's current values kept in sessionStorage across a reload (a real ShellBus; a Map
// standing in for the tab's sessionStorage, which node does not have), and the SSE parser
// a live link's follower reads the relay with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sseParser } from "../../../../dashboard/web/src/bus/live.js";
import { BusValues, PREFIX, boundSnapshot } from "../../../../dashboard/web/src/bus/persist.js";
import { ShellBus } from "../../../../dashboard/web/src/bus/shell-bus.js";

function storage() {
  const items = new Map();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)), removeItem: (k) => items.delete(k) };
}

function page(store) {
  const bus = new ShellBus();
  const got = [];
  const values = new BusValues(bus, { storage: store });
  return { bus, got, values,
    table: () => bus.join("t", { widgetId: "t", emits: { "site.selected": true }, accepts: {}, deliver: () => {}, report: () => {} }),
    chart: () => bus.join("c", { widgetId: "c", emits: {}, accepts: { "site.selected": true }, deliver: (m) => got.push(m), report: () => {} }) };
}

test("a reloaded page replays the values its tab kept for that layout, at once", () => {
  const store = storage();
  const before = page(store);
  before.values.use("L1");
  before.table();
  before.chart();
  before.bus.publish("t", "site.selected", { site: "a.example" });
  before.bus.publish("t", "site.selected", { site: "b.example" });
  before.values.flush();
  const kept = JSON.parse(store.items.get(`${PREFIX}L1`));
  assert.equal(kept.v, 1);
  assert.deepEqual(kept.snapshot.channels.blue["site.selected"].payload, { site: "b.example" });

  const after = page(store); // the reload: a new bus, the same tab's storage
  after.values.use("L1");
  after.chart(); // joins: gets the kept value without anyone publishing
  assert.deepEqual(after.got.map((m) => m.payload), [{ site: "b.example" }]);
  assert.equal(after.got[0].replay, true);

  const other = page(store);
  other.values.use("L2"); // another layout: nothing of L1's
  other.chart();
  assert.equal(other.got.length, 0);
});

test("the kept record is bounded: big values are dropped, the rest fits the budget", () => {
  const big = { channels: { blue: { "a.big": { payload: { x: "y".repeat(5000) }, source: {} } } }, wires: {} };
  assert.deepEqual(boundSnapshot(big), { channels: {}, wires: {} });
  const many = { channels: { blue: {} }, wires: {} };
  for (let i = 0; i < 200; i += 1) many.channels.blue[`t.n${i}`] = { payload: { v: "z".repeat(400) }, source: { windowId: "w" } };
  const bounded = boundSnapshot(many, { maxBytes: 8192 });
  assert.ok(JSON.stringify(bounded).length <= 8192);
  assert.ok(Object.keys(bounded.channels.blue).length >= 10);
  const store = storage();
  const { bus, values, table } = page(store);
  values.use("L");
  table();
  bus.restore(many);
  values.flush();
  assert.ok(store.items.get(`${PREFIX}L`).length <= 32 * 1024);
});

test("storage that refuses or holds junk does not break the bus", () => {
  const refusing = { getItem: () => "{not json", setItem: () => { throw new Error("QuotaExceededError"); }, removeItem: () => {} };
  const { bus, values, table, chart, got } = page(refusing);
  values.use("L");
  table();
  chart();
  bus.publish("t", "site.selected", { site: "c" });
  values.flush();
  assert.equal(got.length, 1);
});

test("the SSE parser splits events across chunks, CRLF or LF, with ids and event names", () => {
  const events = [];
  const feed = sseParser((e) => events.push(e));
  feed("id: 4\r\nevent: message\r\ndata: {\"a\"");
  feed(":1}\r\n\r\n: ping\r\n\r\nid: 5\ndata: x\ndata: y\n\n");
  assert.deepEqual(events, [{ id: "4", event: "message", data: "{\"a\":1}" }, { id: "5", event: "message", data: "x\ny" }]);
});
