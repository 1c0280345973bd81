"""entrypoints/heartbeat_fast_path.py answers like the declared route, and only for it."""

HOST = {"X-Tessera-Origin": "http://127.0.0.1:8100"}


async def test_fast_path_renews_and_404s(memory_client, clock, make_manifest):
    put = await memory_client.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    clock.advance(2)
    r = await memory_client.post("/api/v1/widgets/page-views/heartbeat", headers={"If-Match": put.headers["etag"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == {"lease_expires_at": "2026-11-22T10:00:17+00:00"}
    r = await memory_client.post("/api/v1/widgets/unknown/heartbeat")
    assert r.status_code == 404 and r.json()["detail"][0]["loc"] == ["path", "id"]


async def test_other_requests_fall_through_to_the_routes(memory_client):
    too_long = "x" * 65
    assert (await memory_client.post(f"/api/v1/widgets/{too_long}/heartbeat")).status_code == 422
    assert (await memory_client.get("/api/v1/widgets/page-views/heartbeat")).status_code == 405
    assert (await memory_client.post("/api/v1/widgets/a/b/heartbeat")).status_code == 404
    assert (await memory_client.post("/api/v1/widgets//heartbeat")).status_code in (404, 405)
