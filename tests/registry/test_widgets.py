"""/api/v1/widgets on real stores: SQLite, then PostgreSQL (routers/widgets.py)."""

import json

import pytest

from registry.settings import RegistrySettings

HOST = {"X-Tessera-Origin": "http://127.0.0.1:8100"}


def services(client):
    return client.app.state.services


async def test_put_registers_then_refreshes(client, clock, make_manifest):
    r = await client.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    assert r.status_code == 201
    body = r.json()
    assert body["id"] == "page-views" and body["version"] == "0.1.0" and body["status"] == "live"
    assert body["lease_expires_at"].startswith("2026-11-22T10:00:15")
    clock.advance(5)
    r = await client.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    assert r.status_code == 200 and r.json()["lease_expires_at"].startswith("2026-11-22T10:00:20")


async def test_heartbeat_and_404_for_unknown(client, clock, make_manifest):
    assert (await client.post("/api/v1/widgets/page-views/heartbeat")).status_code == 404
    put = await client.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    clock.advance(3)
    r = await client.post("/api/v1/widgets/page-views/heartbeat", headers={"If-Match": put.headers["etag"]})
    assert r.status_code == 200 and r.json()["lease_expires_at"].startswith("2026-11-22T10:00:18")


async def test_list_get_and_history(client, make_manifest):
    await client.put("/api/v1/widgets/page-views", json=make_manifest(module="dist/pv.js"), headers={"X-Tessera-Origin": "http://127.0.0.1:8100/page-views/"})
    await client.put("/api/v1/widgets/page-views", json=make_manifest(version="0.2.0"), headers=HOST)
    items = (await client.get("/api/v1/widgets")).json()["items"]
    assert [i["id"] for i in items] == ["page-views"]
    item = items[0]
    for key in ("status", "last_seen", "lease_expires_at", "origin", "element", "dataProducts", "emits", "accepts", "attributes"):
        assert key in item
    assert item["origin"] == "http://127.0.0.1:8100" and item["status"] == "live"
    one = (await client.get("/api/v1/widgets/page-views")).json()
    assert [v["version"] for v in one["versions"]] == ["0.1.0", "0.2.0"]
    assert one["versions"][0]["module"] == "http://127.0.0.1:8100/page-views/dist/pv.js"
    assert (await client.get("/api/v1/widgets/nope")).status_code == 404


async def test_list_filters(client, make_manifest):
    await client.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    await client.put("/api/v1/widgets/top-pages", json=make_manifest(id="top-pages", team="seo", tags=["pages"], description="Most read."), headers=HOST)
    ids = lambda r: [i["id"] for i in r.json()["items"]]  # noqa: E731
    assert ids(await client.get("/api/v1/widgets", params={"team": "seo"})) == ["top-pages"]
    assert ids(await client.get("/api/v1/widgets", params={"tag": "analytics"})) == ["page-views"]
    assert ids(await client.get("/api/v1/widgets", params={"q": "most read"})) == ["top-pages"]
    assert ids(await client.get("/api/v1/widgets", params={"data_product": "tracker.pageviews"})) == ["page-views", "top-pages"]
    r = await client.get("/api/v1/widgets", params={"status": "dead"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "status"]


async def test_expiry_with_a_controllable_clock(client, clock, make_manifest):
    await client.put("/api/v1/widgets/page-views", json=make_manifest(ttl=10), headers=HOST)
    registry = services(client).registry
    clock.advance(12)
    registry.sweep()
    [item] = (await client.get("/api/v1/widgets")).json()["items"]
    assert item["status"] == "stale"
    clock.advance(30)
    registry.sweep()
    assert (await client.get("/api/v1/widgets")).json()["items"] == []
    gone = (await client.get("/api/v1/widgets", params={"status": "gone"})).json()["items"]
    assert [g["id"] for g in gone] == ["page-views"]
    assert (await client.get("/api/v1/widgets/page-views")).json()["versions"][0]["version"] == "0.1.0"
    assert (await client.post("/api/v1/widgets/page-views/heartbeat")).status_code == 404


async def test_delete(client, make_manifest):
    await client.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    assert (await client.delete("/api/v1/widgets/page-views")).status_code == 204
    assert (await client.get("/api/v1/widgets")).json()["items"] == []
    assert (await client.get("/api/v1/widgets/page-views")).json()["status"] == "gone"
    assert (await client.delete("/api/v1/widgets/never-was")).status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "loc"),
    [
        ({"element": "pageviews"}, 422, ["body", "element"]),
        ({"element": "font-face"}, 422, ["body", "element"]),
        ({"module": "javascript:alert(1)"}, 422, ["body", "module"]),
        ({"module": "data:text/javascript,alert(1)"}, 422, ["body", "module"]),
        ({"module": "http://evil.test/x.js"}, 422, ["body", "module"]),
        ({"stylesheet": "http://evil.test/x.css"}, 422, ["body", "stylesheet"]),
        ({"version": "latest"}, 422, ["body", "version"]),
        ({"attributes": {"type": "nope"}}, 422, ["body", "attributes", "type"]),
        ({"emits": {"x-y": {"required": "a"}}}, 422, ["body", "emits", "x-y", "required"]),
        ({"label": "bad\x1b[2J"}, 422, ["body", "label"]),
    ],
)
async def test_rejections_name_the_field(client, make_manifest, changes, status, loc):
    r = await client.put("/api/v1/widgets/page-views", json=make_manifest(**changes), headers=HOST)
    assert r.status_code == status, r.text
    assert loc in [d["loc"] for d in r.json()["detail"]]
    assert all({"loc", "msg", "type"} <= set(d) for d in r.json()["detail"])
    assert (await client.get("/api/v1/widgets", params={"status": "all"})).json()["items"] == []


