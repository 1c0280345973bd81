"""The bytes every intake writes to the stream are the record format, byte for byte.

The writer reads records in bulk by their shape (``tracker.records.SHAPE``), so the
collector's fast rendering must give exactly what ``tracker.records.encode`` gives for the
same ``TrackingEvent``: re-encoding each decoded record reproduces it, and one record with
pinned values is compared with its literal bytes.
"""

import uuid
from datetime import UTC, datetime

import msgspec

from tracker.collector.record import Clock, RecordTemplate
from tracker.event import TrackingEvent
from tracker.records import encode

TRICKY = 'Caf\u00e9 \u2014 "quoted" \\ back\tslash \U0001F600 <b>&amp;</b>'


def roundtrips(values: list[bytes]) -> list[TrackingEvent]:
    events = [msgspec.json.decode(v, type=TrackingEvent) for v in values]
    for value, event in zip(values, events):
        assert encode(event) == value  # the one encoder gives the same bytes
    return events


def test_a_rendered_record_is_pinned_to_its_bytes():
    clock = Clock()
    event = TrackingEvent(event_id="", ts=datetime(1970, 1, 1, tzinfo=UTC), received_at=datetime(1970, 1, 1, tzinfo=UTC),
                          site="demo.local", url="https://demo.local/a?utm_source=x", path="/a",
                          referrer="https://www.google.com/", referrer_host="google.com", title=TRICKY,
                          user_agent="UA/1.0", browser="Chrome", os="Windows", device="desktop", is_bot=True,
                          utm_source="x")
    value = RecordTemplate(event).render(str(uuid.UUID(int=1)), clock.iso(1_700_000_000.5),
                                         clock.iso(1_700_000_001.000001), b"0123456789abcdef", b'{"plan":"pro"}')
    assert value == (
        b'{"event_id":"00000000-0000-0000-0000-000000000001","ts":"2023-11-14T22:13:20.500000Z",'
        b'"received_at":"2023-11-14T22:13:21.000001Z","site":"demo.local","name":"pageview",'
        b'"url":"https://demo.local/a?utm_source=x","path":"/a","referrer":"https://www.google.com/",'
        b'"referrer_host":"google.com","title":"Caf\xc3\xa9 \xe2\x80\x94 \\"quoted\\" \\\\ back\\tslash '
        b'\xf0\x9f\x98\x80 <b>&amp;</b>","visitor":"0123456789abcdef","user_agent":"UA/1.0","browser":"Chrome",'
        b'"os":"Windows","device":"desktop","is_bot":true,"utm_source":"x","utm_medium":"","utm_campaign":"",'
        b'"props":{"plan":"pro"}}')
    roundtrips([value])


async def test_every_intake_writes_records_the_encoder_would_write(collector):
    tricky = {"site": "demo.local", "url": "https://demo.local/caf\u00e9?utm_source=n&x=1", "title": TRICKY,
              "referrer": "https://www.google.com/search?q=x", "props": {"k\u00e9y": TRICKY, "n": 3, "b": True}}
    await collector.http.get("/t.gif", params={"site": "Demo.Local", "url": tricky["url"], "title": TRICKY,
                                               "referrer": tricky["referrer"], "p.plan": TRICKY})
    await collector.http.get("/t.gif", params={"site": "demo.local"})  # no url, no props
    await collector.http.get("/t.gif", params={"site": "demo.local", "title": '1970-01-01T00:00:00.000001Z'})
    response = await collector.http.post("/api/v1/events", json=[
        tricky, {"site": "demo.local", "ts": 1_700_000_000_000, "id": "own-1"},
        {"site": "demo.local", "name": "signup", "user_agent": "Googlebot/2.1", "ip": "198.51.100.9"}])
    assert response.status_code == 200
    response = await collector.http.post("/api/event", content=b'{"n":"pageview","u":"https://demo.local/p","d":"demo.local"}')
    assert response.status_code == 202
    response = await collector.http.get("/i", params={"e": "pv", "aid": "demo.local", "url": "https://demo.local/sp",
                                                      "page": TRICKY})
    assert response.status_code == 200
    values = [v for v in collector.log.values("tessera.events")] if await collector.events() else []
    assert len(values) == 8
    events = roundtrips(values)
    assert {e.title for e in events} >= {TRICKY, "1970-01-01T00:00:00.000001Z"}
    assert any(e.props == {"k\u00e9y": TRICKY, "n": "3", "b": "true"} for e in events)
