import assert from "node:assert/strict";
import { test } from "node:test";

import { DraftStore } from "../../../../dashboard/web/src/layouts/draft-store.js";

class MemoryStorage {
  map = new Map();
  getItem(key) { return this.map.has(key) ? this.map.get(key) : null; }
  setItem(key, value) { this.map.set(key, String(value)); }
  removeItem(key) { this.map.delete(key); }
}

test("drafts are kept per layout and cleared after a save", () => {
  const store = new DraftStore(new MemoryStorage());
  store.saveDraft("a", 3, { title: "A", layout: { root: null } });
  store.saveDraft(null, null, { title: "new", layout: { root: null } });
  assert.deepEqual(store.loadDraft("a"), { baseVersion: 3, document: { title: "A", layout: { root: null } } });
  assert.equal(store.loadDraft(null).document.title, "new");
  assert.equal(store.loadDraft("b"), null);
  store.clearDraft("a");
  assert.equal(store.loadDraft("a"), null);
});

test("an older shell's layout is read as the new layout's draft", () => {
  const storage = new MemoryStorage();
  storage.setItem("tessera.layout.v1", JSON.stringify({ root: { type: "row", content: [] } }));
  const draft = new DraftStore(storage).loadDraft(null);
  assert.deepEqual(draft.document.layout, { root: { type: "row", content: [] } });
  assert.equal(draft.baseVersion, null);
});

test("edit keys are remembered per layout; garbage and broken storage are survived", () => {
  const storage = new MemoryStorage();
  const store = new DraftStore(storage);
  store.rememberEditKey("a", "key-a");
  store.rememberEditKey("b", "key-b");
  store.forgetEditKey("b");
  assert.equal(store.editKey("a"), "key-a");
  assert.equal(store.editKey("b"), null);
  storage.setItem("tessera.draft.x", "{not json");
  assert.equal(store.loadDraft("x"), null);
  const broken = new DraftStore({ getItem() { throw new Error("denied"); }, setItem() { throw new Error("full"); } });
  broken.saveDraft("a", 1, {});
  assert.equal(broken.loadDraft("a"), null);
  assert.equal(broken.editKey("a"), null);
  broken.lastLayout = "a";
  assert.equal(broken.lastLayout, null);
});
