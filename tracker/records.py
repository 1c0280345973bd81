"""The events stream's record format: one ``TrackingEvent`` as msgspec JSON, one record per event.

JSON stays on the wire (docs/decisions.md, "Writer: JSON on the stream, read by its shape"):
Pinot ingests the Kafka topic itself and people read it with ``kcat``.  ``encode`` is
the one encoder of a record; the collector's pre-encoded templates
(``tracker.collector.record``) are cut from its output, so every record has the same
bytes as ``encode`` would give: the fields in ``TrackingEvent``'s order, no whitespace,
UTF-8 unescaped, ``"`` ``\\`` and control characters escaped.

``SHAPE`` is what the writer relies on to read a block in bulk
(``tracker.writer.columnar``): a record is a fixed run of bytes, then a string value,
then another fixed run, and so on.  Those runs are derived here from ``encode`` itself and
checked against it at import, so a change to ``TrackingEvent`` cannot leave the reader
behind silently.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import product

import msgspec

from tracker.event import TrackingEvent

encode = msgspec.json.Encoder().encode


@dataclass(frozen=True, slots=True)
class Shape:
    """A record is ``runs[0] + v[0] + runs[1] + v[1] + ... + v[n-1] + runs[n]``, where ``v`` are the
    string-valued fields (``strings``, in order) and each run is one of its variants (the variants
    spell the boolean fields between two strings; ``flags[i][k]`` is the value of ``bools[i]``...)."""

    strings: tuple[str, ...]  # fields encoded as JSON strings (str and datetime), in record order
    runs: tuple[tuple[bytes, ...], ...]  # len(strings) + 1 runs, each with its variants
    flags: tuple[tuple[tuple[tuple[str, bool], ...], ...], ...]  # per run, per variant: (bool field, value)
    quotes: int  # '"' in a record with these runs (none inside the values)


def _shape() -> Shape:
    hints = typing.get_type_hints(TrackingEvent)
    strings: list[str] = []
    runs: list[list[bytes]] = []
    flags: list[list[tuple[tuple[str, bool], ...]]] = []
    current: list[tuple[bytes, tuple[tuple[str, bool], ...]]] = [(b"{", ())]
    for i, name in enumerate(TrackingEvent.__struct_fields__):
        key = (b"," if i else b"") + b'"' + name.encode() + b'":'
        hint = hints[name]
        if hint in (str, datetime):
            runs.append([run + key + b'"' for run, _ in current])
            flags.append([flag for _, flag in current])
            strings.append(name)
            current = [(b'"', ())]
        elif hint is bool:
            current = [(run + key + (b"true" if value else b"false"), flag + ((name, value),))
                       for (run, flag), value in product(current, (False, True))]
        elif name == "props":  # the one non-scalar field: only the empty object has a fixed shape
            current = [(run + key + b"{}", flag) for run, flag in current]
        else:
            raise TypeError(f"records.SHAPE does not know how to read {name}: {hint}")
    runs.append([run + b"}" for run, _ in current])
    flags.append([flag for _, flag in current])
    shape = Shape(tuple(strings), tuple(map(tuple, runs)), tuple(map(tuple, flags)),
                  sum(variants[0].count(b'"') for variants in runs))
    _check(shape)
    return shape


def _check(shape: Shape) -> None:
    """``encode`` of an event made up for the purpose is the runs with its values between them."""
    t = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    for flags in product((False, True), repeat=sum(len(f[0]) for f in shape.flags)):
        values = {name: f"v{i}" for i, name in enumerate(shape.strings)}
        values.update(ts=t, received_at=t)
        it = iter(flags)
        chosen = []
        for run_flags in shape.flags:
            want = tuple((name, next(it)) for name, _ in run_flags[0])
            chosen.append(run_flags.index(want))
            values.update(dict(want))
        event = TrackingEvent(**values)
        text = [encode(getattr(event, n)).strip(b'"') for n in shape.strings]
        built = b"".join(run[k] + (text[i] if i < len(text) else b"")
                         for i, (run, k) in enumerate(zip(shape.runs, chosen, strict=True)))
        if built != encode(event):
            raise AssertionError(f"records.SHAPE does not match the encoder: {built!r} != {encode(event)!r}")


SHAPE = _shape()
