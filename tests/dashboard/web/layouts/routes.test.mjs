import assert from "node:assert/strict";
import { test } from "node:test";

import { layoutPath, parseRoute } from "../../../../dashboard/web/src/layouts/routes.js";

test("every route of the shell parses", () => {
  assert.deepEqual(parseRoute("/"), { kind: "home" });
  assert.deepEqual(parseRoute(""), { kind: "home" });
  assert.deepEqual(parseRoute("/gallery/"), { kind: "gallery" });
  assert.deepEqual(parseRoute("/l/abc_D-9"), { kind: "layout", id: "abc_D-9" });
  assert.deepEqual(parseRoute("/l/abc@12"), { kind: "version", id: "abc", version: 12 });
  assert.deepEqual(parseRoute("/l/abc%4012"), { kind: "version", id: "abc", version: 12 });
  assert.deepEqual(parseRoute("/e/tok_1"), { kind: "edit", token: "tok_1" });
  assert.deepEqual(parseRoute("/v/tok-2"), { kind: "view", token: "tok-2" });
});

test("anything else is unknown, never a layout", () => {
  for (const path of ["/l/", "/l/a/b", "/l/a@x", "/l/<script>", "/x/abc", "/v/a b", "/l/a@1234567890", "/%E0%A4%A"]) {
    assert.equal(parseRoute(path).kind, "unknown", path);
  }
});

test("layout paths round-trip", () => {
  assert.deepEqual(parseRoute(layoutPath("abc", 4)), { kind: "version", id: "abc", version: 4 });
  assert.deepEqual(parseRoute(layoutPath("abc")), { kind: "layout", id: "abc" });
});
