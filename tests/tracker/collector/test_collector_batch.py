"""POST /api/v1/events and the drop-in Plausible and Snowplow endpoints."""

import base64
import json
import uuid


async def test_batch_reports_per_event(collector):
    own_id = str(uuid.uuid4())
    response = await collector.http.post("/api/v1/events", json=[
        {"site": "demo.local", "url": "https://demo.local/a", "event_id": own_id},
        {"url": "https://demo.local/b"},
        {"site": "demo.local", "url": "ftp://demo.local/"},
        {"site": "demo.local", "name": "signup", "props": {"plan": "pro", "seats": 3}},
    ])
    report = response.json()
    assert response.status_code == 207
    assert (report["accepted"], report["rejected"]) == (2, 2)
    assert [r["status"] for r in report["results"]] == ["accepted", "rejected", "rejected", "accepted"]
    assert report["results"][0]["event_id"] == own_id
    assert report["results"][1]["error"] == "missing site"
    events = await collector.events()
    assert {e["event_id"] for e in events} == {report["results"][0]["event_id"], report["results"][3]["event_id"]}
    assert next(e for e in events if e["name"] == "signup")["props"] == {"plan": "pro", "seats": "3"}
    assert len(await collector.dead()) == 2


async def test_batch_envelope_and_all_accepted_is_200(collector):
    response = await collector.http.post("/api/v1/events", json={"events": [{"site": "s.example"}]})
    assert response.status_code == 200 and response.json()["accepted"] == 1


async def test_batch_with_wrongly_typed_event_rejects_only_that_one(collector):
    response = await collector.http.post("/api/v1/events", content=json.dumps(
        [{"site": "s.example"}, {"site": 5}, "nope", {"site": "s.example", "props": {"a": [1]}}]))
    report = response.json()
    assert [r["status"] for r in report["results"]] == ["accepted", "rejected", "rejected", "rejected"]
    assert "invalid event" in report["results"][1]["error"]
    assert len(await collector.dead()) == 3


async def test_batch_event_with_invalid_utf8_is_rejected_alone(collector):
    body = b'[{"site": "s.example", "url": "https://s.example/ok"}, {"site": "s.example", "title": "\xed\xa0\x80"}]'
    response = await collector.http.post("/api/v1/events", content=body)
    report = response.json()
    assert response.status_code == 207
    assert [r["status"] for r in report["results"]] == ["accepted", "rejected"]
    assert "utf-8" in report["results"][1]["error"]
    assert [e["path"] for e in await collector.events()] == ["/ok"]
    (letter,) = await collector.dead()
    assert "\ufffd" in letter["raw"]  # kept, with the bad bytes replaced


async def test_batch_not_json_is_400_with_a_message(collector):
    response = await collector.http.post("/api/v1/events", content=b"site=x")
    assert response.status_code == 400 and "not JSON" in response.json()["detail"]
    response = await collector.http.post("/api/v1/events", json={"foo": 1})
    assert response.status_code == 400


async def test_batch_too_large_is_413(make_collector):
    c = await make_collector(max_batch_bytes=1000)
    response = await c.http.post("/api/v1/events", json=[{"site": "s.example", "title": "x" * 2000}])
    assert response.status_code == 413


async def test_batch_ip_override_is_hashed_never_stored(collector):
    await collector.http.post("/api/v1/events", json=[
        {"site": "s.example", "ip": "198.51.100.1", "user_agent": "ua"},
        {"site": "s.example", "ip": "198.51.100.2", "user_agent": "ua"},
        {"site": "", "ip": "198.51.100.3"}])
    events = await collector.events()
    assert len({e["visitor"] for e in events}) == 2
    everything = json.dumps(events + await collector.dead())
    assert "198.51.100" not in everything


async def test_plausible_event_as_its_script_sends_it(collector):
    body = json.dumps({"n": "pageview", "u": "https://demo.local/p?utm_source=x", "d": "demo.local",
                       "r": "https://news.ycombinator.com/", "w": 1280, "h": 0, "p": json.dumps({"author": "ann"})})
    response = await collector.http.post("/api/event", content=body, headers={"content-type": "text/plain"})
    assert response.status_code == 202 and response.text == "ok"
    (event,) = await collector.events()
    assert (event["site"], event["path"], event["referrer_host"], event["utm_source"]) == \
        ("demo.local", "/p", "news.ycombinator.com", "x")
    assert event["props"] == {"author": "ann"}


async def test_plausible_rollup_to_several_sites(collector):
    await collector.http.post("/api/event", content=json.dumps({"n": "pageview", "u": "https://a.example/",
                                                                 "d": "a.example,b.example"}))
    assert sorted(e["site"] for e in await collector.events()) == ["a.example", "b.example"]


async def test_plausible_bad_body_is_400(collector):
    response = await collector.http.post("/api/event", content=b"{nope")
    assert response.status_code == 400


