"""Issue 8 §4/§5 at the collector's edge: acknowledge after append, CORS for credentialed
trackers, client event ids (a retry is the same event), health that tells the truth,
JSON depth, and what is kept of a URL."""

import asyncio
import base64
import json
import uuid

import httpx
import pytest

SNOWPLOW_TP2 = "/com.snowplowanalytics.snowplow/tp2"


# -- acknowledge after append ---------------------------------------------------------------
class HeldProducer:
    """A producer whose sends wait until the test lets them through."""

    def __init__(self, inner) -> None:
        self.inner, self.gate = inner, asyncio.Event()

    async def start(self):
        await self.inner.start()

    async def stop(self):
        await self.inner.stop()

    async def send_batch(self, topic, records):
        await self.gate.wait()
        await self.inner.send_batch(topic, records)


@pytest.mark.parametrize("path, params", [
    ("/t.gif", {"site": "demo.local", "url": "https://demo.local/held"}),
    ("/i", {"e": "pv", "aid": "demo.local", "url": "https://demo.local/held"}),
])
async def test_pixel_is_answered_only_after_its_hit_is_on_the_stream(collector, path, params):
    held = HeldProducer(collector.app.committer.producer)
    collector.app.committer.producer = held
    request = asyncio.create_task(collector.http.get(path, params=params))
    await asyncio.sleep(0.2)
    assert not request.done(), "answered while the hit was still in memory"
    held.gate.set()
    response = await asyncio.wait_for(request, 5)
    assert response.status_code == 200 and response.content.startswith(b"GIF89a")
    assert [e["path"] for e in await collector.events()] == ["/held"]


async def test_pixel_that_neither_stream_nor_spill_takes_is_503(collector):
    collector.log.available = False

    def full_disk(batches):
        raise OSError(28, "No space left on device")

    collector.app.committer.spill.append = full_disk
    response = await collector.http.get("/t.gif", params={"site": "s.example", "url": "https://s.example/"})
    assert response.status_code == 503
    assert collector.app.counters.lost == 1


# -- CORS for trackers that send credentials ------------------------------------------------
@pytest.mark.parametrize("path", ["/i", "/t.gif"])
async def test_pixel_cors_echoes_the_origin_with_credentials(collector, path):
    response = await collector.http.get(path, params={"aid": "s.example", "site": "s.example"},
                                        headers={"origin": "https://shop.example"})
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "origin" in response.headers["vary"].lower()
    assert response.headers.get_list("access-control-allow-origin") == ["https://shop.example"]


async def test_pixel_without_origin_keeps_the_wildcard(collector):
    response = await collector.http.get("/t.gif", params={"site": "s.example"})
    assert response.headers["access-control-allow-origin"] == "*"


