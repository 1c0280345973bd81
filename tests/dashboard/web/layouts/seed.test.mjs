import assert from "node:assert/strict";
import { test } from "node:test";

import { LayoutSeed, checkSeed } from "../../../../dashboard/web/src/layouts/seed.js";

const answer = (extra = {}) => ({ id: "abc_D-9", version: 3, title: "Web analytics", owner: "Tessera",
  layout: { root: { type: "row", content: [] } }, ...extra });

test("a seed that fits is used", () => {
  assert.deepEqual(checkSeed({ default: true, layout: answer() }), { default: true, answer: answer() });
  assert.equal(checkSeed({ default: false, layout: answer({ title: "Mine", owner: "me" }) }).answer.title, "Mine");
});

test("a seed that does not fit is dropped", () => {
  const bad = [null, [], "x", {}, { layout: answer() }, { default: "yes", layout: answer() },
    { default: false, layout: answer({ id: "<script>" }) }, { default: false, layout: answer({ id: 7 }) },
    { default: false, layout: answer({ version: "3" }) }, { default: false, layout: answer({ version: 0 }) },
    { default: false, layout: answer({ version: 1.5 }) }, { default: false, layout: answer({ title: null }) },
    { default: false, layout: answer({ layout: null }) }, { default: false, layout: answer({ layout: { root: [] } }) },
    { default: false, layout: answer({ layout: [] }) },
    // the default must be the first-run layout the gallery would find, not any layout
    { default: true, layout: answer({ owner: "Mallory" }) }, { default: true, layout: answer({ title: "Other" }) }];
  for (const seed of bad) assert.equal(checkSeed(seed), null, JSON.stringify(seed));
});

test("the seed is handed out once, for its own layout's latest version only", () => {
  const seeded = () => new LayoutSeed(checkSeed({ default: true, layout: answer() }));
  let seed = seeded();
  assert.equal(seed.defaultId, "abc_D-9");
  assert.equal(seed.take("abc_D-9").version, 3);
  assert.equal(seed.take("abc_D-9"), null);
  assert.equal(seed.defaultId, null);
  seed = seeded();
  assert.equal(seed.take("other"), null);
  assert.equal(seed.take("abc_D-9"), null); // spent by the first open, whatever it opened
  assert.equal(seeded().take("abc_D-9", 2), null); // a past version is asked for
  assert.equal(new LayoutSeed(null).defaultId, null);
  assert.equal(new LayoutSeed(checkSeed({ default: false, layout: answer() })).defaultId, null);
});
