"""The three ways a block is decoded give the same Arrow, field for field, and the same poison:
the shape reader's compiled kernel (tracker.writer.shape_kernel), its numpy cutter (the
decoder before the kernel) and the exact per-record path (msgspec, tracker.writer.decoding).
Checked on the writer's own staging (``loop._stage``) with varied records: unicode, empty
and null fields, escapes, custom props, big numbers, other spellings of valid JSON, poison."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.event import TrackingEvent
from tracker.olap.arrow_batch import ArrowBuilder
from tracker.records import SHAPE, encode
from tracker.stream.port import Record
from tracker.writer import columnar, loop

T0 = datetime(2026, 11, 29, 9, 59, 58, 999000, tzinfo=UTC)


def event(i: int, **kw) -> TrackingEvent:
    fields = dict(event_id=str(uuid.UUID(int=(i + 1) * 7919)), ts=T0 + timedelta(seconds=13 * i, microseconds=i % 3 * 1000),
                  received_at=T0 + timedelta(seconds=13 * i, microseconds=250_999), site=f"site{i % 3}.example",
                  url=f"https://site{i % 3}.example/p/{i}?q=1", path=f"/p/{i}", referrer_host=("", "news.example")[i % 2],
                  visitor=f"{i:016x}", user_agent="Mozilla/5.0 (X11; Linux x86_64)", browser="Firefox", os="Linux",
                  device="desktop", is_bot=i % 4 == 0)
    fields.update(kw)
    return TrackingEvent(**fields)


def row(i: int, **changes) -> bytes:
    """Event i as a JSON object with some fields changed to anything (including invalid types)."""
    value = msgspec.json.decode(encode(event(i)))
    value.update(changes)
    return msgspec.json.encode(value)


def shaped(i: int) -> list[bytes]:
    """Records as the collector writes them: the shape, with varied values."""
    return [
        encode(event(i)),
        encode(event(i, title="Caf\u00e9 \u00fcber \u65e5\u672c\u8a9e \u05e2\u05d1\u05e8\u05d9\u05ea \U0001f600")),
        encode(event(i, url="", path="", referrer="", title="", user_agent="", browser="", os="", device="", visitor="")),
        encode(event(i, user_agent="Mozilla/5.0 " + "x" * 4000, is_bot=True)),
        encode(event(i, event_id=uuid.UUID(int=i + 5).hex.upper())),
        encode(event(i, ts=T0.replace(microsecond=0), received_at=T0.replace(microsecond=123456))),
        encode(event(i, utm_source="news", utm_medium="email", utm_campaign="\u00e9t\u00e9 2026", name="signup")),
        encode(event(i, visitor="\u00e9" * 8)),  # 16 bytes: fits FixedString(16)
    ]


def unshaped(i: int) -> list[bytes]:
    """Valid events spelled otherwise: pyarrow's reader or the exact path take them."""
    return [
        encode(event(i, title='say "hi"\n\ttab\\slash')),
        encode(event(i, props={"plan": "pro", "n": "12345678901234567890"})),
        row(i, extra=123456789012345678901234567890),  # an unknown field with a big number
        row(i, extra=None),
        row(i, extra={"a": [1, 2.5e300, None]}),
        encode(event(i)).replace(b'","site":"', b'", "site" : "'),
        msgspec.json.encode(dict(reversed(msgspec.json.decode(encode(event(i))).items()))),
        encode(event(i)).replace(b"Firefox", b"Fire\\u0066ox"),
        encode(event(i)).replace(b"/p/", b"\\/p\\/"),
        msgspec.json.encode({k: v for k, v in msgspec.json.decode(encode(event(i))).items() if k != "title"}),
    ]


def poison(i: int) -> list[bytes]:
    return [
        row(i, url=None),
        row(i, title=12),
        row(i, site=123456789012345678901234567890),
        row(i, is_bot="yes"),
        row(i, props={"n": 1}),
        row(i, event_id="not-a-uuid"),
        row(i, visitor="x" * 17),
        row(i, ts="2026-02-30T00:00:00Z"),
        row(i, ts=None),
        msgspec.json.encode({k: v for k, v in msgspec.json.decode(encode(event(i))).items() if k != "event_id"}),
        b"{not json",
        b"",
        b"null",
        encode(event(i)).replace(b'"title":"', b'"title":"\xff\xfe'),  # invalid UTF-8
        encode(event(i)).replace(b'"title":"', b'"title":"\x01'),  # a raw control byte
    ]


def records(values: list[bytes], partition: int = 2) -> list[Record]:
    return [Record("tessera.events", partition, 1000 + k, b"k", v, 0) for k, v in enumerate(values)]


def staged(recs: list[Record], how: str, monkeypatch) -> tuple[list, list, set, datetime | None, bool]:
    with monkeypatch.context() as m:
        m.setattr(columnar, "KERNEL_MIN_ROWS", 0)
        if how == "numpy":
            m.setattr(columnar, "_kernel", None)
        elif how == "exact":
            m.setattr(loop, "columns", lambda values: None)
        out = loop._stage(recs)
    table = ArrowBuilder().build(out.batch, "tok")
    dead = [(p.record.offset, p.reason, p.dead_letter()) for p in out.poison]
    return table, dead, out.minutes, out.newest, out.batch.columns is not None


def agree(values: list[bytes], monkeypatch) -> bool:
    """All three decoders give the same table (values and types), poison, minutes and newest;
    True if the fast path took the block."""
    recs = records(values)
    exact, kernel, numpy = (staged(recs, how, monkeypatch) for how in ("exact", "kernel", "numpy"))
    for got in (kernel, numpy):
        assert got[0].schema == exact[0].schema
        assert got[0].to_pylist() == exact[0].to_pylist()
        assert got[0].equals(exact[0])
        assert got[1:4] == exact[1:4]
    assert kernel[4] == numpy[4]
    return kernel[4]


