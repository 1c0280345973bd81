"""Follow the presenter: the relay's fan-out, resume and refusals (domain), and its HTTP
edge against a real dashboard process (SSE read with httpx)."""

from __future__ import annotations

import asyncio
import json

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
