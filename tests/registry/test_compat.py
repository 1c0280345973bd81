"""The lab's compatibility routes (routers/compat.py), against the lab's real bodies.

tests/registry/fixtures/lab/ holds the ``BODY`` each of the lab's sidecars sent, copied
from the lab's repositories (README.md there says where from and what the lab expects).
"""

import json
import re
from pathlib import Path

import pytest

from registry.service_layer.tokens import create_token
from registry.settings import RegistrySettings

FIXTURES = Path(__file__).parent / "fixtures" / "lab"
LAB_BODIES = sorted(p for p in FIXTURES.glob("*.json") if not p.name.endswith(".expected.json"))
LAB_ENTRY = json.loads((FIXTURES / "listing-entry.expected.json").read_text())["entry"]
JSON = {"Content-Type": "application/json"}
# The lab's hosts are on the operator's allow-list: its client test serves CSS from a second host.
LAB_ORIGINS = "http://kind-test-widget-web.data-mesh,http://pinot-component-web.data-mesh,http://my-widget-web.data-mesh," \
    "http://test-sidecar.data-mesh:8080,http://test-sidecar-web.data-mesh:8080"
ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def lab_env(path: Path) -> dict:
    return json.loads(path.read_text())["env"]


@pytest.fixture
async def lab(clock, start_app):
    """A registry with make up's defaults (tokens required) and the lab's hosts allow-listed."""
    settings = RegistrySettings(database_url="memory://", allowed_origins=LAB_ORIGINS)
    async with start_app(settings, clock) as c:
        _, secret = create_token(c.app.state.services.tokens, "lab", clock())
        c.mine = {"Authorization": f"Bearer {secret}", **JSON}
        yield c


@pytest.mark.parametrize("fixture", LAB_BODIES, ids=lambda p: p.stem)
async def test_each_real_lab_body_registers_with_200_and_lists_in_the_labs_shape(lab, clock, fixture):
    env = lab_env(fixture)
    url = f"/api/v1/registry/{env['ID']}"
    r = await lab.post(url, content=env["BODY"], headers=lab.mine)
    assert r.status_code == 200, r.text
    sent = json.loads(env["BODY"])
    echoed = r.json()
    assert {k: echoed[k] for k in ("webComponent", "label", "tags")} == sent
    clock.advance(3)
    assert (await lab.post(url, content=env["BODY"], headers=lab.mine)).status_code == 200  # the lab's heartbeat
    [entry] = (await lab.get("/api/v1/registry")).json()
    assert set(entry) == {"id", "service", "lastUpdated"}
    assert entry["id"] == env["ID"] and entry["service"] == sent
    assert ISO_INSTANT.match(entry["lastUpdated"]) and entry["lastUpdated"].startswith("2026-11-22T10:00:03")
    one = await lab.get(url)
    assert one.status_code == 200 and one.json() == entry


async def test_the_listing_entry_is_the_one_the_lab_dashboard_reads(lab):
    env = lab_env(FIXTURES / "kind-test-widget.json")
    assert (await lab.post(f"/api/v1/registry/{env['ID']}", content=env["BODY"], headers=lab.mine)).status_code == 200
    [entry] = (await lab.get("/api/v1/registry")).json()
    assert {**entry, "lastUpdated": LAB_ENTRY["lastUpdated"]} == LAB_ENTRY


async def test_the_lab_markup_becomes_element_and_attribute_defaults(lab):
    env = lab_env(FIXTURES / "kind-test-widget.json")
    assert (await lab.post("/api/v1/registry/kind-test-widget-web", content=env["BODY"], headers=lab.mine)).status_code == 200
    item = (await lab.get("/api/v1/widgets/kind-test-widget-web")).json()
    assert item["element"] == "kind-test-widget" and item["team"] == "lab"
    assert item["attributes"]["properties"] == {"param_one": {"type": "string", "default": "some param"}}
    assert item["tags"] == ["props:param_one"]
    assert item["module"] == "http://kind-test-widget-web.data-mesh/bundle.js"


async def test_unknown_entry_is_404(lab):
    r = await lab.get("/api/v1/registry/nobody")
    assert r.status_code == 404 and r.json()["detail"][0]["loc"] == ["path", "id"]


