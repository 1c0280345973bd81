"""What makes a captured event valid: field limits, props, timestamps, client event ids.

Pure functions over plain values, shared by every intake (pixel, batch, Plausible,
Snowplow); ``Enricher`` applies ``check`` before it builds a record template.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache

import msgspec

from tracker.event import FUTURE_SKEW_S, PAST_SKEW_S

_encode = msgspec.json.Encoder().encode
PropValue = str | int | float | bool | None
MAX_SITE = 253
MAX_NAME = 120
MAX_URL = 4096
MAX_TITLE = 1024
MAX_UA = 1024
MAX_PROPS = 30
MAX_PROP_KEY = 100
MAX_PROP_VALUE = 1000
CLIENT_ID_NAMESPACE = uuid.NAMESPACE_URL


class Invalid(ValueError):
    pass


def normal_site(site: str) -> str:
    return site.strip().lower()  # no cache: as cheap as a look-up, and a long site is not kept


def check(site: str, name: str, url: str, referrer: str, title: str, user_agent: str) -> str:
    """The reason a hit is invalid, or "" (``site`` already stripped and lower-cased)."""
    if not site:
        return "missing site"
    if len(site) > MAX_SITE:
        return "oversize site"
    if len(name) > MAX_NAME or not name:
        return "bad event name"
    if len(url) > MAX_URL or len(referrer) > MAX_URL:
        return "oversize url"
    if len(title) > MAX_TITLE:
        return "oversize title"
    if len(user_agent) > MAX_UA:
        return "oversize user agent"
    return ""


def event_time(received: float, client_ts: float | None) -> float:
    """The client's timestamp when it is sane, else the server's."""
    if client_ts is not None and received - PAST_SKEW_S <= client_ts <= received + FUTURE_SKEW_S:
        return client_ts
    return received


def client_ts(value: float | str | None) -> float | None:
    """A sender's timestamp (epoch milliseconds, or ISO-8601) in epoch seconds; None if unreadable."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return value / 1000


def clean_props(props: dict) -> dict[str, str]:
    """Props as strings (non-strings JSON-encoded, nulls dropped), within the size limits."""
    if len(props) > MAX_PROPS:
        raise Invalid(f"too many props: {len(props)} > {MAX_PROPS}")
    out: dict[str, str] = {}
    for key, value in props.items():
        if type(value) is not str:
            if value is None:
                continue
            value = msgspec.json.encode(value).decode()
        if type(key) is not str:
            key = str(key)
        if len(key) > MAX_PROP_KEY or len(value) > MAX_PROP_VALUE:
            raise Invalid(f"oversize prop {key[:40]!r}")
        out[key] = value
    return out


_props = msgspec.json.Decoder(dict[str, PropValue])


@lru_cache(maxsize=4096)
def encoded_props(raw: bytes) -> bytes | str:
    """Props as sent (their JSON text) cleaned and re-encoded, or the reason they are
    invalid.  Cached by the text: a batch repeats the same few props many times."""
    try:
        return _encode(clean_props(_props.decode(raw)))
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # the batch kept props raw: bad UTF-8 shows here
        return f"invalid event: props: {exc}"
    except Invalid as exc:
        return str(exc)


def json_props(value) -> tuple[dict, str]:
    """Props given as an object or as a JSON string; returns (props, error)."""
    if value is None or value == "":
        return {}, ""
    if isinstance(value, str):
        try:
            value = msgspec.json.decode(value)
        except (msgspec.DecodeError, RecursionError):
            return {}, "props are not JSON"
    if not isinstance(value, dict):
        return {}, "props must be an object"
    return value, ""


def client_event_id(site: str, candidate: str) -> str:
    """The event id for a sender's own id: the id itself when it is a UUID (Snowplow's
    ``eid``), else ``uuid5(NAMESPACE_URL, "tessera:<site>/<id>")`` of the normalised site,
    so one sender id is one event per site, and its retries are the same event."""
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        return str(uuid.uuid5(CLIENT_ID_NAMESPACE, f"tessera:{site}/{candidate}"))
