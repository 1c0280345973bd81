// The bus's JSON Schema subset, against the well-known topic schemas the dashboard publishes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { compile, UnsupportedSchema } from "../../../../dashboard/web/src/bus/schema.js";

const topic = (name) => JSON.parse(readFileSync(new URL(`../../../../dashboard/topics/${name}.json`, import.meta.url)));

test("the well-known topic schemas accept good payloads and refuse bad ones, naming the field", () => {
  const referrer = compile(topic("referrer.selected"));
  assert.deepEqual(referrer({ referrer: "news.ycombinator.com" }), []);
  assert.deepEqual(referrer({ referrer: null }), []);
  assert.deepEqual(referrer({}).map((e) => e.path), ["/referrer"]);
  assert.match(referrer({ referrer: 42 })[0].message, /string or null/);
  assert.deepEqual(referrer({ referrer: "a", extra: 1 }).map((e) => e.path), ["/extra"]);
  assert.deepEqual(referrer({ referrer: "x".repeat(254) }).map((e) => e.path), ["/referrer"]);
  assert.deepEqual(referrer("text")[0].path, "");

  const filters = compile(topic("filter.changed"));
  assert.deepEqual(filters({ filters: { referrer: "x.com", page: null } }), []);
  assert.deepEqual(filters({ filters: { "Bad Name": "x" } }).map((e) => e.path), ["/filters/Bad Name"]);
  assert.deepEqual(filters({ filters: { page: 3 } }).map((e) => e.path), ["/filters/page"]);
  const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, "x"]));
  assert.match(filters({ filters: many })[0].message, /at most 32/);

  const range = compile(topic("time.range"));
  assert.deepEqual(range({ from: "2026-11-29T10:00:00Z", to: "2026-11-29T11:00:00+01:00", interval: "1h" }), []);
  assert.deepEqual(range({ from: "yesterday", to: "2026-11-29T11:00:00Z" }).map((e) => e.path), ["/from"]);
  assert.deepEqual(range({ from: "2026-11-29T10:00:00Z", to: "2026-11-29T11:00:00Z", interval: "5m" }).map((e) => e.path), ["/interval"]);
});

test("numbers, arrays, const and combinators", () => {
  const check = compile({ type: "object", properties: {
    n: { type: "integer", minimum: 1, exclusiveMaximum: 10 }, x: { type: "number", maximum: 1 },
    list: { type: "array", items: { type: "string", pattern: "^[a-z]+$" }, minItems: 1, maxItems: 2 },
    kind: { const: "a" }, either: { anyOf: [{ type: "string" }, { type: "integer" }] },
    one: { oneOf: [{ type: "integer" }, { type: "number", minimum: 0 }] }, no: { not: { type: "null" } } } });
  assert.deepEqual(check({ n: 3, x: 0.5, list: ["ab"], kind: "a", either: 2, one: -1, no: 1 }), []);
  const paths = (value) => check(value).map((e) => e.path);
  assert.deepEqual(paths({ n: 10 }), ["/n"]);
  assert.deepEqual(paths({ n: 1.5 }), ["/n"]);
  assert.deepEqual(paths({ x: 2 }), ["/x"]);
  assert.deepEqual(paths({ list: [] }), ["/list"]);
  assert.deepEqual(paths({ list: ["a", "b", "c"] }), ["/list"]);
  assert.deepEqual(paths({ list: ["A"] }), ["/list/0"]);
  assert.deepEqual(paths({ kind: "b" }), ["/kind"]);
  assert.deepEqual(paths({ either: true }), ["/either"]);
  assert.deepEqual(paths({ one: 2 }), ["/one"]); // both integer and number ≥ 0
  assert.deepEqual(paths({ no: null }), ["/no"]);
  assert.deepEqual(compile(false)(1).length, 1);
  assert.deepEqual(compile(true)({ anything: 1 }), []);
});

test("a schema is compiled once, and keywords it cannot check are refused at compile time", () => {
  const schema = { type: "object", properties: { a: { type: "string" } } };
  assert.equal(compile(schema), compile(structuredClone(schema)));
  assert.throws(() => compile({ $ref: "#/x" }), UnsupportedSchema);
  assert.throws(() => compile({ properties: { a: { if: { type: "string" } } } }), /"if" is not supported/);
  assert.deepEqual(compile({ type: "string", description: "d", "x-topic": "t", format: "uri" })("s"), []);
});

test("errors are capped so a huge payload costs little", () => {
  const check = compile({ type: "array", items: { type: "string" } });
  assert.equal(check(Array.from({ length: 10000 }, () => 1)).length, 10);
});
