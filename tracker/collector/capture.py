"""An event as the collector captured it at the edge, before it becomes a record.

Every intake — the pixel's query string, a JSON batch, Plausible's and Snowplow's
bodies — turns what it was sent into ``IncomingEvent``s (the batch's own wire shape,
which msgspec decodes straight from the body), or into a ``Rejected`` when the event
is already known to be invalid.  ``Intake.records`` turns either into stream records.
The IP address of the request itself is not here: it stays in the ``Sender``.
"""

from __future__ import annotations

from typing import NamedTuple

import msgspec

from tracker.collector.validation import Invalid, clean_props

_encode = msgspec.json.Encoder().encode
EMPTY_PROPS = (b"{}", b"null")


class IncomingEvent(msgspec.Struct, kw_only=True, gc=False):
    """One captured event; also one event of a JSON batch ``POST /api/v1/events``."""

    site: str = ""
    name: str = "pageview"
    url: str = ""
    referrer: str = ""
    title: str = ""
    props: msgspec.Raw = msgspec.Raw(b"{}")  # an object of PropValue, checked (and cached) by its bytes
    ts: float | str | None = None  # epoch milliseconds or ISO-8601
    event_id: str | None = None  # a sender's own UUID makes its retries idempotent
    id: str | None = None  # or any id of the sender's: the event id is derived from it (see client_event_id)
    user_agent: str | None = None  # a server-side sender forwards its visitor's (None: the request's)
    ip: str | None = None  # used for the visitor hash only, never stored (None: the request's)


class Envelope(msgspec.Struct):
    events: list[IncomingEvent]


class Rejected(NamedTuple):
    """An event known to be invalid when it was captured: the reason, and what was sent."""

    reason: str
    raw: str


def captured(raw: str, *, site: str, name: str = "pageview", url: str = "", referrer: str = "", title: str = "",
             props: dict | None = None, ts: float | None = None, event_id: str | None = None,
             error: str = "") -> IncomingEvent | Rejected:
    """A capture from a drop-in tracker's or the pixel's loose fields (``ts`` in epoch ms;
    props any JSON object, non-string values kept as their JSON text), or why it is invalid."""
    if error:
        return Rejected(error, raw)
    try:
        encoded = _encode(clean_props(props)) if props else b"{}"
    except Invalid as exc:
        return Rejected(str(exc), raw)
    return IncomingEvent(site=site, name=name, url=url, referrer=referrer, title=title, props=msgspec.Raw(encoded),
                         ts=ts, event_id=event_id)