async def test_the_lab_clients_own_text_plain_post_is_refused(lab):
    """The lab's Scala client posts BODY as text/plain — the very request a cross-site
    form can forge — so it gets 415; Tessera's sidecar in lab mode sends JSON."""
    env = lab_env(FIXTURES / "kind-test-widget.json")
    r = await lab.post(f"/api/v1/registry/{env['ID']}", content=env["BODY"], headers={**lab.mine, "Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["detail"][0]["loc"] == ["header", "content-type"]
    assert (await lab.get("/api/v1/registry")).json() == []


async def test_lab_writes_need_a_token_and_the_owning_team(lab, clock):
    env = lab_env(FIXTURES / "kind-test-widget.json")
    url = f"/api/v1/registry/{env['ID']}"
    assert (await lab.post(url, content=env["BODY"], headers=JSON)).status_code == 401
    assert (await lab.post(url, content=env["BODY"], headers=lab.mine)).status_code == 200
    _, other = create_token(lab.app.state.services.tokens, "intruders", clock())
    r = await lab.post(url, content=env["BODY"], headers={"Authorization": f"Bearer {other}", **JSON})
    assert r.status_code == 403
    evil = json.loads(env["BODY"])
    evil["team"] = "lab"
    r = await lab.post(url, json=evil, headers={"Authorization": f"Bearer {other}"})
    assert r.status_code == 403 and r.json()["detail"][0]["loc"] == ["body", "team"]


@pytest.mark.parametrize(
    ("component_id", "why"),
    [
        ('<img src="x" onerror="alert(1)">', "event-handler"),
        ('<img src="x">', "custom element"),
        ('<kind-test-widget onclick="alert(1)"></kind-test-widget>', "event-handler"),
        ('<kind-test-widget style="position:fixed;inset:0"></kind-test-widget>', "reserved"),
        ('<kind-test-widget slot="x"></kind-test-widget>', "reserved"),
        ("<kind-test-widget param_one=bare></kind-test-widget>", "quoted"),
        ('<kind-test-widget></kind-test-widget><script>alert(1)</script>', "after the element"),
        ('<kind-test-widget><b>child</b></kind-test-widget>', "no content"),
        ('<tessera-widget-frame></tessera-widget-frame>', "shell"),
    ],
)
async def test_unsafe_markup_is_422_naming_component_id(lab, component_id, why):
    body = json.loads(lab_env(FIXTURES / "kind-test-widget.json")["BODY"])
    body["webComponent"]["componentId"] = component_id
    r = await lab.post("/api/v1/registry/kind-test-widget-web", json=body, headers=lab.mine)
    assert r.status_code == 422, r.text
    [problem] = r.json()["detail"]
    assert problem["loc"] == ["body", "webComponent", "componentId"] and why in problem["msg"]


async def test_tag_map_values_must_be_strings(lab):
    body = json.loads(lab_env(FIXTURES / "kind-test-widget.json")["BODY"])
    body["tags"] = {"env": 3}
    r = await lab.post("/api/v1/registry/kind-test-widget-web", json=body, headers=lab.mine)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "tags", "env"]


async def test_lab_errors_name_the_lab_fields(lab):
    bad = {"webComponent": {"jsUrl": "javascript:alert(1)", "cssUrl": None, "componentId": "nohyphen"}, "label": "x"}
    r = await lab.post("/api/v1/registry/lab-chart", json=bad, headers=lab.mine)
    assert r.status_code == 422
    locs = [d["loc"] for d in r.json()["detail"]]
    assert ["body", "webComponent", "componentId"] in locs and ["body", "webComponent", "jsUrl"] in locs


async def test_lab_post_checks_the_declared_origin(lab):
    body = json.loads(lab_env(FIXTURES / "kind-test-widget.json")["BODY"])
    r = await lab.post("/api/v1/registry/kind-test-widget-web", json=body, headers={**lab.mine, "X-Tessera-Origin": "http://127.0.0.1:9999"})
    assert r.status_code == 422


async def test_lab_post_with_garbage(lab):
    assert (await lab.post("/api/v1/registry/x-y", json=[1], headers=lab.mine)).status_code == 422
    assert (await lab.post("/api/v1/registry/x-y", json={"webComponent": 3}, headers=lab.mine)).status_code == 422


async def test_a_tessera_widget_lists_in_the_labs_shape(memory_client, make_manifest):
    await memory_client.put("/api/v1/widgets/page-views", json=make_manifest(), headers={"X-Tessera-Origin": "http://127.0.0.1:8100"})
    [entry] = (await memory_client.get("/api/v1/registry")).json()
    assert entry["service"]["webComponent"] == {
        "jsUrl": "http://127.0.0.1:8100/page-views/dist/page-views.js",
        "cssUrl": None,
        "componentId": '<tessera-page-views site="demo.local"></tessera-page-views>',
    }
