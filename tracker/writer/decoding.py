"""Stream record values -> TrackingEvents, or dead letters with the reason. Pure.

A value is poison when it is not a valid TrackingEvent or would be refused by the
events table (an ``event_id`` that is not a UUID, a ``visitor`` longer than its
``FixedString(16)``); one poison record never fails its neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import msgspec

from tracker.event import DeadLetter, TrackingEvent
from tracker.stream.port import Record

_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
_one = msgspec.json.Decoder(TrackingEvent)
_many = msgspec.json.Decoder(list[TrackingEvent])
_dead = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class Poison:
    record: Record
    reason: str

    def dead_letter(self) -> bytes:
        raw = self.record.value.decode("utf-8", errors="replace")
        source = f"{self.record.topic}/{self.record.partition}/{self.record.offset}"
        return _dead.encode(DeadLetter(reason=self.reason, raw=raw, source=source))


def refusal(event: TrackingEvent) -> str | None:
    """Why the events table would refuse this event, or None."""
    if not _UUID.fullmatch(event.event_id):
        return f"event_id is not a UUID: {event.event_id[:64]!r}"
    if len(event.visitor.encode()) > 16:
        return "visitor is longer than 16 bytes"
    return None


def decode_one(record: Record) -> TrackingEvent | Poison:
    try:
        event = _one.decode(record.value)
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:  # bad UTF-8 raises the latter
        return Poison(record, f"invalid event: {exc}")
    reason = refusal(event)
    return Poison(record, reason) if reason else event


def decode(records: list[Record]) -> list[TrackingEvent | Poison]:
    """Decode all values; the common all-valid case costs one msgspec call."""
    if not records:
        return []
    try:
        events = _many.decode(b"[" + b",".join(r.value for r in records) + b"]")
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError):
        return [decode_one(r) for r in records]
    if len(events) != len(records):  # a value smuggled a "," and looked like two
        return [decode_one(r) for r in records]
    out: list[TrackingEvent | Poison] = []
    for record, event in zip(records, events, strict=True):
        reason = refusal(event)
        out.append(Poison(record, reason) if reason else event)
    return out
