"""Who may change what runs in the dashboard (docs/security.md), over HTTP.

Tokens are required by default; an id belongs to the team that registered it (also in
open mode, and for a reservation period after it is removed); a heartbeat keeps alive only
the manifest it names; writes take application/json only; no credentialed CORS.
"""

import json

import pytest

from registry.service_layer.tokens import create_token
from registry.settings import RegistrySettings

HOST = {"X-Tessera-Origin": "http://127.0.0.1:8100"}
URL = "/api/v1/widgets/page-views"


@pytest.fixture
async def secured(clock, start_app):
    """The registry with its default settings (tokens required) and two teams' tokens."""
    async with start_app(RegistrySettings(database_url="memory://", reservation_seconds=3600), clock) as c:
        store = c.app.state.services.tokens
        _, mine = create_token(store, "web-analytics", clock())
        _, theirs = create_token(store, "seo", clock())
        c.mine = {"Authorization": f"Bearer {mine}", **HOST}
        c.theirs = {"Authorization": f"Bearer {theirs}", **HOST}
        yield c


@pytest.fixture(params=["tokens", "open"])
async def either_mode(request, clock, start_app):
    """Both modes: with tokens (two teams) and open (the claimed team is believed)."""
    tokens = request.param == "tokens"
    settings = RegistrySettings(database_url="memory://", require_tokens=tokens, reservation_seconds=3600)
    async with start_app(settings, clock) as c:
        c.mine = c.theirs = HOST
        if tokens:
            store = c.app.state.services.tokens
            c.mine = {"Authorization": f"Bearer {create_token(store, 'web-analytics', clock())[1]}", **HOST}
            c.theirs = {"Authorization": f"Bearer {create_token(store, 'seo', clock())[1]}", **HOST}
        yield c


@pytest.fixture
async def open_mode(clock, start_app):
    settings = RegistrySettings(database_url="memory://", require_tokens=False, reservation_seconds=3600)
    async with start_app(settings, clock) as c:
        yield c


def test_tokens_are_required_by_default(monkeypatch):
    monkeypatch.delenv("TESSERA_REGISTRY_REQUIRE_TOKENS", raising=False)
    assert RegistrySettings().require_tokens is True


async def test_without_a_token_no_write_route_changes_anything(secured, make_manifest):
    assert (await secured.put(URL, json=make_manifest(), headers=secured.mine)).status_code == 201
    swapped = make_manifest(module="http://127.0.0.1:8100/evil.js")
    assert (await secured.put(URL, json=swapped, headers=HOST)).status_code == 401
    lab = {"webComponent": {"jsUrl": "http://127.0.0.1:8100/evil.js", "componentId": "tessera-page-views"},
           "label": "Page views", "team": "web-analytics"}
    assert (await secured.post("/api/v1/registry/page-views", json=lab, headers=HOST)).status_code == 401
    assert (await secured.delete(URL)).status_code == 401
    assert (await secured.get(URL)).json()["module"] == "http://127.0.0.1:8100/page-views/dist/page-views.js"


async def test_delete_then_put_by_another_team_is_403_until_the_reservation_ends(either_mode, clock, make_manifest):
    c, mine, theirs = either_mode, either_mode.mine, either_mode.theirs
    assert (await c.put(URL, json=make_manifest(), headers=mine)).status_code == 201
    takeover = make_manifest(team="seo", element="seo-page-views", module="http://127.0.0.1:8100/evil.js")
    r = await c.put(URL, json=takeover, headers=theirs)
    assert r.status_code == 403 and r.json()["detail"][0]["loc"] == ["path", "id"]
    assert (await c.delete(URL, headers=mine)).status_code == 204
    r = await c.put(URL, json=takeover, headers=theirs)
    assert r.status_code == 403 and "reserved until" in r.json()["detail"][0]["msg"]
    clock.advance(3599)
    assert (await c.put(URL, json=takeover, headers=theirs)).status_code == 403
    clock.advance(2)
    r = await c.put(URL, json=takeover, headers=theirs)
    assert r.status_code == 201
    item = (await c.get(URL)).json()
    assert item["team"] == "seo" and [v["version"] for v in item["versions"]] == ["0.1.0"]


async def test_an_expired_id_stays_reserved_too(open_mode, clock, make_manifest):
    assert (await open_mode.put(URL, json=make_manifest(ttl=5), headers=HOST)).status_code == 201
    clock.advance(5 + 30 + 1)  # ttl, grace: gone
    takeover = make_manifest(team="seo", element="seo-page-views")
    assert (await open_mode.put(URL, json=takeover, headers=HOST)).status_code == 403


