"""Follow the presenter: the relay's fan-out, resume and refusals (domain), and its HTTP
edge against a real dashboard process (SSE read with httpx)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from dashboard.bus_relay import RING, RelayError, RelayHub

MESSAGE = {"topic": "referrer.selected", "payload": {"referrer": "t.co"}, "source": {"windowId": "t", "widgetId": "x"}}


async def take(stream, n: int) -> list:
    got = []
    async for entry in stream:
        got.append(entry)
        if len(got) == n:
            break
    return got


async def test_followers_get_messages_in_order_and_cannot_publish():
    hub = RelayHub()
    relay_id, key = hub.open()
    followers = [hub.follow(relay_id, None) for _ in range(3)]
    tasks = [asyncio.create_task(take(stream, 2)) for stream in followers]
    await asyncio.sleep(0)
    hub.publish(relay_id, key, MESSAGE)
    hub.publish(relay_id, key, {**MESSAGE, "payload": {"referrer": "x.com"}})
    results = await asyncio.wait_for(asyncio.gather(*tasks), 2)
    assert all([seq for seq, _ in got] == [1, 2] for got in results)
    assert results[0][1][1]["payload"] == {"referrer": "x.com"}
    with pytest.raises(RelayError) as caught:
        hub.publish(relay_id, "", MESSAGE)
    assert caught.value.status == 403 and caught.value.field == "authorization"
    with pytest.raises(RelayError) as caught:
        hub.publish(relay_id, key, {"topic": "Not A Topic", "payload": 1})
    assert caught.value.status == 422 and caught.value.field == "body.topic"
    with pytest.raises(RelayError):
        hub.publish("nope", key, MESSAGE)


async def test_resume_with_last_event_id_and_current_values_for_new_or_far_behind_followers():
    hub = RelayHub()
    relay_id, key = hub.open()
    for i in range(5):
        hub.publish(relay_id, key, {**MESSAGE, "payload": {"referrer": f"r{i}"}})
    hub.publish(relay_id, key, {"topic": "site.selected", "payload": {"site": "s"}})
    resumed = await asyncio.wait_for(take(hub.follow(relay_id, 3), 3), 2)
    assert [seq for seq, _ in resumed] == [4, 5, 6]
    fresh = await asyncio.wait_for(take(hub.follow(relay_id, None), 2), 2)
    assert [(m["topic"], m["payload"]) for _, m in fresh] == [("referrer.selected", {"referrer": "r4"}),
                                                               ("site.selected", {"site": "s"})]
    for i in range(RING + 10):
        hub.publish(relay_id, key, {**MESSAGE, "payload": {"referrer": f"z{i}"}})
    behind = await asyncio.wait_for(take(hub.follow(relay_id, 2), 2), 2)
    assert [m["topic"] for _, m in behind] == ["site.selected", "referrer.selected"]


@pytest.mark.integration
def test_the_http_edge_streams_resumes_and_refuses_naming_the_field(dashboard):
    base = dashboard.url
    opened = httpx.post(f"{base}/api/v1/live", timeout=5)
    assert opened.status_code == 201
    relay = opened.json()
    url = f"{base}/api/v1/live/{relay['id']}"
    key = {"Authorization": f"Bearer {relay['publishKey']}"}
    # a follower holds only the id: it cannot publish
    answer = httpx.post(f"{url}/messages", json=MESSAGE, timeout=5)
    assert answer.status_code == 403 and answer.json()["detail"][0]["loc"] == ["header", "authorization"]
    bad = httpx.post(f"{url}/messages", json={**MESSAGE, "topic": 5}, headers=key, timeout=5)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "topic"]
    deep = httpx.post(f"{url}/messages", content=b"[" * 100 + b"]" * 100, headers=key, timeout=5)
    assert deep.status_code == 422
    assert httpx.get(f"{base}/api/v1/live/unknown/events", timeout=5).status_code == 404
    for referrer in ("a.com", "b.com", "c.com"):
        assert httpx.post(f"{url}/messages", json={**MESSAGE, "payload": {"referrer": referrer}}, headers=key,
                          timeout=5).status_code == 202

    def read(headers: dict, n: int) -> list[tuple[str, dict]]:
        events, current = [], {}
        with httpx.stream("GET", f"{url}/events", headers=headers, timeout=5) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line.startswith("id:"):
                    current["id"] = line[3:].strip()
                elif line.startswith("data:"):
                    events.append((current.get("id"), json.loads(line[5:])))
                    if len(events) == n:
                        return events
        return events

    assert [(i, m["payload"]["referrer"]) for i, m in read({"Last-Event-ID": "1"}, 2)] == [("2", "b.com"), ("3", "c.com")]
    assert [m["payload"]["referrer"] for _, m in read({}, 1)] == ["c.com"]  # a new follower: the current value
    assert httpx.delete(url, headers=key, timeout=5).status_code == 204
    assert httpx.get(f"{url}/events", timeout=5).status_code == 404


async def test_a_relay_that_belongs_to_a_link_is_not_followed_by_id_and_ends_with_the_link():
    hub = RelayHub()
    relay_id, key = hub.open("link1")
    with pytest.raises(RelayError) as caught:
        hub.public(relay_id)
    assert caught.value.status == 403
    assert hub.for_link("link1").id == relay_id
    # a presenter who reloaded takes the relay over: same relay, a new key, the old one refused
    again, new_key = hub.open("link1")
    assert again == relay_id and new_key != key
    with pytest.raises(RelayError):
        hub.publish(relay_id, key, MESSAGE)
    hub.publish(relay_id, new_key, MESSAGE)
    stream = hub.follow(relay_id, None)
    assert (await asyncio.wait_for(anext(stream), 2))[1]["payload"] == MESSAGE["payload"]
    waiting = asyncio.create_task(take(stream, 1))
    await asyncio.sleep(0)
    assert hub.close_link("link1") and not hub.close_link("link1")
    assert await asyncio.wait_for(waiting, 2) == []  # the follower's stream ended
    with pytest.raises(RelayError) as caught:
        hub.for_link("link1")
    assert caught.value.status == 404


async def test_a_follower_too_slow_to_keep_up_is_ended_not_left_hanging():
    from dashboard.bus_relay import QUEUE
    hub = RelayHub()
    relay_id, key = hub.open()
    stream = hub.follow(relay_id, None)
    hub.publish(relay_id, key, MESSAGE)
    await asyncio.wait_for(anext(stream), 2)  # registered, then it stops reading
    for _ in range(QUEUE + 1):
        hub.publish(relay_id, key, MESSAGE)
    got = await asyncio.wait_for(take(stream, QUEUE + 5), 2)
    assert QUEUE - 2 <= len(got) < QUEUE + 1  # what was queued, then the end (it resumes with Last-Event-ID)


def sse(url: str, headers: dict, n: int, lines: list | None = None) -> list[tuple[str, dict]]:
    """Read ``n`` message events (or until the stream ends); ``lines`` collects what arrived."""
    events, current = [], {}
    with httpx.stream("GET", url, headers=headers, timeout=10) as stream:
        assert stream.status_code == 200, stream.read()
        for line in stream.iter_lines():
            if lines is not None:
                lines.append(line)
            if line.startswith("id:"):
                current["id"] = line[3:].strip()
            elif line.startswith("data:"):
                events.append((current.get("id"), json.loads(line[5:])))
                if len(events) == n:
                    return events
    return events


@pytest.mark.integration
def test_a_live_view_link_owns_its_relay_followers_need_its_token_and_revoking_ends_it(dashboard):
    import threading

    base = dashboard.url
    created = httpx.post(f"{base}/api/v1/layouts", timeout=10, json={"title": "Live", "layout": {"root": {
        "type": "row", "content": [{"type": "component", "componentType": "tessera-widget",
                                    "componentState": {"widgetId": "x", "windowId": "t"}}]}}}).json()
    owner = {"Authorization": f"Bearer {created['editKey']}"}
    links = f"{base}/api/v1/layouts/{created['id']}/links"
    refused = httpx.post(links, json={"role": "edit", "live": True}, headers=owner, timeout=5)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "live"]
    assert httpx.post(links, json={"role": "view", "live": "yes"}, headers=owner, timeout=5).status_code == 422
    plain = httpx.post(links, json={"role": "view", "viewState": {"live": True}}, headers=owner, timeout=5).json()
    assert plain["live"] is False and "live" not in (plain["viewState"] or {})  # only the server makes a link live
    made = httpx.post(links, json={"role": "view", "live": True, "viewState": {"theme": "dark"}}, headers=owner,
                      timeout=5).json()
    assert made["live"] is not False and made["viewState"] == {"theme": "dark", "live": True}
    relay, key = made["live"]["relay"], {"Authorization": f"Bearer {made['live']['publishKey']}"}
    follower = {"Authorization": f"Bearer {made['token']}"}
    listed = httpx.get(links, headers=owner, timeout=5).json()["links"]
    assert [link["live"] for link in listed if link["id"] == made["id"]] == [True]
    # the relay id alone does not let anyone follow; the token does (and it cannot publish)
    assert httpx.get(f"{base}/api/v1/live/{relay}/events", timeout=5).status_code == 403
    assert httpx.post(f"{base}/api/v1/live/{relay}/messages", json=MESSAGE, headers=follower, timeout=5).status_code == 403
    for referrer in ("a.com", "b.com"):
        assert httpx.post(f"{base}/api/v1/live/{relay}/messages", json={**MESSAGE, "payload": {"referrer": referrer}},
                          headers=key, timeout=5).status_code == 202
    live = f"{base}/api/v1/shared/live"
    assert [m["payload"]["referrer"] for _, m in sse(live, follower, 1)] == ["b.com"]
    assert sse(live, {**follower, "Last-Event-ID": "1"}, 1)[0][0] == "2"
    assert httpx.get(live, timeout=5).status_code == 404  # no token
    not_live = httpx.get(live, headers={"Authorization": f"Bearer {plain['token']}"}, timeout=5)
    assert not_live.status_code == 404 and not_live.json()["detail"][0]["loc"] == ["header", "Authorization"]
    # a presenter who reloaded reopens it with the edit key: same relay, a new publish key
    reopened = httpx.post(f"{links}/{made['id']}/live", headers=owner, timeout=5)
    assert reopened.status_code == 201 and reopened.json()["relay"] == relay
    assert httpx.post(f"{base}/api/v1/live/{relay}/messages", json=MESSAGE, headers=key, timeout=5).status_code == 403
    assert httpx.post(f"{links}/{made['id']}/live", headers=follower, timeout=5).status_code in (401, 403)
    assert httpx.post(f"{links}/{plain['id']}/live", headers=owner, timeout=5).status_code == 422
    # a follower is streaming when the owner revokes the link: its stream ends, and it cannot come back
    lines: list = []
    reader = threading.Thread(target=lambda: sse(live, follower, 99, lines))
    reader.start()
    deadline = time.monotonic() + 5
    while not any(line.startswith("data:") for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert httpx.delete(f"{links}/{made['id']}", headers=owner, timeout=5).status_code == 204
    reader.join(5)
    assert not reader.is_alive()
    gone = httpx.get(live, headers=follower, timeout=5)
    assert gone.status_code == 410 and gone.json()["detail"][0]["type"] == "gone.revoked"
    assert httpx.post(f"{base}/api/v1/live/{relay}/messages", json=MESSAGE, headers=key, timeout=5).status_code == 404
    assert httpx.post(f"{links}/{made['id']}/live", headers=owner, timeout=5).status_code == 410
    # deleting the layout ends the relays of its live links too
    second = httpx.post(links, json={"role": "view", "live": True}, headers=owner, timeout=5).json()
    assert httpx.delete(f"{base}/api/v1/layouts/{created['id']}", headers=owner, timeout=5).status_code == 204
    assert httpx.post(f"{base}/api/v1/live/{second['live']['relay']}/messages", json=MESSAGE,
                      headers={"Authorization": f"Bearer {second['live']['publishKey']}"}, timeout=5).status_code == 404


async def test_a_follow_given_seconds_ends_then_as_an_expiring_link_does():
    hub = RelayHub()
    relay_id, key = hub.open("link")
    hub.publish(relay_id, key, MESSAGE)
    started = asyncio.get_running_loop().time()
    got = await asyncio.wait_for(take(hub.follow(relay_id, None, 0.2), 5), 2)
    assert len(got) == 1 and 0.15 < asyncio.get_running_loop().time() - started < 1.5


@pytest.mark.integration
def test_a_live_links_stream_ends_when_the_link_expires(dashboard):
    base = dashboard.url
    created = httpx.post(f"{base}/api/v1/layouts", timeout=10, json={"title": "Live", "layout": {"root": {
        "type": "row", "content": [{"type": "component", "componentType": "tessera-widget",
                                    "componentState": {"widgetId": "x", "windowId": "t"}}]}}}).json()
    made = httpx.post(f"{base}/api/v1/layouts/{created['id']}/links", json={"role": "view", "live": True, "expiresIn": 2},
                      headers={"Authorization": f"Bearer {created['editKey']}"}, timeout=5).json()
    key = {"Authorization": f"Bearer {made['live']['publishKey']}"}
    assert httpx.post(f"{base}{made['live']['messagesUrl']}", json=MESSAGE, headers=key, timeout=5).status_code == 202
    started = time.monotonic()
    got = sse(f"{base}/api/v1/shared/live", {"Authorization": f"Bearer {made['token']}"}, 99)
    assert len(got) == 1 and time.monotonic() - started < 8  # the current value, then the end at expiry
    assert httpx.get(f"{base}/api/v1/shared/live", headers={"Authorization": f"Bearer {made['token']}"},
                     timeout=5).status_code == 410
