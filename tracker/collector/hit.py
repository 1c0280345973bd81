"""A hit as the collector captured it at the edge, before enrichment.

The IP address never gets here: the edge turns it into the visitor hash first.
"""

from __future__ import annotations

import msgspec


class Hit(msgspec.Struct, kw_only=True, gc=False):
    received: float  # epoch seconds, server clock
    event_id: str
    visitor: str
    site: str = ""
    name: str = "pageview"
    url: str = ""
    referrer: str = ""
    title: str = ""
    user_agent: str = ""
    props: dict = msgspec.field(default_factory=dict)
    client_ts: float | None = None  # epoch seconds, sender's clock
    source: str = "pixel"
    raw: str = ""  # what the sender sent, for the dead-letter topic
    error: str = ""  # set at the edge when the hit is already known to be invalid
    query: str = ""  # a pixel's query string, parsed in the flush task (off the hot path)


PropValue = str | int | float | bool | None
EMPTY_PROPS = (b"{}", b"null")


class IncomingEvent(msgspec.Struct, kw_only=True, gc=False):
    """One event of a JSON batch ``POST /api/v1/events``."""

    site: str = ""
    name: str = "pageview"
    url: str = ""
    referrer: str = ""
    title: str = ""
    props: msgspec.Raw = msgspec.Raw(b"{}")  # an object of PropValue, checked (and cached) by its bytes
    ts: float | str | None = None  # epoch milliseconds or ISO-8601
    event_id: str | None = None  # a sender's own UUID makes its retries idempotent
    id: str | None = None  # or any id of the sender's: the event id is derived from it (see client_event_id)
    user_agent: str | None = None  # a server-side sender forwards its visitor's
    ip: str | None = None  # used for the visitor hash only, never stored


class Envelope(msgspec.Struct):
    events: list[IncomingEvent]