async def test_another_teams_heartbeat_and_delete_are_403(secured, make_manifest):
    put = await secured.put(URL, json=make_manifest(), headers=secured.mine)
    etag = {"If-Match": put.headers["etag"]}
    assert (await secured.post(URL + "/heartbeat", headers={**secured.theirs, **etag})).status_code == 403
    assert (await secured.delete(URL, headers=secured.theirs)).status_code == 403


async def test_a_heartbeat_keeps_alive_only_the_manifest_it_names(open_mode, clock, make_manifest):
    """The issue's attack: a swapped manifest used to be kept alive by the real sidecar's heartbeats."""
    put = await open_mode.put(URL, json=make_manifest(), headers=HOST)
    sidecar = {"If-Match": put.headers["etag"]}
    swapped = make_manifest(module="http://127.0.0.1:8100/evil.js")
    assert (await open_mode.put(URL, json=swapped, headers=HOST)).status_code == 200
    for _ in range(6):
        clock.advance(3)
        r = await open_mode.post(URL + "/heartbeat", headers=sidecar)
        assert r.status_code == 412 and r.json()["detail"][0]["loc"] == ["header", "if-match"]
    item = (await open_mode.get(URL)).json()
    assert item["module"].endswith("/evil.js") and item["status"] == "stale"  # not renewed: it dies
    assert (await open_mode.post(URL + "/heartbeat")).status_code == 428


async def test_the_etag_names_the_manifest(open_mode, make_manifest):
    first = await open_mode.put(URL, json=make_manifest(), headers=HOST)
    again = await open_mode.put(URL, json=make_manifest(), headers=HOST)
    other = await open_mode.put(URL, json=make_manifest(label="Other"), headers=HOST)
    assert first.headers["etag"] == again.headers["etag"] != other.headers["etag"]
    assert (await open_mode.get(URL)).headers["etag"] == other.headers["etag"]
    assert first.json()["etag"] == first.headers["etag"].strip('"')


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
async def test_writes_take_json_only(open_mode, make_manifest, content_type):
    headers = {**HOST, **({"Content-Type": content_type} if content_type else {})}
    body = json.dumps(make_manifest()).encode()
    for method, url in (("PUT", URL), ("POST", "/api/v1/registry/page-views")):
        r = await open_mode.request(method, url, content=body, headers=headers)
        assert r.status_code == 415, (method, r.text)
        assert r.json()["detail"][0]["loc"] == ["header", "content-type"]
    put = await open_mode.put(URL, json=make_manifest(), headers=HOST)
    if content_type:
        r = await open_mode.post(URL + "/heartbeat", content=b"x=1", headers={"If-Match": put.headers["etag"], "Content-Type": content_type})
        assert r.status_code == 415


async def test_json_with_a_charset_is_json(open_mode, make_manifest):
    r = await open_mode.put(URL, content=json.dumps(make_manifest()), headers={**HOST, "Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201


async def test_no_credentialed_cross_origin_writes(open_mode, make_manifest):
    preflight = await open_mode.options(URL, headers={
        "Origin": "http://evil.test", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-credentials" not in preflight.headers
    r = await open_mode.put(URL, json=make_manifest(), headers={**HOST, "Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in r.headers and "access-control-allow-credentials" not in r.headers


@pytest.mark.parametrize("route", [URL, "/api/v1/registry/page-views"])
async def test_deeply_nested_bodies_are_422_naming_the_body(open_mode, make_manifest, route):
    doc = make_manifest()
    doc["extra"] = json.loads("[" * 100 + "]" * 100)
    r = await open_mode.request("PUT" if route == URL else "POST", route, json=doc, headers=HOST)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"] and "deeper" in r.json()["detail"][0]["msg"]
    r = await open_mode.put(URL, content=b"[" * 100_000, headers={**HOST, "Content-Type": "application/json"})
    assert r.status_code in (413, 422)


@pytest.mark.parametrize("element", ["tessera-widget-frame", "tessera-catalogue"])
async def test_the_shells_elements_are_refused(secured, make_manifest, element):
    r = await secured.put(URL, json=make_manifest(element=element), headers=secured.mine)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "element"]


async def test_tessera_names_are_the_platforms(secured, make_manifest):
    doc = make_manifest(id="seo-tool", team="seo", element="tessera-seo-tool")
    r = await secured.put("/api/v1/widgets/seo-tool", json=doc, headers=secured.theirs)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "element"]


async def test_style_attribute_defaults_are_refused(secured, make_manifest):
    overlay = {"type": "object", "properties": {"style": {"type": "string", "default": "position:fixed;inset:0;z-index:9999"}}}
    r = await secured.put(URL, json=make_manifest(attributes=overlay), headers=secured.mine)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "attributes", "properties", "style"]
