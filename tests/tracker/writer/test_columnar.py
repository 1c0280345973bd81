"""The fast decoding path agrees with the exact one, and declines whatever it cannot vouch for."""

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from tracker.event import TrackingEvent
from tracker.olap.arrow_batch import ArrowBuilder
from tracker.olap.port import StagedBatch
from tracker.stream.port import Record
from tracker.writer.columnar import columns
from tracker.writer.decoding import decode

T0 = datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)


def event(i: int, **kw) -> TrackingEvent:
    return TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=T0 + timedelta(seconds=37 * i),
                         received_at=T0 + timedelta(seconds=37 * i, microseconds=999), site=f"s{i % 2}",
                         url=f"https://s/\u00e9?q=\"{i}\"", path=f"/p{i % 3}", visitor=f"{i:016x}", is_bot=i % 5 == 0,
                         title="a\nb\\c", **kw)


def records(values: list[bytes]) -> list[Record]:
    return [Record("tessera.events", 0, i, b"k", v, 0) for i, v in enumerate(values)]


def encoded(n: int = 20) -> list[bytes]:
    return [msgspec.json.encode(event(i)) for i in range(n)]


def test_same_columns_as_the_exact_path():
    recs = records(encoded())
    fast = columns([r.value for r in recs])
    assert fast is not None
    exact = StagedBatch()
    for r, e in zip(recs, decode(recs), strict=True):
        exact.append(e, r.topic, r.partition, r.offset)
    want = ArrowBuilder().build(exact, "tok").select(fast.table.column_names)
    assert fast.table.to_pylist() == want.to_pylist()
    assert fast.newest == max(e.received_at for e in exact.events)
    assert fast.minutes == {(e.site, e.ts.replace(second=0, microsecond=0)) for e in exact.events}


def test_the_writer_batch_built_from_columns_matches():
    recs = records(encoded())
    fast = columns([r.value for r in recs])
    staged = StagedBatch(topics=[r.topic for r in recs], partitions=[0] * len(recs), offsets=[r.offset for r in recs],
                         columns=fast.table, values=[r.value for r in recs])
    exact = StagedBatch()
    for r, e in zip(recs, decode(recs), strict=True):
        exact.append(e, r.topic, r.partition, r.offset)
    builder = ArrowBuilder()
    assert builder.build(staged, "t").to_pylist() == builder.build(exact, "t").to_pylist()
    assert staged.all_events() == exact.events


def doubtful(**changes):
    row = msgspec.json.decode(msgspec.json.encode(event(1)))
    row.update(changes)
    return msgspec.json.encode(row)


@pytest.mark.parametrize("value", [
    doubtful(url=None),
    doubtful(url=3),
    doubtful(is_bot="yes"),
    doubtful(props={"plan": "pro"}),
    doubtful(event_id="not-a-uuid"),
    doubtful(visitor="x" * 17),
    doubtful(ts="2026-11-22T12:00:00+02:00"),
    doubtful(ts="2026-02-30T00:00:00Z"),
    doubtful(received_at="2026-11-22 10:00:00Z"),
    msgspec.json.encode({k: v for k, v in msgspec.structs.asdict(event(1)).items() if k != "title"}),
    msgspec.json.encode(event(1)) + b" " + msgspec.json.encode(event(2)),
    msgspec.json.encode(event(1)) + b"\n" + msgspec.json.encode(event(2)),
    b"",
    b"[1]",
    b'{"event_id": "x", "event_id": "y"}',
    msgspec.json.encode(event(1))[:-1] + b', "extra": 1',
    b"{}\n{}",
    b"{",
    b"}",
    msgspec.json.encode(event(1)).replace(b'"title":"', b'"title":"\xed\xa0\x80'),  # an encoded surrogate
    msgspec.json.encode(event(1)).replace(b'"title":"', b'"title":"\xc0\xaf'),  # an overlong "/"
])
def test_declines_what_it_cannot_vouch_for(value):
    assert columns([*encoded(3), value, *encoded(2)]) is None


def test_unknown_fields_are_ignored_like_the_exact_path():
    value = msgspec.json.encode(event(1))[:-1] + b', "extra": {"a": [1, 2]}}'
    fast = columns([value])
    assert fast is not None and fast.table.num_rows == 1
