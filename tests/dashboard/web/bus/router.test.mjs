// The bus router: channels, wires with mapping, validation, loop protection, rate limits,
// isolation of throwing handlers, last-value replay and snapshots.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { RateLimit } from "../../../../dashboard/web/src/bus/rate-limit.js";
import { BusRouter } from "../../../../dashboard/web/src/bus/router.js";
import { channelOf, normaliseWiring, pruneWiring } from "../../../../dashboard/web/src/bus/wiring.js";

const topic = (name) => JSON.parse(readFileSync(new URL(`../../../../dashboard/topics/${name}.json`, import.meta.url)));
const REFERRER = topic("referrer.selected");
const FILTERS = topic("filter.changed");

function harness(wiring, options = {}) {
  const router = new BusRouter({ wiring, now: () => options.now?.() ?? 0, ...options });
  const got = {};
  const reports = {};
  const add = (id, { emits = {}, accepts = {}, onMessage } = {}) => {
    got[id] = [];
    reports[id] = [];
    router.join(id, { widgetId: `widget-${id}`, emits, accepts,
      deliver: (message) => { got[id].push(message); onMessage?.(message); },
      report: (kind, info) => reports[id].push({ kind, ...info }) });
  };
  return { router, got, reports, add };
}

test("a new layout puts every window on the default channel; the sender does not hear itself", () => {
  const { router, got, add } = harness(undefined);
  add("table", { emits: { "referrer.selected": REFERRER }, accepts: { "referrer.selected": REFERRER } });
  add("chart", { accepts: { "referrer.selected@1": REFERRER } });
  add("other", { accepts: { "page.selected": true } });
  const answer = router.publish("table", "referrer.selected", { referrer: "x.com" });
  assert.deepEqual(answer, { status: "delivered", delivered: ["chart"] });
  assert.equal(got.chart[0].topic, "referrer.selected@1"); // as the receiver declared it
  assert.deepEqual(got.chart[0].payload, { referrer: "x.com" });
  assert.deepEqual(got.chart[0].source, { windowId: "table", widgetId: "widget-table" });
  assert.equal(got.table.length + got.other.length, 0);
});

test("channels separate windows; none means no channel; majors must match", () => {
  const { router, got, add } = harness({ defaultChannel: "blue", channels: { b: "red", c: "red", d: null } });
  add("a", { emits: { "site.selected": true } });
  add("b", { emits: { "site.selected": true }, accepts: { "site.selected": true } });
  add("c", { accepts: { "site.selected": true } });
  add("d", { accepts: { "site.selected": true } });
  add("e", { accepts: { "site.selected@2": true } });
  assert.deepEqual(router.publish("a", "site.selected", { site: "s" }).delivered, []);
  assert.deepEqual(router.publish("b", "site.selected", { site: "s" }).delivered, ["c"]);
  assert.equal(got.d.length + got.e.length, 0);
  assert.equal(channelOf(router.wiring, "zzz"), "blue");
});

test("an explicit wire maps fields and is validated against the receiver's schema", () => {
  const wire = { from: { window: "t", topic: "referrer.selected" }, to: { window: "f", topic: "filter.changed" },
    map: [{ from: "referrer", to: "filters.referrer" }] };
  const { router, got, reports, add } = harness({ defaultChannel: null, wires: [wire] });
  add("t", { emits: { "referrer.selected": REFERRER } });
  add("f", { accepts: { "filter.changed": FILTERS } });
  assert.deepEqual(router.publish("t", "referrer.selected", { referrer: "news.ycombinator.com" }).delivered, ["f"]);
  assert.deepEqual(got.f[0].payload, { filters: { referrer: "news.ycombinator.com" } });
  assert.equal(got.f[0].topic, "filter.changed");
  // a value the receiver's schema refuses (too long for filters) is not delivered and is reported on the sender
  router.publish("t", "referrer.selected", { referrer: "x".repeat(250) });
  assert.equal(got.f.length, 2); // 250 ≤ 253 and ≤ 2048: fine
  const strict = harness({ defaultChannel: null, wires: [wire] });
  strict.add("t", { emits: { "referrer.selected": REFERRER } });
  strict.add("f", { accepts: { "filter.changed": { type: "object", properties: { filters: { type: "object", additionalProperties: { type: "string", maxLength: 3 } } } } } });
  assert.deepEqual(strict.router.publish("t", "referrer.selected", { referrer: "long.host" }).delivered, []);
  assert.equal(strict.reports.t[0].kind, "undeliverable");
});

