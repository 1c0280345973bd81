"""Pre-encoded stream records for the pixel path.

A pixel hit's event differs from its cached template only in event id, timestamps and
visitor.  ``RecordTemplate`` encodes the template once with msgspec (so the bytes follow
``TrackingEvent`` exactly), cuts it at those four fields, and per hit joins the pieces
with the new values: no struct copy, no datetime object, no re-encoding of the other
~600 bytes.  A template whose other fields happen to contain a marker falls back to
encoding the struct.  A batch event's props vary per event, so the template is also cut
before its (empty) props: ``render_batch`` joins in the event's own encoded props.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import msgspec
from msgspec.structs import replace

from tracker.event import TrackingEvent
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
    def __init__(self, event: TrackingEvent) -> None:
        self.event = event
        data = _encode(replace(event, event_id=_ID, ts=_TS, received_at=_RECEIVED, visitor=_VISITOR))
        markers = [_encode(_ID), _encode(_TS), _encode(_RECEIVED), _encode(_VISITOR)]  # TrackingEvent's order
        positions = [data.find(marker) for marker in markers]
        self.pieces: tuple[bytes, ...] | None = None
        self.tail: tuple[bytes, bytes] | None = None  # the last piece cut before empty props
        self.batch_pieces: tuple[bytes, ...] | None = None  # pieces[:4] + tail, for the batch loop
        if any(data.count(marker) != 1 for marker in markers) or positions != sorted(positions):
            return  # a field's own content contains a marker: encode per hit instead
        pieces, at = [], 0
        for position, marker in zip(positions, markers):
            pieces.append(data[at:position + 1])  # up to and including the opening quote
            at = position + len(marker) - 1  # from the closing quote
        pieces.append(data[at:])
        self.pieces = tuple(pieces)
        if not event.props and pieces[-1].endswith(_EMPTY_PROPS_TAIL):
            self.tail = (pieces[-1][:-3], b"}")
            self.batch_pieces = (*pieces[:4], *self.tail)

    def render(self, event_id: str, ts: float, received: float, visitor: str, clock: Clock) -> bytes:
        pieces = self.pieces
        if pieces is None:
            return _encode(replace(self.event, event_id=event_id, visitor=visitor,
                                   ts=datetime.fromtimestamp(ts, UTC),
                                   received_at=datetime.fromtimestamp(received, UTC)))
        p0, p1, p2, p3, p4 = pieces
        received_iso = clock.iso(received)
        return b"".join((p0, event_id.encode(), p1, received_iso if ts == received else clock.iso(ts), p2,
                         received_iso, p3, visitor.encode(), p4))

    def render_batch(self, event_id: str, ts_iso: bytes, received_iso: bytes, visitor: bytes,
                     props: bytes) -> bytes:
        """The record of a batch event: times as ``Clock.iso`` bytes, props already encoded
        (a JSON object of strings, as msgspec encodes ``dict[str, str]``)."""
        pieces, tail = self.pieces, self.tail
        if pieces is None or tail is None:
            return _encode(replace(self.event, event_id=event_id, visitor=visitor.decode(),
                                   ts=_datetime(ts_iso), received_at=_datetime(received_iso),
                                   props=msgspec.json.decode(props)))
        return b"".join((pieces[0], event_id.encode(), pieces[1], ts_iso, pieces[2], received_iso, pieces[3],
                         visitor, tail[0], props, tail[1]))
