"""Reading a block by its shape (tracker.records.SHAPE): same rows as the exact path, record order
kept when some records take pyarrow's reader, and nothing taken that only looks like the shape."""

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pyarrow as pa
import pytest

from tracker.event import TrackingEvent
from tracker.olap.arrow_batch import ArrowBuilder
from tracker.olap.port import StagedBatch
from tracker.records import SHAPE, encode
from tracker.stream.port import Record
from tracker.writer.columnar import _shaped, columns
from tracker.writer.decoding import decode

T0 = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)


def event(i: int, **kw) -> TrackingEvent:
    fields = dict(event_id=str(uuid.UUID(int=i + 1)), ts=T0 + timedelta(seconds=37 * i, microseconds=1000 * (i % 3)),
                  received_at=T0 + timedelta(seconds=37 * i, microseconds=999), site=f"s{i % 2}",
                  url=f"https://s/\u00e9t\u00e9/{i}", path=f"/p{i % 3}", visitor=f"{i:016x}", is_bot=i % 5 == 0,
                  title=f"T\u00eftle {i} \U0001f600", utm_source="" if i % 2 else "news")
    fields.update(kw)
    return TrackingEvent(**fields)


def exact_table(values: list[bytes]):
    recs = [Record("tessera.events", 0, i, b"k", v, 0) for i, v in enumerate(values)]
    staged = StagedBatch()
    for r, e in zip(recs, decode(recs), strict=True):
        assert isinstance(e, TrackingEvent), e
        staged.append(e, r.topic, r.partition, r.offset)
    return ArrowBuilder().build(staged, "tok")


def agrees(values: list[bytes]) -> None:
    fast = columns(values)
    assert fast is not None
    want = exact_table(values).select(fast.table.column_names)
    assert fast.table.to_pylist() == want.to_pylist()
    assert fast.table.schema == want.schema


def shaped_rows(values: list[bytes]) -> list[int]:
    return _shaped(pa.array(values, pa.string()))[1].tolist()


def test_the_shape_is_the_encoders():
    assert SHAPE.strings[:3] == ("event_id", "ts", "received_at")
    assert len(SHAPE.runs) == len(SHAPE.strings) + 1
    assert {v for variants in SHAPE.runs for v in variants} >= {b'{"event_id":"', b'","props":{}}'}


def test_records_as_encoded_are_all_read_by_shape_and_agree():
    values = [encode(event(i)) for i in range(40)]
    assert shaped_rows(values) == list(range(40))
    agrees(values)


def test_a_mixed_block_keeps_record_order():
    values = [encode(event(i)) for i in range(30)]
    values[3] = encode(event(3, title='say "hi"'))  # escapes: the reader's
    values[7] = encode(event(7, url="a\\b"))
    values[11] = encode(event(11))[:-1] + b', "extra": [1]}'  # an unknown field
    values[12] = encode(event(12)).replace(b'","site":"', b'", "site": "')  # whitespace
    values[29] = encode(event(29, referrer="tab\there"))
    row = msgspec.json.decode(encode(event(20)))
    values[20] = msgspec.json.encode(dict(reversed(row.items())))  # another key order
    assert shaped_rows(values) == [i for i in range(30) if i not in (3, 7, 11, 12, 20, 29)]
    agrees(values)


def swapped(value: bytes, a: str, b: str) -> bytes:
    """The same JSON object with the keys a and b exchanged (values stay where they are)."""
    ka, kb = f'"{a}":'.encode(), f'"{b}":'.encode()
    return value.replace(ka, b"\0").replace(kb, ka).replace(b"\0", kb)


@pytest.mark.parametrize("value", [
    swapped(encode(event(1)), "site", "path"),  # same lengths, same quotes: only the bytes differ
    swapped(encode(event(1)), "browser", "visitor"),
    encode(event(1)).replace(b'"is_bot":false', b'"is_bot":fals3'),
    encode(event(1)).replace(b'"props":{}}', b'"props":{ }'),
    encode(event(1)).replace(b'{"event_id"', b'["event_id"'),
], ids=["site-path", "browser-visitor", "bool", "props", "bracket"])
def test_what_only_looks_like_the_shape_is_not_read_by_it(value):
    values = [encode(event(0)), value, encode(event(2))]
    assert shaped_rows(values) == [0, 2]
    try:
        exact = [isinstance(e, TrackingEvent) for e in decode([Record("t", 0, 0, b"k", value, 0)])]
    except Exception:  # pragma: no cover - decode never raises
        raise
    if exact == [True]:
        agrees(values)  # valid JSON the reader can vouch for: same rows as the exact path
    else:
        assert columns(values) is None