test("an invalid or undeclared payload is dropped, counted and reported on the sender, never delivered", () => {
  const { router, got, reports, add } = harness();
  add("t", { emits: { "referrer.selected": REFERRER } });
  add("c", { accepts: { "referrer.selected": true } });
  const answer = router.publish("t", "referrer.selected", { referrer: 42 });
  assert.equal(answer.status, "invalid");
  assert.equal(answer.errors[0].path, "/referrer");
  assert.equal(router.publish("t", "referrer.selected", { nope: 1 }).status, "invalid");
  assert.equal(router.publish("t", "page.selected", { page: "/" }).status, "undeclared");
  const cyclic = {};
  cyclic.self = cyclic;
  assert.equal(router.publish("t", "referrer.selected", cyclic).status, "invalid");
  assert.equal(got.c.length, 0);
  assert.deepEqual(reports.t.map((r) => [r.kind, r.count]), [["invalid", 1], ["invalid", 2], ["invalid", 3]]);
  assert.equal(router.stats.invalid, 3);
});

test("payloads are cloned as JSON: the receiver cannot change the sender's object", () => {
  const { router, got, add } = harness();
  add("a", { emits: { "x.y": true } });
  add("b", { accepts: { "x.y": true } });
  const payload = { list: [1], when: new Date(0) };
  router.publish("a", "x.y", payload);
  got.b[0].payload.list.push(2);
  assert.deepEqual(payload.list, [1]);
  assert.equal(got.b[0].payload.when, "1970-01-01T00:00:00.000Z");
});

test("loop protection: a handler that re-emits reaches each window at most once per originating event", () => {
  const { router, got, add } = harness();
  // a and b both accept and re-emit the same topic when they receive it: a ping-pong
  const echo = (id) => (message) => router.publish(id, "site.selected", message.payload);
  add("a", { emits: { "site.selected": true }, accepts: { "site.selected": true }, onMessage: echo("a") });
  add("b", { emits: { "site.selected": true }, accepts: { "site.selected": true }, onMessage: echo("b") });
  add("c", { emits: { "site.selected": true }, accepts: { "site.selected": true }, onMessage: echo("c") });
  router.publish("a", "site.selected", { site: "s" });
  assert.deepEqual([got.a.length, got.b.length, got.c.length], [0, 1, 1]);
  // a wire back to the sender does not loop either
  const wired = harness({ defaultChannel: null, wires: [
    { from: { window: "a", topic: "x.y" }, to: { window: "b", topic: "x.y" } },
    { from: { window: "b", topic: "x.y" }, to: { window: "a", topic: "x.y" } }] });
  wired.add("a", { emits: { "x.y": true }, accepts: { "x.y": true }, onMessage: (m) => wired.router.publish("a", "x.y", m.payload) });
  wired.add("b", { emits: { "x.y": true }, accepts: { "x.y": true }, onMessage: (m) => wired.router.publish("b", "x.y", m.payload) });
  wired.router.publish("a", "x.y", 1);
  assert.deepEqual([wired.got.a.length, wired.got.b.length], [0, 1]);
  // a new click is a new originating event
  wired.router.publish("a", "x.y", 2);
  assert.equal(wired.got.b.length, 2);
});

test("a message routed twice (e.g. echoed back from another browser window) is delivered once", () => {
  const { router, got, add } = harness();
  add("a", { emits: { "x.y": true } });
  add("b", { accepts: { "x.y": true } });
  let sent;
  router.listeners.add((message) => { sent = message; });
  router.publish("a", "x.y", 1);
  assert.deepEqual(router.route(structuredClone(sent)), []);
  assert.equal(got.b.length, 1);
});

test("a flooding widget is throttled and flagged; the others keep working", () => {
  let now = 0;
  const { router, got, reports, add } = harness(undefined, { now: () => now, rateLimit: { capacity: 5, perSecond: 10 } });
  add("flood", { emits: { "x.y": true } });
  add("calm", { emits: { "site.selected": true } });
  add("sink", { accepts: { "x.y": true, "site.selected": true } });
  const answers = Array.from({ length: 10000 }, (_, i) => router.publish("flood", "x.y", i).status);
  assert.equal(answers.filter((s) => s === "delivered").length, 5);
  assert.equal(answers.filter((s) => s === "throttled").length, 9995);
  assert.equal(reports.flood.at(-1).kind, "throttled");
  assert.equal(reports.flood.at(-1).count, 9995);
  assert.equal(router.publish("calm", "site.selected", { site: "s" }).status, "delivered");
  now = 1000; // refilled
  assert.equal(router.publish("flood", "x.y", "later").status, "delivered");
  assert.equal(got.sink.length, 7);
});