async def test_pixel_cors_allow_list(make_collector):
    c = await make_collector(cors_origins="https://ok.example")
    bad = await c.http.get("/i", params={"aid": "s.example"}, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in bad.headers
    ok = await c.http.get("/i", params={"aid": "s.example"}, headers={"origin": "https://ok.example"})
    assert ok.headers["access-control-allow-origin"] == "https://ok.example"


# -- a retry is the same event ----------------------------------------------------------------
async def test_snowplow_retry_with_the_same_eid_is_one_event(collector):
    eid = str(uuid.uuid4())
    params = {"e": "pv", "aid": "shop.example", "url": "https://shop.example/a", "eid": eid, "dtm": "1"}
    for _ in range(3):
        assert (await collector.http.get("/i", params=params)).status_code == 200
    payload = {"schema": "iglu:x", "data": [{k: v for k, v in params.items()}]}
    assert (await collector.http.post(SNOWPLOW_TP2, json=payload)).status_code == 200
    events = await collector.events()
    assert [e["event_id"] for e in events] == [eid]


async def test_batch_client_id_makes_a_retry_the_same_event(collector):
    batch = [{"site": "Demo.Local", "url": "https://demo.local/a", "id": "order-17"},
             {"site": "demo.local", "url": "https://demo.local/b", "id": "order-18"}]
    first = (await collector.http.post("/api/v1/events", json=batch)).json()
    again = (await collector.http.post("/api/v1/events", json=batch)).json()
    assert first["accepted"] == 2 and [r["event_id"] for r in again["results"]] == \
        [r["event_id"] for r in first["results"]]
    expected = str(uuid.uuid5(uuid.NAMESPACE_URL, "tessera:demo.local/order-17"))
    assert first["results"][0]["event_id"] == expected
    events = await collector.events()
    assert sorted(e["path"] for e in events) == ["/a", "/b"]


async def test_the_same_client_id_on_two_sites_is_two_events(collector):
    batch = [{"site": "a.example", "url": "https://a.example/", "id": "1"},
             {"site": "b.example", "url": "https://b.example/", "id": "1"}]
    await collector.http.post("/api/v1/events", json=batch)
    assert len({e["event_id"] for e in await collector.events()}) == 2


async def test_seen_ids_survive_a_restart(make_collector, settings, tmp_path):
    eid = str(uuid.uuid4())
    params = {"e": "pv", "aid": "shop.example", "url": "https://shop.example/a", "eid": eid}
    first = await make_collector()
    await first.http.get("/i", params=params)
    await first.app.committer.stop()
    second = await make_collector()  # same directories, a fresh process's memory
    await second.http.get("/i", params=params)
    assert await second.events() == []
    assert second.app.counters.duplicates == 1


# -- Snowplow without aid -----------------------------------------------------------------------
async def test_snowplow_without_aid_falls_back_to_the_page_host(collector):
    await collector.http.get("/i", params={"e": "pv", "url": "https://WWW.Shop.example:8443/p"})
    payload = {"schema": "iglu:x", "data": [{"e": "pv", "url": "https://blog.example/post"}]}
    await collector.http.post(SNOWPLOW_TP2, json=payload)
    assert sorted(e["site"] for e in await collector.events()) == ["blog.example", "www.shop.example"]


async def test_snowplow_without_aid_or_url_is_reported(collector):
    payload = {"schema": "iglu:x", "data": [{"e": "pv"}]}
    response = await collector.http.post(SNOWPLOW_TP2, json=payload)
    assert response.status_code == 400 and "aid" in response.text


# -- health ---------------------------------------------------------------------------------------
async def test_healthz_is_degraded_while_spilling(collector):
    assert (await collector.http.get("/healthz")).json() == {"status": "ok"}
    collector.log.available = False
    await collector.http.get("/t.gif", params={"site": "s.example", "url": "https://s.example/"})
    health = await collector.http.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "degraded" and "stream" in body["reason"] and body["spill_backlog"] is True
    assert (await collector.http.get("/livez")).status_code == 200  # alive: no reason to restart it
    collector.log.available = True
    for _ in range(100):  # the replay loop brings the spill back
        if (await collector.http.get("/healthz")).status_code == 200:
            break
        await asyncio.sleep(0.05)
    assert (await collector.http.get("/healthz")).json() == {"status": "ok"}


# -- JSON depth ---------------------------------------------------------------------------------
DEEP = b"[" * 1000 + b"]" * 1000


@pytest.mark.parametrize("path, body", [
    ("/api/v1/events", DEEP),
    ("/api/v1/events", b'{"events": [{"site": "s", "props": ' + b"[" * 1000 + b"]" * 1000 + b"}]}"),
    ("/api/event", b'{"n": "pageview", "p": ' + b"{\"a\":" * 1000 + b"1" + b"}" * 1000 + b"}"),
    (SNOWPLOW_TP2, b'{"data": ' + DEEP + b"}"),
])
async def test_deep_json_is_a_400_naming_the_body(collector, path, body):
    response = await collector.http.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "body" in response.text and "nested deeper" in response.text


# -- privacy: what is kept of a URL ----------------------------------------------------------------
async def test_query_strings_are_cut_to_the_allow_list(collector):
    await collector.http.get("/t.gif", params={
        "site": "demo.local",
        "url": "https://demo.local/signup?email=joe%40example.com&utm_source=news&ref=hn&token=s3cr3t#top",
        "referrer": "https://mail.example/inbox?user=joe%40example.com"})
    await collector.http.post("/api/v1/events", json=[{
        "site": "demo.local", "url": "https://demo.local/b?email=joe%40example.com&utm_campaign=nov",
        "referrer": "https://mail.example/x?user=joe"}])
    events = await collector.events()
    assert "joe" not in json.dumps(events) and "s3cr3t" not in json.dumps(events)
    pixel, batch = events
    assert pixel["url"] == "https://demo.local/signup?utm_source=news&ref=hn"
    assert pixel["referrer"] == "https://mail.example/inbox" and pixel["referrer_host"] == "mail.example"
    assert batch["url"] == "https://demo.local/b?utm_campaign=nov" and batch["utm_campaign"] == "nov"


async def test_site_owner_may_allow_more_query_parameters(make_collector):
    c = await make_collector(allowed_query_params="q, page")
    await c.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/s?q=shoes&page=2&email=x"})
    (event,) = await c.events()
    assert event["url"] == "https://demo.local/s?q=shoes&page=2"