def test_both_spellings_of_a_flag():
    values = [encode(event(i, is_bot=bool(i % 2))) for i in range(6)]
    fast = columns(values)
    assert fast.table["is_bot"].to_pylist() == [bool(i % 2) for i in range(6)]
    assert shaped_rows(values) == list(range(6))


@pytest.mark.parametrize("value", [
    encode(event(1)).replace(b'"title":"', b'"title":"\x01'),  # a raw control byte: msgspec refuses it
    encode(event(1)).replace(b'"title":"', b'"title":"\x7f\xff'),  # invalid UTF-8
    encode(event(1, event_id="not-a-uuid-at-all")),
    encode(event(1, visitor="v" * 17)),
    encode(event(1)).replace(b'"ts":"2026-11-22T10:00:37', b'"ts":"2026-02-30T10:00:37'),
    encode(event(1)).replace(b'"ts":"2026-11-22T10:00:37', b'"ts":"2026-11-22 10:00:37'),
    encode(event(1, props={"plan": "pro"})),
])
def test_poison_and_doubt_send_the_block_to_the_exact_path(value):
    assert columns([*(encode(event(i)) for i in range(5)), value, encode(event(9))]) is None


def test_a_block_without_any_shaped_record():
    values = [encode(event(i, title=f'"{i}"')) for i in range(4)]
    assert shaped_rows(values) == []
    agrees(values)


def test_an_id_without_hyphens_is_still_a_uuid():
    values = [encode(event(i)) for i in range(6)]
    values[1] = encode(event(1, event_id=uuid.UUID(int=77).hex.upper()))  # no hyphens: still a UUID
    assert columns(values).table["event_id"].to_pylist()[1] == uuid.UUID(int=77).hex.upper()
    agrees(values)


@pytest.mark.parametrize("ts", [b"2026-11-22T10:00:37.Z", b"2026-11-22T10:00:37.1234567Z", b"2026-11-22T10:00:3xZ",
                                b"2026-11-22T10:00:37.12a4Z", b"2026-11-22T10:00:37z"])
def test_times_that_are_not_rfc3339_utc_are_not_taken(ts):
    value = encode(event(1)).replace(b'"ts":"2026-11-22T10:00:37.001000Z"', b'"ts":"' + ts + b'"')
    assert value != encode(event(1))
    assert columns([encode(event(0)), value]) is None


def test_the_collectors_records_are_read_by_shape():
    """What the pixel and batch paths write (tracker.collector.record) is what the shape reader reads."""
    from tracker.collector.record import Clock, RecordTemplate

    clock = Clock()
    now = 1_700_000_000.25
    base = event(0, event_id="", is_bot=False)
    pixel = RecordTemplate(base)
    bot = RecordTemplate(msgspec.structs.replace(base, is_bot=True, title="Caf\u00e9"))
    values = [pixel.render(str(uuid.UUID(int=1)), clock.iso(now), clock.iso(now), b"0123456789abcdef", b"{}"),
              bot.render(str(uuid.UUID(int=2)), clock.iso(now - 9.5), clock.iso(now + 0.000001), b"0123456789abcdee", b"{}"),
              pixel.render(str(uuid.UUID(int=3)), clock.iso(now - 1), clock.iso(now), b"0123456789abcded", b"{}")]
    assert shaped_rows(values) == [0, 1, 2]
    agrees(values)


@pytest.mark.parametrize("every", [2, 3, 97])
def test_record_order_with_many_or_few_records_for_the_reader(every):
    values = [encode(event(i, title=f'"{i}"') if i % every == 0 else event(i)) for i in range(300)]
    assert len(shaped_rows(values)) == 300 - len(range(0, 300, every))
    agrees(values)