def test_shaped_records_are_all_read_by_the_kernel_and_agree(monkeypatch):
    values = [v for i in range(6) for v in shaped(i)]
    assert columnar.kernel() is not None, "numba is a dependency: the kernel must be there"
    monkeypatch.setattr(columnar, "KERNEL_MIN_ROWS", 0)
    rows = columnar._shaped(pa.array(values, pa.binary()).cast(pa.string()))[1]
    assert rows.tolist() == list(range(len(values)))
    assert agree(values, monkeypatch)


@pytest.mark.parametrize("make", [unshaped, poison], ids=["unshaped", "poison"])
def test_each_odd_record_in_a_shaped_block(make, monkeypatch):
    monkeypatch.setattr(columnar, "KERNEL_MIN_ROWS", 0)
    for k, value in enumerate(make(3)):
        values = [*shaped(1), value, *shaped(2)]
        took = agree(values, monkeypatch)
        if make is poison:
            assert not took, value  # poison: the exact path decides, and dead-letters it
        kernel_rows = columnar._shaped(pa.array(values, pa.binary()).cast(pa.string()))[1].tolist() if took else None
        if took:
            with monkeypatch.context() as m:
                m.setattr(columnar, "_kernel", None)
                assert columnar._shaped(pa.array(values, pa.binary()).cast(pa.string()))[1].tolist() == kernel_rows


def test_poison_goes_to_the_dead_letters_as_before(monkeypatch):
    values = [*shaped(0), *poison(1), *shaped(2)]
    recs = records(values)
    exact = staged(recs, "exact", monkeypatch)
    kernel = staged(recs, "kernel", monkeypatch)
    assert kernel[1] == exact[1] and len(kernel[1]) == len(poison(1))
    assert kernel[0].equals(exact[0]) and kernel[0].num_rows == 2 * len(shaped(0))


@pytest.mark.parametrize("seed", range(6))
def test_random_mixes(seed, monkeypatch):
    rng = random.Random(seed)
    pool = [v for i in range(4) for v in (*shaped(i), *shaped(i), *unshaped(i))]
    values = [rng.choice(pool) for _ in range(rng.choice([1, 2, 7, 64, 300]))]
    if seed % 3 == 0:
        values[rng.randrange(len(values))] = rng.choice(poison(seed))
    agree(values, monkeypatch)


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.fixed_dictionaries({name: _text for name in SHAPE.strings if name not in
                                              ("event_id", "ts", "received_at", "visitor")}), min_size=1, max_size=6),
       flags=st.lists(st.booleans(), min_size=6, max_size=6))
def test_any_field_text_agrees(values, flags, monkeypatch):
    """Any Unicode in the string fields (quotes, backslashes, control characters, emoji): the
    kernel takes what is verbatim and leaves the rest, and the result is the exact path's."""
    encoded = [encode(event(i, is_bot=flags[i], **fields)) for i, fields in enumerate(values)]
    agree([*shaped(0)[:2], *encoded], monkeypatch)


@pytest.mark.parametrize("odd", ['"', "\\", "\n", "\x1f", "\x7f", "\u00e9", "\U0001f600"],
                         ids=["quote", "backslash", "newline", "unit-separator", "delete", "e-acute", "emoji"])
def test_a_character_at_every_place_of_an_eight_byte_word(odd, monkeypatch):
    """The kernel looks for a value's end eight bytes at a time: a quote, a backslash or a control
    character (escaped by the encoder: not the shape) at any place in a word, near a value's or a
    record's end, is left to the other readers; a byte of 0x7F and up is none of them and is taken.
    Either way the result is the exact path's."""
    monkeypatch.setattr(columnar, "KERNEL_MIN_ROWS", 0)
    encoded = [encode(event(i, title="a" * before + odd + "b" * after, path="/" + "p" * before))
               for i, (before, after) in enumerate((b, a) for b in range(17) for a in (0, 1, 7, 8, 9))]
    values = [*shaped(0)[:2], *encoded]
    agree(values, monkeypatch)
    taken = columnar._shaped(pa.array(values, pa.binary()).cast(pa.string()))[1].tolist()
    escaped = odd in ('"', "\\", "\n", "\x1f")
    assert taken == ([0, 1] if escaped else list(range(len(values))))


def test_a_sliced_block_is_read_from_its_own_offsets(monkeypatch):
    monkeypatch.setattr(columnar, "KERNEL_MIN_ROWS", 0)
    values = [v for i in range(3) for v in shaped(i)]
    whole = pa.array([b"{}", *values], pa.binary()).cast(pa.string())
    table, rows, _ = columnar._shaped(whole.slice(1))
    assert rows.tolist() == list(range(len(values)))
    assert table.equals(columnar._shaped(pa.array(values, pa.binary()).cast(pa.string()))[0])


def test_small_blocks_do_not_load_the_kernel(monkeypatch):
    """A writer restarted often or idling at a few events a second never imports numba."""
    monkeypatch.setattr(columnar, "_kernel", False)
    values = [v for i in range(3) for v in shaped(i)]
    assert len(values) < columnar.KERNEL_MIN_ROWS
    assert columnar.columns(values) is not None
    assert columnar._kernel is False
    big = values * (columnar.KERNEL_MIN_ROWS // len(values) + 1)
    assert columnar.columns(big) is not None
    assert columnar._kernel is not False
