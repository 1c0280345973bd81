// Node's own test runner over the kit's pure modules and its data client (with a fake
// fetch and a fake EventSource; the real ones are exercised in Chromium by test_kit_browser.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildUrl, DataClient, QueryError, openStreams, resolveBase } from "../../dashboard/web/kit/v1/data-client.js";
import { change, formatDuration, formatNumber, formatPercent, isStale } from "../../dashboard/web/kit/v1/format.js";
import { nextIndex, parseSort, payloadFor, rowsOf, sortRows, toggleSort } from "../../dashboard/web/kit/v1/rows.js";
import { rangePayload, toColumns, toSeconds } from "../../dashboard/web/kit/v1/series.js";
import { sparkPath } from "../../dashboard/web/kit/v1/sparkline.js";

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

test("numbers, percents, durations and changes read well", () => {
  assert.deepEqual([1234, 12_345, 0.5, null, "x", 2_500_000].map(formatNumber), ["1,234", "12.3K", "0.5", "–", "–", "2.5M"]);
  assert.equal(formatPercent(0.4213), "42.1%");
  assert.deepEqual([42, 185, 3725, -1].map(formatDuration), ["42s", "3m 05s", "1h 02m", "–"]);
  assert.deepEqual(change(120, 100), { ratio: 0.2, direction: "up", text: "+20%" });
  assert.equal(change(80, 100).text, "−20%");
  assert.equal(change(5, 0).text, "new");
  assert.equal(change(5, null).ratio, null);
});

test("a watermark is stale once older than stale-after", () => {
  const now = Date.parse("2026-11-29T10:10:00Z");
  assert.equal(isStale("2026-11-29T10:05:00Z", 120, now), true);
  assert.equal(isStale("2026-11-29T10:09:00Z", 120, now), false);
  assert.equal(isStale(null, 120, now), false);
  assert.equal(isStale("nonsense", 120, now), false);
});

test("rows sort numbers numerically, text by locale, stably, missing values last", () => {
  const rows = [{ k: "b", n: 2 }, { k: "a10", n: null }, { k: "a9", n: 2 }, { k: "c", n: 10 }];
  assert.deepEqual(sortRows(rows, "n", "desc").map((r) => r.k), ["c", "b", "a9", "a10"]);
  assert.deepEqual(sortRows(rows, "n", "asc").map((r) => r.k), ["b", "a9", "c", "a10"]);
  assert.deepEqual(sortRows(rows, "k", "asc").map((r) => r.k), ["a9", "a10", "b", "c"]);
  assert.deepEqual(parseSort("views:asc"), { key: "views", direction: "asc" });
  assert.deepEqual(parseSort("-views"), { key: "views", direction: "desc" });
  assert.deepEqual(parseSort("", "x"), { key: "x", direction: "desc" });
  assert.deepEqual(toggleSort({ key: "a", direction: "desc" }, "a"), { key: "a", direction: "asc" });
  assert.deepEqual(toggleSort({ key: "a", direction: "asc" }, "b"), { key: "b", direction: "desc" });
});

test("keyboard moves stay inside the list", () => {
  assert.deepEqual(["ArrowDown", "ArrowUp", "Home", "End", "PageDown", "PageUp", "x"].map((k) => nextIndex(k, 3, 20)),
    [4, 2, 0, 19, 13, 0, null]);
  assert.equal(nextIndex("ArrowDown", 19, 20), 19);
  assert.equal(nextIndex("ArrowUp", 0, 20), 0);
  assert.equal(nextIndex("ArrowDown", -1, 20), 0);
  assert.equal(nextIndex("End", 0, 0), null);
});

test("payloads and rows from answers", () => {
  assert.deepEqual(payloadFor({ value: "/a", views: 3 }, { key: "value", field: "path", extra: { site: "s" } }), { site: "s", path: "/a" });
  assert.deepEqual(payloadFor({ value: "/a" }), { value: "/a" });
  assert.deepEqual(rowsOf({ rows: [1] }), [1]);
  assert.deepEqual(rowsOf({ items: [2] }), [2]);
  assert.deepEqual(rowsOf({ points: [3] }), [3]);
  assert.deepEqual(rowsOf(null), []);
});

test("series columns, times and range payloads", () => {
  const columns = toColumns([{ t: "2026-11-22T10:01:00Z", v: 3 }, { t: 1795860000, v: null }, { t: "bad", v: 9 },
    { t: 1795860000000 + 120_000, v: "4" }], "t", ["v"]);
  assert.deepEqual(columns, [[Date.parse("2026-11-22T10:01:00Z") / 1000, 1795860000, 1795860120], [3, null, 4]]);
  assert.ok(Number.isNaN(toSeconds("nope")));
  assert.deepEqual(rangePayload(0, 60, "1m"), { from: "1970-01-01T00:00:00.000Z", to: "1970-01-01T00:01:00.000Z", interval: "1m" });
});

