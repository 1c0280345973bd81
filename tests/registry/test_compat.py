"""The lab's compatibility routes (routers/compat.py)."""

LAB = {
    "webComponent": {"jsUrl": "http://127.0.0.1:8100/lab/lab.js", "cssUrl": "http://127.0.0.1:8100/lab/lab.css", "componentId": "lab-chart"},
    "label": "Lab chart",
    "tags": ["lab"],
}


async def test_lab_post_registers_and_lists_in_both_shapes(memory_client):
    r = await memory_client.post("/api/v1/registry/lab-chart", json=LAB)
    assert r.status_code == 201
    assert r.json()["webComponent"] == LAB["webComponent"] and "lease_expires_at" in r.json()
    assert (await memory_client.post("/api/v1/registry/lab-chart", json=LAB)).status_code == 200
    [entry] = (await memory_client.get("/api/v1/registry")).json()
    assert entry == {"id": "lab-chart", "label": "Lab chart", "tags": ["lab"], "webComponent": LAB["webComponent"], "status": "live"}
    [item] = (await memory_client.get("/api/v1/widgets")).json()["items"]
    assert (item["element"], item["module"], item["team"], item["version"]) == ("lab-chart", LAB["webComponent"]["jsUrl"], "lab", "0.0.0")


async def test_lab_errors_name_the_lab_fields(memory_client):
    bad = {**LAB, "webComponent": {"jsUrl": "javascript:alert(1)", "cssUrl": None, "componentId": "nohyphen"}}
    r = await memory_client.post("/api/v1/registry/lab-chart", json=bad)
    assert r.status_code == 422
    locs = [d["loc"] for d in r.json()["detail"]]
    assert ["body", "webComponent", "componentId"] in locs and ["body", "webComponent", "jsUrl"] in locs


async def test_lab_post_checks_the_declared_origin(memory_client):
    r = await memory_client.post("/api/v1/registry/lab-chart", json=LAB, headers={"X-Tessera-Origin": "http://127.0.0.1:9999"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "webComponent", "jsUrl"]


async def test_lab_post_with_garbage(memory_client):
    assert (await memory_client.post("/api/v1/registry/x-y", json=[1])).status_code == 422
    assert (await memory_client.post("/api/v1/registry/x-y", json={"webComponent": 3})).status_code == 422
