"""Live view links on each store: the server records `live` on the link (it survives a
read from the database), refuses it where it makes no sense, and answers followers of a
link that is not live, revoked or gone with 404/410 naming the field (the stream itself is
tested against a real dashboard in tests/dashboard/test_bus_relay.py)."""

from __future__ import annotations

from .conftest import layout_doc


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_live_is_recorded_on_the_link_and_revoking_it_ends_following(client):
    created = (await client.post("/api/v1/layouts", json=layout_doc())).json()
    links = f"/api/v1/layouts/{created['id']}/links"
    key = auth(created["editKey"])
    made = (await client.post(links, json={"role": "view", "live": True, "viewState": {"x": 1}}, headers=key)).json()
    assert made["live"]["relay"] and made["live"]["publishKey"] and made["viewState"] == {"x": 1, "live": True}
    listed = {link["id"]: link for link in (await client.get(links, headers=key)).json()["links"]}
    assert listed[made["id"]]["live"] is True and "publishKey" not in str(listed)
    shared = (await client.get("/api/v1/shared", headers=auth(made["token"]))).json()
    assert shared["link"]["live"] is True and shared["viewState"]["live"] is True
    # a viewState that claims to be live does not make a link live; an older relay id there is kept
    claimed = (await client.post(links, json={"role": "view", "viewState": {"live": True}}, headers=key)).json()
    assert claimed["live"] is False and claimed["viewState"] is None
    older = (await client.post(links, json={"role": "view", "viewState": {"live": "relay-id"}}, headers=key)).json()
    assert older["live"] is False and older["viewState"] == {"live": "relay-id"}
    for body, field in (({"role": "edit", "live": True}, "live"), ({"role": "view", "live": 1}, "live")):
        answer = await client.post(links, json=body, headers=key)
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", field]
    not_live = await client.get("/api/v1/shared/live", headers=auth(claimed["token"]))
    assert not_live.status_code == 404 and not_live.json()["detail"][0]["loc"] == ["header", "Authorization"]
    assert (await client.get("/api/v1/shared/live")).status_code == 404
    # the presenter (edit key only) reopens; a view link's token cannot
    assert (await client.post(f"{links}/{made['id']}/live", headers=key)).status_code == 201
    assert (await client.post(f"{links}/{made['id']}/live", headers=auth(made["token"]))).status_code == 403
    assert (await client.post(f"{links}/nope/live", headers=key)).status_code == 404
    assert (await client.delete(f"{links}/{made['id']}", headers=key)).status_code == 204
    gone = await client.get("/api/v1/shared/live", headers=auth(made["token"]))
    assert gone.status_code == 410 and gone.json()["detail"][0]["type"] == "gone.revoked"
    assert (await client.post(f"{links}/{made['id']}/live", headers=key)).status_code == 410
