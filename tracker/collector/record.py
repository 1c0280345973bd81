"""Stream records as bytes: the one place the collector renders them.

An event's record differs from its cached template only in event id, timestamps,
visitor and props.  ``RecordTemplate`` encodes the template once with msgspec (so the
bytes follow ``TrackingEvent`` exactly), cuts it at those fields, and ``render`` joins
the pieces with each event's values: no struct copy, no datetime object, no
re-encoding of the other ~600 bytes.  A template whose other fields happen to contain
a marker falls back to encoding the struct.  ``dead_record`` renders a dead letter.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import msgspec
from msgspec.structs import replace

from tracker.event import DeadLetter, TrackingEvent
from tracker.records import encode as _encode  # the stream record format: its one encoder

_ID, _VISITOR = "\x02event-id\x02", "\x02visitor\x02"
_TS = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
_RECEIVED = datetime(1970, 1, 1, 0, 0, 0, 2, tzinfo=UTC)
_EMPTY_PROPS_TAIL = b'"props":{}}'  # props is TrackingEvent's last field


def _datetime(iso: bytes) -> datetime:
    return datetime.fromisoformat(iso.decode().replace("Z", "+00:00"))


class Clock:
    """RFC 3339 UTC timestamps (the inside of a JSON string), the seconds part cached."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = b""

    def iso(self, epoch: float) -> bytes:
        second = int(epoch)  # epoch >= 0; rounded as datetime.fromtimestamp rounds (half-even)
        micros = round((epoch - second) * 1_000_000)
        if micros == 1_000_000:
            second, micros = second + 1, 0
        if second != self._second:
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)).encode()
            self._second = second
        return self._prefix + b".%06dZ" % micros


class RecordTemplate:
    """A ``TrackingEvent`` (its props empty) pre-encoded, cut where each event differs."""

    def __init__(self, event: TrackingEvent) -> None:
        self.event = event
        data = _encode(replace(event, event_id=_ID, ts=_TS, received_at=_RECEIVED, visitor=_VISITOR, props={}))
        markers = [_encode(_ID), _encode(_TS), _encode(_RECEIVED), _encode(_VISITOR)]  # TrackingEvent's order
        positions = [data.find(marker) for marker in markers]
        self.pieces: tuple[bytes, ...] | None = None
        if (any(data.count(marker) != 1 for marker in markers) or positions != sorted(positions)
                or not data.endswith(_EMPTY_PROPS_TAIL)):
            return  # a field's own content contains a marker: encode per event instead
        pieces, at = [], 0
        for position, marker in zip(positions, markers):
            pieces.append(data[at:position + 1])  # up to and including the opening quote
            at = position + len(marker) - 1  # from the closing quote
        pieces.append(data[at:-3])  # up to `"props":`
        pieces.append(b"}")
        self.pieces = tuple(pieces)

    def render(self, event_id: str, ts_iso: bytes, received_iso: bytes, visitor: bytes, props: bytes) -> bytes:
        """The record's bytes: times as ``Clock.iso`` gives them, the visitor as ASCII, props
        already encoded (a JSON object of strings, as msgspec encodes ``dict[str, str]``)."""
        pieces = self.pieces
        if pieces is None:
            return _encode(replace(self.event, event_id=event_id, visitor=visitor.decode(),
                                   ts=_datetime(ts_iso), received_at=_datetime(received_iso),
                                   props=msgspec.json.decode(props)))
        p0, p1, p2, p3, p4, p5 = pieces
        return b"".join((p0, event_id.encode(), p1, ts_iso, p2, received_iso, p3, visitor, p4, props, p5))


def dead_record(dead: DeadLetter) -> tuple[bytes, bytes]:
    """A dead letter's record: keyed by its source, the JSON of the letter."""
    return dead.source.encode(), _encode(dead)