test("sparkline path spans the box", () => {
  assert.equal(sparkPath([0, 10], 100, 28, 2), "M2 26 L98 2");
  assert.equal(sparkPath([5], 100, 28, 2), "M2 26 L98 26");
  assert.equal(sparkPath([]), "");
});

test("URLs: stable parameter order, one parameter per filter, repeats, dates; empty values dropped", () => {
  const url = buildUrl("http://d/api/v1/metrics", "breakdown", {
    site: "a b", dimension: "page", filters: { utm_source: "news", browser: "Firefox" }, tag: ["x", "y"],
    from: new Date(0), empty: "", none: null,
  });
  assert.equal(url, "http://d/api/v1/metrics/breakdown?dimension=page&browser=Firefox&utm_source=news"
    + "&from=1970-01-01T00%3A00%3A00.000Z&site=a+b&tag=x&tag=y");
  assert.equal(buildUrl("http://d/api/v1/metrics", "/api/v1/other", {}), "http://d/api/v1/other");
  assert.equal(resolveBase("http://d/api/v1/metrics/"), "http://d/api/v1/metrics");
});

test("query errors name the status and the field a 422 names", () => {
  const invalid = QueryError.from(422, { detail: [{ loc: ["query", "dimension"], msg: "unknown dimension" }] }, "u");
  assert.equal(invalid.field, "dimension");
  assert.equal(invalid.message, "the data API answered HTTP 422 (dimension: unknown dimension)");
  assert.equal(QueryError.from(503, { detail: "down" }).message, "the data API answered HTTP 503 (down)");
  assert.equal(QueryError.from(500, null).message, "the data API answered HTTP 500");
});

test("query answers rows and the watermark; times out; passes aborts through", async () => {
  const ok = new DataClient("http://d/api", {
    fetch: async (url) => new Response(JSON.stringify({ rows: [{ value: url }], watermark: "W" }), { status: 200 }),
  });
  const answer = await ok.query("x", { a: 1 });
  assert.deepEqual([answer.rows, answer.watermark], [[{ value: "http://d/api/x?a=1" }], "W"]);

  const hang = (url, { signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  const slow = new DataClient("http://d/api", { fetch: hang, timeoutMs: 30 });
  await assert.rejects(slow.query("x"), (error) => error instanceof QueryError && error.timeout && /within 0\.0 s|within/.test(error.message));

  const controller = new AbortController();
  const pending = slow.query("x", {}, { signal: controller.signal, timeoutMs: 5000 });
  controller.abort(new DOMException("gone", "AbortError"));
  await assert.rejects(pending, (error) => error.name === "AbortError");

  const down = new DataClient("http://d/api", { fetch: async () => { throw new TypeError("Failed to fetch"); } });
  await assert.rejects(down.query("x"), /unreachable \(Failed to fetch\)/);
  const bad = new DataClient("http://d/api", { fetch: async () => new Response("{\"detail\":\"no\"}", { status: 404 }) });
  await assert.rejects(bad.query("x"), (error) => error.status === 404);
});

class FakeEventSource {
  static made = [];
  readyState = 0;
  listeners = {};
  constructor(url) {
    this.url = url;
    FakeEventSource.made.push(this);
  }
  addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); }
  close() { this.readyState = 2; this.closed = true; }
  fire(type, event = {}) { for (const fn of this.listeners[type] ?? []) fn({ type, ...event }); }
  open() { this.readyState = 1; this.fire("open"); }
  send(type, id, data) { this.fire(type, { lastEventId: id, data: JSON.stringify(data) }); }
  fail(closed) { this.readyState = closed ? 2 : 0; this.fire("error"); }
}

test("one EventSource per stream URL, reference-counted, events routed by name", async () => {
  FakeEventSource.made = [];
  const client = new DataClient("http://d/api", { EventSource: FakeEventSource });
  const got = { a: [], b: [], c: [] };
  const a = client.subscribe("stream", { site: "s" }, (u) => got.a.push(u), { events: ["minute"] });
  const b = client.subscribe("stream", { site: "s" }, (u) => got.b.push(u), { events: ["minute", "hello"] });
  const c = client.subscribe("stream", { site: "other" }, (u) => got.c.push(u), { events: ["minute"] });
  await tick(5); // opened after the current task, with no query in flight
  assert.equal(FakeEventSource.made.length, 2);
  const [source] = FakeEventSource.made;
  source.open();
  source.send("hello", "1", { hi: 1 });
  source.send("minute", "2", { n: 2 });
  assert.deepEqual(got.a.map((u) => [u.type, u.data, u.id, u.via]), [["minute", { n: 2 }, "2", "sse"]]);
  assert.deepEqual(got.b.map((u) => u.type), ["hello", "minute"]);
  assert.deepEqual(got.c, []);
  assert.equal(openStreams().find((s) => s.url.endsWith("site=s")).subscribers, 2);
  a.close();
  a.close(); // twice is harmless
  assert.equal(source.closed, undefined);
  b.close();
  assert.equal(source.closed, true);
  assert.equal(a.mode, "closed");
  c.close();
  assert.deepEqual(openStreams(), []);
});

