"""The layouts API end to end through the app (on the fake, SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from .conftest import layout_doc, window


def auth(key: str, version: int | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return headers


async def create(client, doc: dict | None = None) -> dict:
    r = await client.post("/api/v1/layouts", json=doc or layout_doc())
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_answers_id_version_edit_key_and_view_url(client):
    r = await client.post("/api/v1/layouts", json=layout_doc())
    body = r.json()
    assert r.status_code == 201 and r.headers["etag"] == '"1"'
    assert body["version"] == 1 and body["editKey"].startswith("tek_") and body["viewUrl"].startswith("/v/")
    got = await client.get(f"/api/v1/layouts/{body['id']}")
    assert got.status_code == 200 and got.headers["etag"] == '"1"' and got.json()["version"] == 1
    state = got.json()["layout"]["root"]["content"][0]["componentState"]
    assert state == {"widgetId": "page-views", "version": "0.1.0", "attributes": {"site": "demo.local"}, "windowId": "a"}
    assert got.json()["schemaVersion"] == 2 and got.json()["wiring"] == {}


async def test_save_needs_the_edit_key_and_if_match(client):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    assert (await client.put(url, json=layout_doc(title="B"), headers={"If-Match": '"1"'})).status_code == 401
    wrong = await client.put(url, json=layout_doc(title="B"), headers=auth("tek_nope", 1))
    assert wrong.status_code == 401 and wrong.json()["detail"][0]["loc"] == ["header", "Authorization"]
    missing = await client.put(url, json=layout_doc(title="B"), headers=auth(created["editKey"]))
    assert missing.status_code == 428 and missing.json()["detail"][0]["loc"] == ["header", "If-Match"]
    ok = await client.put(url, json=layout_doc(title="B", message="renamed", author="ana"),
                          headers=auth(created["editKey"], 1))
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"' and ok.json()["version"] == 2
    assert (await client.get(url)).json()["title"] == "B"
    assert (await client.get(url, params={"version": 1})).json()["title"] == "Traffic"


async def test_a_stale_save_gets_409_with_the_current_version(client):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    await client.put(url, json=layout_doc(title="mine"), headers=auth(created["editKey"], 1))
    stale = await client.put(url, json=layout_doc(title="theirs"), headers=auth(created["editKey"], 1))
    assert stale.status_code == 409 and stale.json()["currentVersion"] == 2 and stale.headers["etag"] == '"2"'
    ahead = await client.put(url, json=layout_doc(title="future"), headers=auth(created["editKey"], 7))
    assert ahead.status_code == 409
    assert (await client.get(url)).json()["title"] == "mine"


async def test_an_identical_save_is_not_a_new_version(client):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    again = await client.put(url, json=layout_doc(), headers=auth(created["editKey"], 1))
    assert again.status_code == 200 and again.json()["version"] == 1 and again.json()["unchanged"] is True
    versions = (await client.get(f"{url}/versions")).json()["versions"]
    assert [v["number"] for v in versions] == [1]


async def test_history_lists_every_save_with_its_metadata(client):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    for n, title in enumerate(["two", "three"], start=1):
        r = await client.put(url, json=layout_doc(title=title, author="ana", message=f"save {n}"),
                             headers=auth(created["editKey"], n))
        assert r.status_code == 200
    versions = (await client.get(f"{url}/versions")).json()["versions"]
    assert [(v["number"], v["parentVersion"], v["author"], v["message"]) for v in versions] == [
        (3, 2, "ana", "save 2"), (2, 1, "ana", "save 1"), (1, None, "", "")]
    assert all(v["contentHash"].startswith("sha256:") and v["createdAt"] and "restoredFrom" in v for v in versions)


async def test_restore_appends_a_version_equal_to_the_old_one(client):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    await client.put(url, json=layout_doc(window("page-views", "a"), window("top-pages", "b"), title="two"),
                     headers=auth(created["editKey"], 1))
    r = await client.post(f"{url}/restore", json={"version": 1}, headers=auth(created["editKey"]))
    assert r.status_code == 200 and r.json()["version"] == 3 and r.json()["restoredFrom"] == 1
    versions = {v["number"]: v for v in (await client.get(f"{url}/versions")).json()["versions"]}
    assert versions[3]["contentHash"] == versions[1]["contentHash"] != versions[2]["contentHash"]
    assert (await client.get(url)).json()["title"] == "Traffic"
    missing = await client.post(f"{url}/restore", json={"version": 9}, headers=auth(created["editKey"]))
    assert missing.status_code == 404 and missing.json()["detail"][0]["loc"] == ["body", "version"]


async def test_a_clone_has_its_own_key_and_lineage_and_the_original_never_changes(client):
    original = await create(client)
    url = f"/api/v1/layouts/{original['id']}"
    r = await client.post(f"{url}/clone", json={"title": "Mine"})
    clone = r.json()
    assert r.status_code == 201 and clone["id"] != original["id"] and clone["version"] == 1
    assert clone["parent"] == {"id": original["id"], "version": 1} and clone["editKey"] != original["editKey"]
    curl = f"/api/v1/layouts/{clone['id']}"
    doc = layout_doc(window("page-views", "a", site="demo.local"), window("top-pages", "b"), title="Mine")
    assert (await client.put(curl, json=doc, headers=auth(clone["editKey"], 1))).status_code == 200
    # the clone's key cannot touch the original
    assert (await client.put(url, json=doc, headers=auth(clone["editKey"], 1))).status_code == 401
    assert (await client.get(url)).json()["version"] == 1
    d = (await client.get(f"{curl}/diff", params={"against": "parent"})).json()
    assert [w["windowId"] for w in d["windows"]["added"]] == ["b"] and d["from"]["id"] == original["id"]
    # the parent moves on, and the clone can see it
    await client.put(url, json=layout_doc(title="Traffic v2"), headers=auth(original["editKey"], 1))
    assert (await client.get(curl)).json()["parent"]["latestVersion"] == 2
    gallery = (await client.get("/api/v1/layouts", params={"q": "mine"})).json()["layouts"]
    assert [(g["id"], g["parent"]) for g in gallery] == [(clone["id"], {"id": original["id"], "version": 1})]


async def test_diff_names_windows_added_removed_moved_and_attributes_and_wiring_changed(client):
    created = await create(client, layout_doc(window("a-w", "a", site="x"), window("b-w", "b"), window("c-w", "c")))
    url = f"/api/v1/layouts/{created['id']}"
    after = layout_doc(window("b-w", "b"), window("a-w", "a", site="y"), window("d-w", "d"),
                       wiring={"channels": {"a": "red"}})
    await client.put(url, json=after, headers=auth(created["editKey"], 1))
    d = (await client.get(f"{url}/diff", params={"from": 1, "to": 2})).json()
    assert [w["windowId"] for w in d["windows"]["added"]] == ["d"]
    assert [w["windowId"] for w in d["windows"]["removed"]] == ["c"]
    assert {m["windowId"] for m in d["windows"]["moved"]} == {"a", "b"}
    changed = {c["windowId"]: c for c in d["windows"]["changed"]}
    assert changed["a"]["attributes"] == [{"path": "site", "from": "x", "to": "y", "change": "changed"}]
    assert d["wiring"]["changed"] and d["wiring"]["changes"][0]["path"] == "channels.a"
    bad = await client.get(f"{url}/diff", params={"from": 1, "to": 5})
    assert bad.status_code == 404 and bad.json()["detail"][0]["loc"] == ["query", "to"]


async def test_view_links_open_the_casual_view_and_get_403_on_writes(client):
    created = await create(client, layout_doc(viewState={"range": "24h"}))
    url = f"/api/v1/layouts/{created['id']}"
    r = await client.post(f"{url}/links", json={"role": "view", "version": "latest", "expiresIn": 3600,
                                                 "viewState": {"range": "7d"}}, headers=auth(created["editKey"]))
    link = r.json()
    assert r.status_code == 201 and link["role"] == "view" and link["url"] == f"/v/{link['token']}"
    assert link["expiresAt"].startswith("2026-11-29T11:00")
    shared = await client.get(f"/api/v1/shared/{link['token']}")
    assert shared.status_code == 200 and shared.json()["role"] == "view" and shared.headers["etag"] == '"1"'
    assert shared.json()["viewState"] == {"range": "7d"} and shared.json()["id"] == created["id"]
    by_header = await client.get("/api/v1/shared", headers=auth(link["token"]))
    assert by_header.json()["id"] == created["id"]
    write = await client.put(url, json=layout_doc(title="x"), headers=auth(link["token"], 1))
    assert write.status_code == 403
    access = (await client.get(f"{url}/access", headers=auth(link["token"]))).json()
    assert access["role"] == "view" and access["canSave"] is False
    # the default view link from creation opens too
    default = created["viewUrl"].removeprefix("/v/")
    assert (await client.get(f"/api/v1/shared/{default}")).json()["role"] == "view"


async def test_an_edit_link_can_save_but_not_manage_links(client):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    link = (await client.post(f"{url}/links", json={"role": "edit", "version": "latest", "expiresIn": None},
                              headers=auth(created["editKey"]))).json()
    assert link["url"] == f"/e/{link['token']}" and link["expiresAt"] is None
    assert (await client.put(url, json=layout_doc(title="by link"), headers=auth(link["token"], 1))).status_code == 200
    assert (await client.get(f"{url}/links", headers=auth(link["token"]))).status_code == 403
    access = (await client.get(f"{url}/access", headers=auth(link["token"]))).json()
    assert access["role"] == "edit" and access["canSave"] and not access["canShare"]
    assert (await client.get(f"{url}/access", headers=auth(created["editKey"]))).json()["role"] == "owner"


async def test_pinned_links_show_their_version_and_revoked_or_expired_links_get_410(client, clock):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    key = created["editKey"]
    pinned = (await client.post(f"{url}/links", json={"role": "view", "version": 1, "expiresIn": 60},
                                headers=auth(key))).json()
    await client.put(url, json=layout_doc(title="later"), headers=auth(key, 1))
    assert (await client.get(f"/api/v1/shared/{pinned['token']}")).json()["title"] == "Traffic"
    listed = (await client.get(f"{url}/links", headers=auth(key))).json()["links"]
    assert pinned["id"] in {l["id"] for l in listed} and all("token" not in l for l in listed)
    clock.advance(61)
    expired = await client.get(f"/api/v1/shared/{pinned['token']}")
    assert expired.status_code == 410 and expired.json()["detail"][0]["type"] == "gone.expired"
    other = (await client.post(f"{url}/links", json={"role": "view"}, headers=auth(key))).json()
    assert (await client.delete(f"{url}/links/{other['id']}", headers=auth(key))).status_code == 204
    revoked = await client.get(f"/api/v1/shared/{other['token']}")
    assert revoked.status_code == 410 and revoked.json()["detail"][0]["type"] == "gone.revoked"
    assert (await client.get("/api/v1/shared/tvl_unknown")).status_code == 404
    assert (await client.delete(f"{url}/links/{other['id']}", headers=auth(key))).status_code == 404


@pytest.mark.parametrize("body,loc", [
    ({"title": "t", "layout": {"root": {"type": "row", "content": [
        {"type": "component", "componentType": "iframe", "componentState": {"widgetId": "x"}}]}}},
     ["body", "layout", "root", "content", 0, "componentType"]),
    ({"title": "t", "layout": {"root": {"type": "row", "content": [
        {"type": "component", "componentType": "tessera-widget", "componentState": {"attributes": {}}}]}}},
     ["body", "layout", "root", "content", 0, "componentState", "widgetId"]),
    ({"title": "a\u0007b", "layout": {}}, ["body", "title"]),
    ({"title": "t", "layout": {}, "description": "x\u0000"}, ["body", "description"]),
    ({"layout": {}}, ["body", "title"]),
    ({"title": "t"}, ["body", "layout"]),
    ({"title": "t", "layout": {}, "wiring": []}, ["body", "wiring"]),
    ({"title": "t", "layout": {}, "colour": "red"}, ["body", "colour"]),
    ({"title": "t", "layout": {"root": {"type": "grid"}}}, ["body", "layout", "root", "type"]),
    ({"title": "t", "layout": {}, "schemaVersion": 99}, ["body", "schemaVersion"]),
])
async def test_bad_documents_are_refused_naming_the_field(client, body, loc):
    r = await client.post("/api/v1/layouts", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert loc in [p["loc"] for p in r.json()["detail"]]


async def test_oversize_and_deep_documents_are_refused(client):
    big = layout_doc(window("page-views", "a", blob="x" * (300 * 1024)))
    r = await client.post("/api/v1/layouts", json=big)
    assert r.status_code == 413 and r.json()["detail"][0]["loc"] == ["body"]
    deep: dict = {}
    node = deep
    for _ in range(100):
        node["x"] = {}
        node = node["x"]
    r = await client.post("/api/v1/layouts", json=layout_doc(window("page-views", "a", deep=deep)))
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "value_error.too_deep"
    r = await client.post("/api/v1/layouts", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


async def test_open_popouts_are_stripped_and_missing_window_ids_assigned(client):
    doc = layout_doc(window("a-w"), window("b-w", "w1"))
    doc["layout"]["openPopouts"] = [{"root": None, "window": {"left": 1}}]
    created = await create(client, doc)
    got = (await client.get(f"/api/v1/layouts/{created['id']}")).json()
    assert "openPopouts" not in got["layout"]
    ids = [c["componentState"]["windowId"] for c in got["layout"]["root"]["content"]]
    assert ids == ["w2", "w1"]


async def test_a_version_1_document_is_migrated(client):
    bare = {"root": {"type": "row", "content": [window("page-views")]}, "openPopouts": []}
    created = await create(client, {"schemaVersion": 1, **bare})
    got = (await client.get(f"/api/v1/layouts/{created['id']}")).json()
    assert got["schemaVersion"] == 2 and got["title"] == "Untitled layout"
    assert got["layout"]["root"]["content"][0]["componentState"]["windowId"] == "w1"


async def test_gallery_filters_by_owner_and_text(client, clock):
    await create(client, layout_doc(title="Sales daily", owner="Head of Sales"))
    clock.advance(1)
    await create(client, layout_doc(title="Traffic", owner="ana", description="sales referrers"))
    clock.advance(1)
    await create(client, layout_doc(title="Other", owner="bo"))
    everything = (await client.get("/api/v1/layouts")).json()["layouts"]
    assert [g["title"] for g in everything] == ["Other", "Traffic", "Sales daily"]
    assert [g["title"] for g in (await client.get("/api/v1/layouts", params={"q": "SALES"})).json()["layouts"]] == [
        "Traffic", "Sales daily"]
    assert [g["title"] for g in (await client.get("/api/v1/layouts", params={"owner": "ana"})).json()["layouts"]] == [
        "Traffic"]
    assert set(everything[0]) >= {"id", "title", "owner", "updated", "parent", "version"}
    page = (await client.get("/api/v1/layouts", params={"limit": 2})).json()
    assert len(page["layouts"]) == 2 and page["next"] == 2


async def test_a_deleted_layout_is_gone_but_recoverable_for_the_grace_period(client, clock):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    assert (await client.delete(url)).status_code == 401
    assert (await client.delete(url, headers=auth(created["editKey"]))).status_code == 204
    gone = await client.get(url)
    assert gone.status_code == 410 and "recoverableUntil" in gone.json()
    assert (await client.get(f"/api/v1/shared/{created['viewUrl'][3:]}")).status_code == 410
    assert created["id"] not in {g["id"] for g in (await client.get("/api/v1/layouts")).json()["layouts"]}
    assert (await client.post(f"{url}/undelete", headers=auth(created["editKey"]))).status_code == 200
    assert (await client.get(url)).json()["version"] == 1
    await client.delete(url, headers=auth(created["editKey"]))
    clock.advance(31 * 86400)
    assert await _purge(client) == 1
    assert (await client.get(url)).status_code == 404


async def _purge(client) -> int:
    import asyncio

    return await asyncio.to_thread(client.app.state.layouts.purge)


async def test_the_json_schema_is_published_and_accepts_what_the_api_accepts(client):
    from jsonschema import Draft202012Validator

    r = await client.get("/api/v1/schema/layout")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    Draft202012Validator.check_schema(r.json())
    validator = Draft202012Validator(r.json())
    assert not list(validator.iter_errors(layout_doc()))
    bad = layout_doc()
    bad["layout"]["root"]["content"][0]["componentType"] = "iframe"
    assert list(validator.iter_errors(bad))


async def test_ids_that_cannot_exist_are_404_before_any_query(client):
    created = await create(client)
    assert (await client.get("/api/v1/layouts/%00abc")).status_code == 404
    assert (await client.get("/api/v1/layouts/" + "x" * 500)).status_code == 404
    r = await client.delete(f"/api/v1/layouts/{created['id']}/links/%00", headers=auth(created["editKey"]))
    assert r.status_code == 404 and r.json()["detail"][0]["loc"] == ["path", "link_id"]


async def test_retention_keeps_only_the_newest_versions_when_configured(database_url, start_app):
    async with start_app(database_url, layout_retention_versions=3) as client:
        created = await create(client)
        url = f"/api/v1/layouts/{created['id']}"
        for n in range(1, 6):
            assert (await client.put(url, json=layout_doc(title=f"t{n}"), headers=auth(created["editKey"], n))).status_code == 200
        versions = (await client.get(f"{url}/versions")).json()["versions"]
        assert [v["number"] for v in versions] == [6, 5, 4]
        assert (await client.get(url, params={"version": 1})).status_code == 404


async def test_a_body_not_declared_as_json_is_415(client):
    import json

    r = await client.post("/api/v1/layouts", content=json.dumps(layout_doc()), headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["detail"][0]["loc"] == ["header", "Content-Type"]


async def test_capability_edges(client, clock):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    key = created["editKey"]
    # restore honours a stale If-Match
    await client.put(url, json=layout_doc(title="two"), headers=auth(key, 1))
    assert (await client.post(f"{url}/restore", json={"version": 1}, headers=auth(key, 1))).status_code == 409
    # an expired edit link can no longer save
    link = (await client.post(f"{url}/links", json={"role": "edit", "expiresIn": 10}, headers=auth(key))).json()
    clock.advance(11)
    r = await client.put(url, json=layout_doc(title="late"), headers=auth(link["token"], 2))
    assert r.status_code == 401 and "expired" in r.json()["detail"][0]["msg"]
    every = (await client.get(f"{url}/links", params={"all": "true"}, headers=auth(key))).json()["links"]
    live = (await client.get(f"{url}/links", headers=auth(key))).json()["links"]
    assert link["id"] in {l["id"] for l in every} and link["id"] not in {l["id"] for l in live}
    # a link for another layout is not a key for this one
    other = await create(client)
    assert (await client.put(f"/api/v1/layouts/{other['id']}", json=layout_doc(), headers=auth(key, 1))).status_code == 401
    # nobody: role none; not a clone: no parent to diff against
    assert (await client.get(f"{url}/access")).json() == {
        "id": created["id"], "role": "none", "canSave": False, "canShare": False, "version": 2,
        "reason": "send the edit key or an edit link's token as Authorization: Bearer …"}
    r = await client.get(f"{url}/diff", params={"against": "parent"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "against"]
    bad = await client.post(f"{url}/links", json={"role": "admin"}, headers=auth(key))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "role"]
    bad = await client.post(f"{url}/links", json={"role": "view", "expiresIn": -5}, headers=auth(key))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "expiresIn"]
    # a deleted layout cannot be cloned
    await client.delete(url, headers=auth(key))
    assert (await client.post(f"{url}/clone", json={})).status_code == 410


async def test_the_get_answer_can_be_saved_back_as_is(client):
    created = await create(client)
    url = f"/api/v1/layouts/{created['id']}"
    answer = (await client.get(url)).json()
    r = await client.put(url, json=answer, headers=auth(created["editKey"], answer["version"]))
    assert r.status_code == 200 and r.json()["unchanged"] is True
    shared = (await client.get(f"/api/v1/shared/{created['viewUrl'][3:]}")).json()
    r = await client.put(url, json={**shared, "title": "edited"}, headers=auth(created["editKey"], 1))
    assert r.status_code == 200 and r.json()["version"] == 2
