// Topic names, majors, wire compatibility and field mapping.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { mapPayload, parseTopic, sameTopic, topicKey, wireProblem } from "../../../../dashboard/web/src/bus/topic.js";

const topic = (name) => JSON.parse(readFileSync(new URL(`../../../../dashboard/topics/${name}.json`, import.meta.url)));

test("topic names carry an optional major; none means 1", () => {
  assert.deepEqual(parseTopic("page.selected"), { name: "page.selected", major: 1 });
  assert.deepEqual(parseTopic("page.selected@2"), { name: "page.selected", major: 2 });
  assert.equal(topicKey("page.selected"), "page.selected@1");
  assert.ok(sameTopic("page.selected", "page.selected@1"));
  assert.ok(!sameTopic("page.selected@1", "page.selected@2"));
  assert.ok(!sameTopic("page.selected", "site.selected"));
  for (const bad of ["", "Page", "page.@1", "page@0", "page@x", "a@1@2", "a b", 5, null]) assert.equal(parseTopic(bad), null, String(bad));
});

test("wires: same topic without a map; different majors or topics are refused", () => {
  assert.equal(wireProblem({ from: "page.selected", to: "page.selected@1" }), null);
  assert.match(wireProblem({ from: "page.selected@1", to: "page.selected@2" }), /different major versions/);
  assert.match(wireProblem({ from: "page.selected", to: "site.selected" }), /map their fields/);
});

test("a field mapping must name existing fields of overlapping types and fill what the receiver requires", () => {
  const referrer = topic("referrer.selected");
  const filters = topic("filter.changed");
  const site = topic("site.selected");
  assert.equal(wireProblem({ from: "referrer.selected", fromSchema: referrer, to: "filter.changed", toSchema: filters,
    map: [{ from: "referrer", to: "filters.referrer" }] }), null);
  assert.match(wireProblem({ from: "referrer.selected", fromSchema: referrer, to: "filter.changed", toSchema: filters,
    map: [{ from: "host", to: "filters.referrer" }] }), /has no field "host"/);
  assert.match(wireProblem({ from: "time.range", fromSchema: topic("time.range"), to: "page.selected", toSchema: topic("page.selected"),
    map: [{ from: "from", to: "nope" }] }), /has no field "nope"/);
  const numberTo = { type: "object", properties: { n: { type: "integer" } }, required: ["n"] };
  assert.match(wireProblem({ from: "referrer.selected", fromSchema: referrer, to: "count.set", toSchema: numberTo,
    map: [{ from: "referrer", to: "n" }] }), /cannot fill/);
  assert.match(wireProblem({ from: "referrer.selected", fromSchema: referrer, to: "site.selected", toSchema: site,
    map: [{ from: "site", to: "extra" }] }), /no field|requires/);
});

test("mapping builds the receiver's payload from the sender's", () => {
  assert.deepEqual(mapPayload({ referrer: "x.com", site: "s" }, [{ from: "referrer", to: "filters.referrer" }]),
    { filters: { referrer: "x.com" } });
  assert.deepEqual(mapPayload({ a: 1 }, []), { a: 1 });
  assert.deepEqual(mapPayload({ a: { b: 2 } }, [{ from: "a.b", to: "c" }, { from: "missing", to: "d" }]), { c: 2 });
});