test("a refused stream polls, retries, and resumes from the last id by query parameter", async () => {
  FakeEventSource.made = [];
  const client = new DataClient("http://d/api", { EventSource: FakeEventSource, streamRetryMs: 40, maxStreamFailures: 3 });
  const got = [];
  const sub = client.subscribe("stream", {}, (u) => got.push(u.via === "poll" ? "poll" : u.id), { events: ["minute"], pollMs: 250 });
  await tick(5);
  const first = FakeEventSource.made[0];
  first.open();
  first.send("minute", "7", {});
  first.fail(false); // the browser retries by itself: not yet a fallback
  first.fail(false);
  assert.equal(sub.mode, "sse");
  first.fail(true); // CLOSED: an HTTP error
  assert.equal(sub.mode, "poll");
  assert.deepEqual(got, ["7", "poll"]); // one poll at once
  await tick(70);
  assert.equal(FakeEventSource.made.length, 2);
  assert.equal(FakeEventSource.made[1].url, "http://d/api/stream?lastEventId=7");
  FakeEventSource.made[1].open();
  assert.equal(sub.mode, "sse");
  sub.close();
  assert.equal(FakeEventSource.made[1].closed, true);
});

test("three failed connection attempts in a row fall back to polling", () => {
  FakeEventSource.made = [];
  const client = new DataClient("http://d/api", { EventSource: FakeEventSource, streamRetryMs: 60_000, streamHoldMs: 0 });
  const sub = client.subscribe("stream", {}, () => {}, { pollMs: 60_000 });
  const source = FakeEventSource.made[0];
  source.fail(false);
  source.fail(false);
  assert.equal(sub.mode, "connecting");
  source.fail(false);
  assert.equal(sub.mode, "poll");
  assert.equal(source.closed, true);
  sub.close();
});

test("a stream opens once the page's queries in flight are answered, or after streamHoldMs", async () => {
  FakeEventSource.made = [];
  const answers = [];
  const fetch = (url) => new Promise((resolve) => answers.push(() => resolve(new Response("{\"rows\":[]}", { status: 200 }))));
  const client = new DataClient("http://d/api", { EventSource: FakeEventSource, fetch, streamHoldMs: 200 });
  const other = new DataClient("http://e/api", { fetch }); // every client of the page counts
  const sub = client.subscribe("stream", { site: "q" }, () => {});
  const first = client.query("summary");
  const second = other.query("breakdown");
  await tick(20);
  assert.equal(FakeEventSource.made.length, 0); // two queries in flight: the stream waits
  answers[0]();
  await first;
  await tick(20);
  assert.equal(FakeEventSource.made.length, 0); // one still in flight
  answers[1]();
  await second;
  await tick(20);
  assert.equal(FakeEventSource.made.length, 1);
  assert.equal(sub.mode, "connecting");
  sub.close();

  const held = client.subscribe("stream", { site: "r" }, () => {});
  const hung = client.query("slow"); // never answered here: the stream opens after the hold anyway
  await tick(60);
  assert.equal(FakeEventSource.made.length, 1);
  await tick(250);
  assert.equal(FakeEventSource.made.length, 2);
  held.close();
  const gone = client.subscribe("stream", { site: "s" }, () => {});
  gone.close(); // closed while held: never opens
  answers[2]();
  await hung;
  await tick(20);
  assert.equal(FakeEventSource.made.length, 2);
  assert.deepEqual(openStreams(), []);
});

test("without EventSource, or with stream: false, subscribers poll", async () => {
  const client = new DataClient("http://d/api", { EventSource: undefined });
  const got = [];
  const sub = client.subscribe("stream", {}, (u) => got.push(u.type), { pollMs: 250 });
  assert.equal(sub.mode, "poll");
  const only = client.subscribe("x", {}, (u) => got.push(`only-${u.type}`), { stream: false, pollMs: 250 });
  await tick(300);
  sub.close();
  only.close();
  assert.deepEqual(got.sort(), ["only-poll", "poll", "poll"]);
  assert.equal(only.mode, "closed");
});
