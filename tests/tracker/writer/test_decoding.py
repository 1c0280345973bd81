import msgspec

from tracker.stream.port import Record
from tracker.writer.decoding import Poison, decode, decode_one


def rec(value: bytes, offset: int = 0) -> Record:
    return Record("tessera.events", 1, offset, b"k", value, 0)


def valid(kit, i=0) -> bytes:
    return kit.encode(kit.make_event(i))[1]


def test_valid_batch_decodes_in_order(kit):
    out = decode([rec(valid(kit, i), i) for i in range(5)])
    assert [e.event_id for e in out] == [kit.make_event(i).event_id for i in range(5)]


def test_poison_is_isolated_and_carries_a_reason(kit):
    records = [rec(valid(kit, 0), 0), rec(b"{not json", 1), rec(b'{"event_id": 3}', 2), rec(valid(kit, 3), 3)]
    out = decode(records)
    assert not isinstance(out[0], Poison) and not isinstance(out[3], Poison)
    assert isinstance(out[1], Poison) and "invalid event" in out[1].reason
    assert isinstance(out[2], Poison) and "event_id" in out[2].reason


def test_values_the_table_would_refuse_are_poison(kit):
    bad_id = msgspec.json.encode(kit.make_event(0).__class__(**{**msgspec.structs.asdict(kit.make_event(0)), "event_id": "nope"}))
    long_visitor = msgspec.json.encode(msgspec.structs.replace(kit.make_event(0), visitor="x" * 17))
    assert "UUID" in decode_one(rec(bad_id)).reason
    assert "16 bytes" in decode_one(rec(long_visitor)).reason
    out = decode([rec(bad_id), rec(valid(kit, 1), 1)])
    assert isinstance(out[0], Poison) and not isinstance(out[1], Poison)


def test_invalid_utf8_is_poison_not_a_crash(kit):
    bad = valid(kit, 0).replace(b'"site":"', b'"site":"\xed\xa0\x80', 1)
    out = decode([rec(bad, 0), rec(valid(kit, 1), 1)])
    assert isinstance(out[0], Poison) and "invalid event" in out[0].reason
    assert not isinstance(out[1], Poison)


def test_a_value_that_looks_like_two_events_falls_back(kit):
    two = valid(kit, 0) + b"," + valid(kit, 1)
    out = decode([rec(two, 0), rec(valid(kit, 2), 1)])
    assert isinstance(out[0], Poison) and not isinstance(out[1], Poison)


def test_dead_letter_names_reason_raw_and_source():
    letter = msgspec.json.decode(Poison(rec(b"\xffbad", 7), "invalid event: x").dead_letter())
    assert letter["reason"] == "invalid event: x"
    assert letter["raw"].endswith("bad")
    assert letter["source"] == "tessera.events/1/7"
