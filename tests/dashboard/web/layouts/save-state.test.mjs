import assert from "node:assert/strict";
import { test } from "node:test";

import { initialState, isBehind, isDirty, label, reduce } from "../../../../dashboard/web/src/layouts/save-state.js";

const doc = (n) => ({ title: "T", layout: { n } });

test("edits make a saved layout unsaved, and undoing them makes it saved again", () => {
  let state = initialState({ version: 2, document: doc(1) });
  assert.equal(state.status, "saved");
  state = reduce(state, { type: "edited", document: doc(2) });
  assert.equal(state.status, "unsaved");
  assert.ok(isDirty(state));
  state = reduce(state, { type: "edited", document: doc(1) });
  assert.equal(state.status, "saved");
  assert.equal(label(state), "Saved · v2");
});

test("an edit during a save leaves it unsaved after the save lands", () => {
  let state = reduce(initialState({ version: 1, document: doc(1) }), { type: "edited", document: doc(2) });
  state = reduce(state, { type: "save-started" });
  state = reduce(state, { type: "edited", document: doc(3) });
  assert.equal(state.status, "saving");
  state = reduce(state, { type: "saved", version: 2, document: doc(2) });
  assert.equal(state.status, "unsaved");
  assert.equal(state.version, 2);
});

test("a conflict and a failure keep the edit dirty", () => {
  let state = reduce(initialState({ version: 1, document: doc(1) }), { type: "edited", document: doc(2) });
  state = reduce(reduce(state, { type: "save-started" }), { type: "conflict", version: 5 });
  assert.equal(state.status, "conflict");
  assert.equal(state.theirs, 5);
  assert.ok(isDirty(state));
  state = reduce(state, { type: "failed", message: "offline" });
  assert.equal(state.status, "error");
  assert.ok(isDirty(state));
});

test("a read-only layout never becomes unsaved", () => {
  let state = initialState({ version: 3, document: doc(1), editable: false });
  state = reduce(state, { type: "edited", document: doc(9) });
  assert.equal(state.status, "readonly");
  assert.ok(!isDirty(state));
  assert.equal(reduce(state, { type: "save-started" }).status, "readonly");
});

test("a layout never saved is new until its first save", () => {
  let state = initialState();
  assert.equal(state.status, "new");
  state = reduce(state, { type: "edited", document: doc(1) });
  assert.equal(state.status, "new");
  assert.ok(isDirty(state));
  state = reduce(reduce(state, { type: "save-started" }), { type: "saved", version: 1, document: doc(1) });
  assert.equal(state.status, "saved");
});

test("a newer version saved elsewhere makes the editor stale until it saves or reloads", () => {
  let state = initialState({ version: 2, document: doc(1) });
  state = reduce(state, { type: "behind", version: 2 });
  assert.ok(!isBehind(state));
  state = reduce(state, { type: "behind", version: 4 });
  assert.ok(isBehind(state));
  assert.equal(state.status, "saved");
  state = reduce(reduce(state, { type: "save-started" }), { type: "saved", version: 5, document: doc(1) });
  assert.ok(!isBehind(state));
});
