"""Pre-encoded records decode to exactly the event msgspec would have encoded."""

import time
from datetime import UTC, datetime

import msgspec

from tracker.collector.record import Clock, RecordTemplate
from tracker.event import TrackingEvent


def template(**fields) -> TrackingEvent:
    now = datetime.now(UTC)
    return TrackingEvent(event_id="", ts=now, received_at=now, site="s.example", url="https://s.example/a",
                         path="/a", user_agent="Mozilla/5.0", props={"plan": "pro"}, **fields)


def check(event: TrackingEvent, props: dict[str, str]) -> None:
    clock = Clock()
    record = RecordTemplate(event)
    for received, ts in ((time.time(), None), (1_700_000_000.000001, 1_699_999_990.5), (1_700_000_000.0, None),
                         (1_700_000_000.25, 1_699_999_990.000001)):
        ts = received if ts is None else ts
        got = msgspec.json.decode(record.render("0190aaaa-0000-7000-8000-000000000001", clock.iso(ts),
                                                clock.iso(received), b"0123456789abcdef",
                                                msgspec.json.encode(props)), type=TrackingEvent)
        want = msgspec.structs.replace(event, event_id="0190aaaa-0000-7000-8000-000000000001",
                                       visitor="0123456789abcdef", ts=datetime.fromtimestamp(ts, UTC),
                                       received_at=datetime.fromtimestamp(received, UTC), props=props)
        assert got == want


def test_render_equals_encoding_the_event():
    event = template(title="Pricing", referrer="https://x.example/", is_bot=True)
    assert RecordTemplate(event).pieces is not None
    check(event, {"plan": "pro", "seats": "3"})
    check(event, {})


def test_the_templates_own_props_are_not_rendered():
    event = template(title="Pricing")  # props={"plan": "pro"}: each event brings its own
    check(event, {"a": "b"})


def test_a_field_containing_a_marker_falls_back_to_encoding():
    event = template(title='1970-01-01T00:00:00.000001Z', referrer="\x02visitor\x02")
    assert RecordTemplate(event).pieces is None
    check(event, {"a": "b"})
    check(event, {})


def test_clock_rounds_like_datetime():
    import random

    clock, rng = Clock(), random.Random(7)
    for _ in range(20_000):
        epoch = rng.uniform(1.6e9, 1.8e9)
        assert clock.iso(epoch).decode() == datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_pixel_records_times_equal_the_clocks_across_seconds(tmp_path):
    import random

    from tracker.collector.committer import Counters
    from tracker.collector.enrichment import Enricher
    from tracker.collector.intake import Intake
    from tracker.collector.params import pixel_capture
    from tracker.collector.sender import Sender
    from tracker.enrich.agent import AgentParser
    from tracker.enrich.salts import SaltStore
    from tracker.enrich.visitor import VisitorHasher

    intake = Intake(VisitorHasher(SaltStore(tmp_path)), None, Enricher(AgentParser()), Counters())
    rng = random.Random(3)
    capture = pixel_capture("site=s.example&url=https%3A%2F%2Fs.example%2F")
    sender = Sender("203.0.113.1", "UA", "", False)
    for _ in range(500):
        t = 1_700_000_000 + rng.choice([0, 0.4999995, 0.9999996, 1.0, 1.5, 0.25, 3.9999999])
        records = intake.records("pixel", [capture], sender, t)
        assert not records.dead
        ((_, value),) = records.events
        event = msgspec.json.decode(value, type=TrackingEvent)
        assert event.received_at == event.ts == datetime.fromtimestamp(t, UTC)


def test_batch_records_equal_rendering_each_event_on_its_own(tmp_path):
    """``records`` caches per request (visitors, prepared shapes, pieces cut at the received
    time): its bytes equal ``visitor`` + ``prepare`` + ``render`` taken event by event."""
    import uuid

    from tracker.collector.capture import IncomingEvent
    from tracker.collector.committer import Counters
    from tracker.collector.enrichment import Enricher
    from tracker.collector.intake import Intake
    from tracker.collector.sender import Sender
    from tracker.collector.validation import normal_site
    from tracker.enrich.agent import AgentParser
    from tracker.enrich.salts import SaltStore
    from tracker.enrich.visitor import VisitorHasher

    intake = Intake(VisitorHasher(SaltStore(tmp_path)), None, Enricher(AgentParser()), Counters())
    now = 1_700_000_000.123456
    raw = msgspec.Raw
    captures = [IncomingEvent(site=site, url=f"https://s.example/{page}", title=title, ts=ts, ip=ip, user_agent=ua,
                              props=raw(props), id=sent_id)
                for site in ("s.example", " S.Example ")
                for page, title in (("a", "A"), ("b", '1970-01-01T00:00:00.000001Z'))  # the second: no pieces
                for ts in (None, (now - 5) * 1000, "not a time")
                for ip, ua in ((None, None), ("198.51.100.7", "Firefox"))
                for props, sent_id in ((b"{}", None), (b'{"plan":"pro","n":3}', None), (b"{}", f"x-{page}-{ts}"))]
    captures += captures[:7]  # the same shapes and visitors again
    assert any(intake.prepare(c, normal_site(c.site), c.user_agent or "UA", "")[0].pieces is None for c in captures)
    sender = Sender("203.0.113.1", "Mozilla/5.0", "", False)
    records = intake.records("batch", captures, sender, now)
    assert not records.dead and len(records.events) == len(captures)  # no SeenIds: no duplicates
    received = intake.iso(now)
    events = iter(records.events)
    for item, result in zip(captures, records.results):
        site, ua = normal_site(item.site), item.user_agent or sender.user_agent
        visitor = intake.visitor(site, item.ip or sender.ip, ua, False, now)
        template, prefix, props = intake.prepare(item, site, ua, "")
        event_id = result.event_id
        assert uuid.UUID(event_id).version == (5 if item.id else 7)
        want = template.render(event_id, intake.event_iso(item.ts, now, received), received, visitor, props)
        assert next(events) == (prefix + visitor, want)