async def test_snowplow_pixel(collector):
    eid = str(uuid.uuid4())
    response = await collector.http.get("/i", params={
        "e": "pv", "url": "https://shop.example/cart", "refr": "https://www.bing.com/", "page": "Cart",
        "aid": "shop.example", "eid": eid, "p": "web", "tv": "js-4.0.0", "duid": "tracker-cookie-id-9f3k"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/gif"
    (event,) = await collector.events()
    assert (event["site"], event["name"], event["title"]) == ("shop.example", "pageview", "Cart")
    assert event["event_id"] == eid
    assert event["referrer_host"] == "bing.com" and event["props"] == {"platform": "web"}
    assert "tracker-cookie-id-9f3k" not in json.dumps(event)  # the tracker's cookie id is not used


async def test_snowplow_structured_and_unstructured_events(collector):
    ue = {"schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
          "data": {"schema": "iglu:com.acme/button_click/jsonschema/1-0-0", "data": {"id": "buy"}}}
    payload = {"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data": [
        {"e": "se", "se_ca": "video", "se_ac": "play", "aid": "shop.example", "url": "https://shop.example/v"},
        {"e": "ue", "ue_px": base64.urlsafe_b64encode(json.dumps(ue).encode()).decode().rstrip("="),
         "aid": "shop.example", "url": "https://shop.example/v"},
    ]}
    response = await collector.http.post("/com.snowplowanalytics.snowplow/tp2", json=payload)
    assert response.status_code == 200
    events = {e["name"]: e for e in await collector.events()}
    assert events["play"]["props"]["category"] == "video"
    assert events["button_click"]["props"] == {"id": "buy"}


async def test_cors_preflight_echoes_origin_with_credentials(collector):
    response = await collector.http.options("/com.snowplowanalytics.snowplow/tp2", headers={
        "origin": "https://shop.example", "access-control-request-method": "POST",
        "access-control-request-headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    post = await collector.http.post("/api/v1/events", json=[{"site": "s.example"}],
                                     headers={"origin": "https://shop.example"})
    assert post.headers["access-control-allow-origin"] == "https://shop.example"


async def test_cors_allow_list(make_collector):
    c = await make_collector(cors_origins="https://ok.example")
    bad = await c.http.post("/api/v1/events", json=[], headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in bad.headers


async def test_batch_that_neither_stream_nor_spill_takes_is_503(collector):
    collector.log.available = False

    def full_disk(batches):
        raise OSError(28, "No space left on device")

    collector.app.committer.spill.append = full_disk
    response = await collector.http.post("/api/v1/events", json=[{"site": "s.example"}])
    assert response.status_code == 503 and "retry" in response.json()["detail"]
    assert collector.app.counters.lost == 1


async def test_pixel_and_batch_agree_on_the_visitor(collector):
    ua = "Mozilla/5.0 (X11; Linux x86_64) Tessera/1.0"
    await collector.http.get("/t.gif", params={"site": "Demo.Local", "url": "https://demo.local/"},
                             headers={"user-agent": ua})
    await collector.http.post("/api/v1/events", json=[
        {"site": "demo.local", "url": "https://demo.local/b", "ip": "203.0.113.7", "user_agent": ua}])
    pixel, batch = await collector.events()
    assert pixel["visitor"] == batch["visitor"] and len(pixel["visitor"]) == 16


async def test_batch_times_props_and_rejections(collector):
    sent = 1_700_000_000_123  # ms, outside the skew window: the server's time wins
    response = await collector.http.post("/api/v1/events", json=[
        {"site": "demo.local", "url": "https://demo.local/a", "ts": sent, "props": {"n": 1, "ok": True}},
        {"site": "demo.local", "url": "https://demo.local/a", "props": {"x": "y" * 2000}},
        {"site": "demo.local", "url": "https://demo.local/a", "props": {"n": 1, "ok": True}},
    ])
    report = response.json()
    assert [r["status"] for r in report["results"]] == ["accepted", "rejected", "accepted"]
    assert report["results"][1]["error"].startswith("oversize prop")
    first, third = await collector.events()
    assert first["props"] == third["props"] == {"n": "1", "ok": "true"}
    assert first["ts"] == first["received_at"] and first["event_id"] != third["event_id"]
    (dead,) = await collector.dead()
    assert dead["reason"].startswith("oversize prop") and "203.0.113.7" not in dead["raw"]


async def test_batch_streamed_past_the_limit_is_413(make_collector):
    c = await make_collector(max_batch_bytes=1000)

    async def chunks():
        for _ in range(5):
            yield b"[" + b" " * 400

    response = await c.http.post("/api/v1/events", content=chunks())
    assert response.status_code == 413 and "exceeds 1000 bytes" in response.json()["detail"]


def test_receive_body_in_one_message_or_in_chunks_and_its_limit():
    import asyncio

    import pytest

    from tracker.collector.app import Disconnected, OversizeBody, receive_body

    def feeding(*messages):
        queue = list(messages)

        async def receive():
            return queue.pop(0)
        return receive

    def body(*chunks, limit=10, headers=()):
        messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
        return asyncio.run(receive_body({"headers": list(headers)}, feeding(*messages), limit))

    assert body(b"0123456789") == b"0123456789"
    assert body(b"01234", b"", b"56789") == b"0123456789"
    assert type(body(b"ab", b"cd")) is bytes
    for chunks in ((b"0123456789a",), (b"0123456789a", b"b"), (b"01234", b"567890")):
        with pytest.raises(OversizeBody):
            body(*chunks)
    with pytest.raises(OversizeBody):
        body(b"", headers=[(b"content-length", b"11")])
    with pytest.raises(Disconnected):
        asyncio.run(receive_body({"headers": []}, feeding({"type": "http.disconnect"}), 10))
    with pytest.raises(Disconnected):
        asyncio.run(receive_body({"headers": []}, feeding({"type": "http.request", "body": b"a", "more_body": True},
                                                          {"type": "http.disconnect"}), 10))