test("a throwing handler is isolated: reported in its own window, the others still receive", () => {
  const { router, got, reports, add } = harness();
  add("a", { emits: { "x.y": true } });
  add("bad", { accepts: { "x.y": true }, onMessage: () => { throw new Error("boom"); } });
  add("good", { accepts: { "x.y": true } });
  assert.deepEqual(router.publish("a", "x.y", 1).delivered, ["bad", "good"]);
  assert.equal(got.good.length, 1);
  assert.equal(reports.bad[0].kind, "handler");
  assert.equal(reports.bad[0].error.message, "boom");
  assert.equal(reports.a.length, 0);
});

test("last value per channel/topic is replayed to late joiners and to windows that change channel", () => {
  const { router, got, add } = harness({ defaultChannel: "blue", channels: { later: "red" } });
  add("a", { emits: { "site.selected": true, "page.selected": true } });
  router.publish("a", "site.selected", { site: "one" });
  router.publish("a", "site.selected", { site: "two" });
  router.publish("a", "page.selected", { page: "/" });
  add("late", { accepts: { "site.selected": true } });
  assert.deepEqual(got.late.map((m) => [m.payload.site, m.replay]), [["two", true]]);
  add("later", { accepts: { "site.selected": true } });
  assert.equal(got.later.length, 0);
  router.setWiring({ defaultChannel: "blue", channels: { later: "blue" } });
  assert.deepEqual(got.later.map((m) => m.payload.site), ["two"]);
});

test("a snapshot of the selections restores into another router (view state, popout)", () => {
  const first = harness({ wires: [{ from: { window: "a", topic: "x.y" }, to: { window: "w", topic: "x.y" } }] });
  first.add("a", { emits: { "site.selected": true, "x.y": true } });
  first.router.publish("a", "site.selected", { site: "s" });
  first.router.publish("a", "x.y", 5);
  const snapshot = JSON.parse(JSON.stringify(first.router.snapshot()));
  assert.deepEqual(snapshot.channels.blue["site.selected"].payload, { site: "s" });
  const second = harness({ wires: [{ from: { window: "a", topic: "x.y" }, to: { window: "w", topic: "x.y" } }] });
  second.add("b", { accepts: { "site.selected": true } });
  second.add("w", { accepts: { "x.y": true } });
  second.router.restore(snapshot);
  assert.deepEqual(second.got.b.map((m) => m.payload), [{ site: "s" }]);
  assert.ok(second.got.w.map((m) => m.payload).includes(5));
});

test("wiring is normalised and pruned of closed windows", () => {
  const wiring = normaliseWiring({ defaultChannel: "mauve", channels: { a: "red", b: "pink", c: null },
    wires: [{ from: { window: "a", topic: "x.y" }, to: { window: "c", topic: "x.y" } }, { from: { window: "a" } }, "junk"] });
  assert.equal(wiring.defaultChannel, "blue");
  assert.deepEqual(wiring.channels, { a: "red", c: null });
  assert.equal(wiring.wires.length, 1);
  assert.equal(wiring.wires[0].id, "a:x.y>c:x.y");
  const pruned = pruneWiring(wiring, new Set(["a"]));
  assert.deepEqual(pruned, { defaultChannel: "blue", channels: { a: "red" }, wires: [] });
  assert.equal(normaliseWiring({ defaultChannel: null }).defaultChannel, null);
});

test("the rate limit refuses bursts and refills", () => {
  let now = 0;
  const limit = new RateLimit({ capacity: 3, perSecond: 2, now: () => now });
  const burst = [1, 2, 3, 4, 5].map(() => limit.take());
  now = 1000;
  const later = [1, 2, 3].map(() => limit.take());
  assert.deepEqual({ burst, later, refused: limit.refused }, { burst: [true, true, true, false, false], later: [true, true, false], refused: 3 });
});

test("a window reached by its channel and by a mapped wire gets both topics of one event", () => {
  const { router, got, add } = harness({ wires: [{ from: { window: "t", topic: "referrer.selected" }, to: { window: "f", topic: "filter.changed" },
    map: [{ from: "referrer", to: "filters.referrer" }] }] });
  add("t", { emits: { "referrer.selected": REFERRER } });
  add("f", { accepts: { "referrer.selected": REFERRER, "filter.changed": FILTERS } });
  assert.deepEqual(router.publish("t", "referrer.selected", { referrer: "x.com" }).delivered, ["f", "f"]);
  assert.deepEqual(got.f.map((m) => m.topic), ["referrer.selected", "filter.changed"]);
});
