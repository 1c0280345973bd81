import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";

import { ApiError, ConflictError, LayoutsApi, versionFromEtag } from "../../../../dashboard/web/src/layouts/api-client.js";

// A real HTTP server records what the client sends and answers as the contract says.
async function serve(handler) {
  const seen = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: body ? JSON.parse(body) : null });
      handler(request, response);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const api = new LayoutsApi({ fetch: (url, init) => fetch(origin + url, init) });
  return { api, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

test("a save sends the credential and If-Match, and reads the version from the ETag", async () => {
  const { api, seen, close } = await serve((request, response) => {
    response.writeHead(200, { "Content-Type": "application/json", ETag: '"4"' });
    response.end(JSON.stringify({ id: "a" }));
  });
  try {
    const answer = await api.save("a", { title: "T", layout: {} }, { version: 3, credential: "k3y", message: "tidy" });
    assert.equal(answer.version, 4);
    assert.equal(seen[0].method, "PUT");
    assert.equal(seen[0].url, "/api/v1/layouts/a");
    assert.equal(seen[0].headers["if-match"], '"3"');
    assert.equal(seen[0].headers.authorization, "Bearer k3y");
    assert.equal(seen[0].body.message, "tidy");
  } finally {
    await close();
  }
});

test("a stale save is a ConflictError with the server's current version", async () => {
  const { api, close } = await serve((request, response) => {
    response.writeHead(409, { "Content-Type": "application/problem+json", ETag: '"7"' });
    response.end(JSON.stringify({ title: "Conflict", detail: "version 7 is current" }));
  });
  try {
    await assert.rejects(api.save("a", {}, { version: 3, credential: "k" }), (error) => {
      assert.ok(error instanceof ConflictError);
      assert.equal(error.currentVersion, 7);
      return true;
    });
  } finally {
    await close();
  }
});

test("problem JSON becomes an ApiError naming the status and detail; lists are unwrapped", async () => {
  const { api, seen, close } = await serve((request, response) => {
    if (request.url.endsWith("/versions") || request.method === "GET") {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ versions: [{ version: 1 }, { version: 2 }] }));
      return;
    }
    response.writeHead(403, { "Content-Type": "application/problem+json" });
    response.end(JSON.stringify({ title: "Forbidden", detail: "a view link cannot save" }));
  });
  try {
    assert.deepEqual((await api.versions("a")).map((v) => v.version), [1, 2]);
    await assert.rejects(api.restore("a", 1, { credential: "t" }), (error) => {
      assert.ok(error instanceof ApiError && !(error instanceof ConflictError));
      assert.equal(error.status, 403);
      assert.equal(error.message, "a view link cannot save");
      return true;
    });
    await api.gallery({ owner: "ann", q: "sales board" });
    assert.equal(seen.at(-1).url, "/api/v1/layouts?owner=ann&q=sales+board");
  } finally {
    await close();
  }
});

test("an unreachable server is an ApiError with status 0", async () => {
  const api = new LayoutsApi({ fetch: () => Promise.reject(new TypeError("Failed to fetch")) });
  await assert.rejects(api.get("a"), (error) => error.status === 0);
  assert.equal(versionFromEtag('W/"12"'), 12);
  assert.equal(versionFromEtag("nonsense"), null);
});

test("problem details given as a list name each field", async () => {
  const { problemText } = await import("../../../../dashboard/web/src/layouts/api-client.js");
  assert.equal(problemText({ detail: [{ loc: ["body", "layout", "root"], msg: "unknown component type" },
    { loc: ["header", "If-Match"], msg: "missing" }] }), "layout.root: unknown component type; header.If-Match: missing");
  assert.equal(problemText({ title: "Gone" }), "Gone");
  assert.equal(new ApiError(410, { detail: [{ loc: ["path", "token"], msg: "this link has expired" }] }).message,
    "path.token: this link has expired");
});