async def test_element_owned_by_another_widget_is_409(client, make_manifest):
    await client.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    r = await client.put("/api/v1/widgets/copycat", json=make_manifest(id="copycat", element="tessera-page-views"), headers=HOST)
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "element"]


async def test_not_json_is_422_naming_the_body(client):
    r = await client.put("/api/v1/widgets/page-views", content=b"{nope", headers={**HOST, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"]


async def test_restart_keeps_widgets_and_flushed_heartbeats(database_url, clock, start_app, make_manifest):
    settings = RegistrySettings(database_url=database_url, require_tokens=False)
    async with start_app(settings, clock) as c:
        put = await c.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
        clock.advance(5)
        await c.post("/api/v1/widgets/page-views/heartbeat", headers={"If-Match": put.headers["etag"]})
    async with start_app(settings, clock) as c:  # shutdown flushed the lease
        item = (await c.get("/api/v1/widgets/page-views")).json()
        clock.advance(1)  # the ETag is the stored manifest's digest: a sidecar's heartbeats survive a restart
        assert (await c.post("/api/v1/widgets/page-views/heartbeat", headers={"If-Match": put.headers["etag"]})).status_code == 200
    assert item["last_seen"].startswith("2026-11-22T10:00:05") and item["status"] == "live"


async def test_oversize_manifest_is_413(memory_client, make_manifest):
    big = make_manifest(description="x" * 70_000)
    r = await memory_client.put("/api/v1/widgets/page-views", json=big, headers=HOST)
    assert r.status_code == 413 and r.json()["detail"][0]["loc"] == ["body"]


async def test_oversize_without_content_length_is_413(clock, start_app):
    async def chunks():
        for _ in range(10):
            yield b" " * 8000

    settings = RegistrySettings(database_url="memory://", max_manifest_bytes=16_000, require_tokens=False)
    async with start_app(settings, clock) as c:
        r = await c.put("/api/v1/widgets/page-views", content=chunks(), headers={**HOST, "Content-Type": "application/json"})
    assert r.status_code == 413


async def test_unsafe_values_are_not_stored(memory_client, make_manifest):
    doc = make_manifest(extra="<script>alert(1)</script>")
    await memory_client.put("/api/v1/widgets/page-views", content=json.dumps(doc), headers={**HOST, "Content-Type": "application/json"})
    item = (await memory_client.get("/api/v1/widgets/page-views")).json()
    assert "extra" not in item


async def test_healthz(memory_client):
    r = await memory_client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.integration
async def test_store_outage_is_503_not_500(tmp_path, clock, start_app, make_manifest):
    async with start_app(RegistrySettings(database_url=f"sqlite:///{tmp_path}/r.db", require_tokens=False), clock) as c:
        engine = c.app.state.services.engine
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE widget_version")
        r = await c.put("/api/v1/widgets/page-views", json=make_manifest(), headers=HOST)
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
