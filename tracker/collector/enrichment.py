"""Turn a captured hit into a TrackingEvent, or into a DeadLetter with the reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

import msgspec
from uuid_utils import uuid7

from tracker.collector.hit import Hit, PropValue
from tracker.collector.query import pairs
from tracker.collector.record import Clock, RecordTemplate
from tracker.enrich.agent import AgentParser
from tracker.enrich.page import KEPT_QUERY_PARAMS, BadUrl, Page, kept_referrer, page, referrer_host
from tracker.event import DeadLetter, TrackingEvent, stream_key

_encode = msgspec.json.Encoder().encode
MAX_SITE = 253
MAX_NAME = 120
MAX_URL = 4096
MAX_TITLE = 1024
MAX_UA = 1024
MAX_PROPS = 30
MAX_PROP_KEY = 100
MAX_PROP_VALUE = 1000
PAST_SKEW_S = 24 * 3600  # a client timestamp older than this is not believed
FUTURE_SKEW_S = 60


class Invalid(ValueError):
    pass


def event_time(received: float, client_ts: float | None) -> float:
    """The client's timestamp when it is sane, else the server's."""
    if client_ts is not None and received - PAST_SKEW_S <= client_ts <= received + FUTURE_SKEW_S:
        return client_ts
    return received


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


CLIENT_ID_NAMESPACE = uuid.NAMESPACE_URL


def client_event_id(site: str, candidate: str) -> str:
    """The event id for a sender's own id: the id itself when it is a UUID (Snowplow's
    ``eid``), else ``uuid5(NAMESPACE_URL, "tessera:<site>/<id>")`` of the normalised site,
    so one sender id is one event per site, and its retries are the same event."""
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        return str(uuid.uuid5(CLIENT_ID_NAMESPACE, f"tessera:{site}/{candidate}"))


def valid_event_id(candidate: str | None, fallback: str) -> str:
    if candidate:
        try:
            return str(uuid.UUID(candidate))
        except ValueError:
            pass
    return fallback


class PixelFields(NamedTuple):
    site: str
    name: str
    url: str
    referrer: str
    title: str
    props: tuple[tuple[str, str], ...]
    client_ts: float | None
    error: str


@lru_cache(maxsize=16384)
def pixel_fields(query: str) -> PixelFields:
    """A pixel query string's fields (``site``/``d``, ``url``/``u``, ``referrer``/``r``,
    ``title``, ``name``/``n``, ``p.<key>``, ``props`` JSON, ``ts`` ms).  Cached: the same
    page/referrer/title combination arrives from many visitors."""
    site = url = referrer = title = error = ""
    name = "pageview"
    props: dict = {}
    client_ts = None
    for key, value in pairs(query):
        if key == "site" or key == "d":
            site = value
        elif key == "url" or key == "u":
            url = value
        elif key == "referrer" or key == "r":
            referrer = value
        elif key == "title":
            title = value
        elif key == "name" or key == "n":
            name = value
        elif key.startswith("p."):
            props[key[2:]] = value
        elif key == "props":
            extra, error = json_props(value)
            props.update(extra)
        elif key == "ts" and value.isdigit():
            client_ts = int(value) / 1000
    return PixelFields(site, name, url, referrer, title, tuple(props.items()), client_ts, error)


@lru_cache(maxsize=16384)
def pixel_site(query: bytes) -> bytes:
    """The normalised site of a raw pixel query string, UTF-8 encoded and followed by NUL:
    the first part of the visitor hash's input.  Cached by the raw bytes (whose hash the
    flush task's template lookup then reuses)."""
    return normal_site(pixel_fields(query.decode("latin-1")).site).encode("utf-8", "surrogatepass") + b"\0"


def from_query(hit: Hit) -> Hit:
    """Fill a pixel hit's fields from its query string; the Referer stays the url fallback."""
    f = pixel_fields(hit.query)
    hit.site, hit.name, hit.referrer, hit.title, hit.client_ts, hit.error = (
        f.site, f.name, f.referrer, f.title, f.client_ts, f.error)
    hit.url = f.url or hit.url
    hit.props = dict(f.props)
    hit.query = ""
    return hit


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


def page_or_reason(url: str, kept: frozenset[str] = KEPT_QUERY_PARAMS) -> Page | str:
    """``page(url)``, or the reason it is bad."""
    try:
        return page(url, kept)
    except BadUrl as exc:
        return str(exc)


cached_referrer_host = lru_cache(maxsize=16384)(referrer_host)
cached_kept_referrer = lru_cache(maxsize=16384)(kept_referrer)


@lru_cache(maxsize=1024)
def normal_site(site: str) -> str:
    return site.strip().lower()




class Enricher:
    def __init__(self, agents: AgentParser, template_cache_size: int = 8192,
                 kept_query_params: frozenset[str] = KEPT_QUERY_PARAMS) -> None:
        self.agents = agents
        kept = frozenset(kept_query_params)
        # cached per URL: few distinct pages in real traffic
        self.page = lru_cache(maxsize=16384)(lambda url: page_or_reason(url, kept))
        self.template = lru_cache(maxsize=template_cache_size)(self._template)
        self.clock = Clock()
        self.fields_template = lru_cache(maxsize=template_cache_size)(self._fields_template)
        self.batch_template = lru_cache(maxsize=template_cache_size)(self._batch_template)

    def _batch_template(self, site: str, name: str, url: str, referrer: str, title: str,
                        user_agent: str) -> tuple[RecordTemplate, bytes] | str:
        """A batch event's pre-encoded record template and stream-key prefix, or the reason
        it is invalid.  Cached like ``fields_template``."""
        event = self.fields_template(site, name, url, referrer, title, user_agent)
        if type(event) is str:
            return event
        return RecordTemplate(event), site.encode() + b"\0"

    def _fields_template(self, site: str, name: str, url: str, referrer: str, title: str,
                         user_agent: str) -> TrackingEvent | str:
        """The event for these fields minus id, times, visitor and props; or the reason it is
        invalid.  Cached: a batch repeats the same pages and browsers many times."""
        hit = Hit(received=0.0, event_id="", visitor="", site=site, name=name, url=url, referrer=referrer,
                  title=title, user_agent=user_agent)
        try:
            return self.event(hit)
        except Invalid as exc:
            return str(exc)

    def _template(self, query: bytes, referer: bytes,
                  user_agent: bytes) -> tuple[RecordTemplate, float | None, bytes] | str:
        """Everything a pixel hit's record owes to its query, Referer and user agent (the
        pre-encoded event but for id, times and visitor; the sender's clock; the stream key's
        site part), or the reason it is invalid.  Cached: real traffic repeats the same page,
        referrer and browser for many visitors."""
        hit = Hit(received=0.0, event_id="", visitor="", url=referer.decode("latin-1"),
                  user_agent=user_agent.decode("latin-1"), query=query.decode("latin-1"))
        try:
            event = self.event(hit)
        except Invalid as exc:
            return str(exc)
        return RecordTemplate(event), hit.client_ts, event.site.encode() + b"\0"

    def records(self, hits: list) -> tuple[list[tuple[bytes, bytes]], list[DeadLetter]]:
        """Stream records (key, JSON value) for a flush's hits, and the dead letters.

        Pixel captures (tuples) are rendered from their cached template in this one loop:
        a UUIDv7, two timestamps and the visitor joined into pre-encoded bytes."""
        records: list[tuple[bytes, bytes]] = []
        dead: list[DeadLetter] = []
        template_of, iso = self.template, self.clock.iso
        second, prefix = -1, b""  # Clock.iso's seconds part, kept in the loop
        for hit in hits:
            if type(hit) is not tuple:
                result = self.attempt(hit)
                if type(result) is DeadLetter:
                    dead.append(result)
                else:
                    records.append((stream_key(result.site, result.visitor), _encode(result)))
                continue
            received, visitor, query, user_agent, referer = hit
            template = template_of(query, referer, user_agent)
            if type(template) is str:
                dead.append(DeadLetter(reason=template, raw=query.decode("latin-1"), source="pixel",
                                       received_at=datetime.fromtimestamp(received, UTC)))
                continue
            record, client_ts, key_prefix = template
            pieces = record.pieces
            if pieces is None:
                records.append((key_prefix + visitor, record.render(
                    str(uuid7()), received if client_ts is None else event_time(received, client_ts), received,
                    visitor.decode(), self.clock)))
                continue
            if received >= second and (micros := round((received - second) * 1_000_000)) < 1_000_000:
                # the same second as the previous hit: Clock.iso, inlined
                received_iso = prefix + b".%06dZ" % micros
            else:
                received_iso = iso(received)
                second = int(received)
                prefix = iso(second)[:19]  # (received_iso may have carried into the next second)
            p0, p1, p2, p3, p4 = pieces
            records.append((key_prefix + visitor, b"".join((
                p0, str(uuid7()).encode(), p1, received_iso if client_ts is None else iso(event_time(received, client_ts)),
                p2, received_iso, p3, visitor, p4))))
        return records, dead

    def event(self, hit: Hit) -> TrackingEvent:
        """Raise ``Invalid`` with the reason when the hit cannot be an event."""
        if hit.query:
            hit = from_query(hit)
        if hit.error:
            raise Invalid(hit.error)
        site = normal_site(hit.site)
        reason = check(site, hit.name, hit.url, hit.referrer, hit.title, hit.user_agent)
        if reason:
            raise Invalid(reason)
        where = self.page(hit.url)
        if isinstance(where, str):
            raise Invalid(where)
        agent = self.agents.parse(hit.user_agent)
        received = datetime.fromtimestamp(hit.received, UTC)
        ts = received if hit.client_ts is None else datetime.fromtimestamp(
            event_time(hit.received, hit.client_ts), UTC)
        return TrackingEvent(
            event_id=hit.event_id, ts=ts, received_at=received,
            site=site, name=hit.name, url=where.url, path=where.path,
            referrer=cached_kept_referrer(hit.referrer), referrer_host=cached_referrer_host(hit.referrer),
            title=hit.title,
            visitor=hit.visitor, user_agent=hit.user_agent,
            browser=agent.browser, os=agent.os, device=agent.device, is_bot=agent.is_bot,
            utm_source=where.utm_source, utm_medium=where.utm_medium, utm_campaign=where.utm_campaign,
            props=clean_props(hit.props) if hit.props else {})
    def attempt(self, hit: Hit) -> TrackingEvent | DeadLetter:
        try:
            return self.event(hit)
        except Invalid as exc:
            return DeadLetter(reason=str(exc), raw=hit.raw or msgspec.json.encode(hit).decode(),
                              source=hit.source, received_at=datetime.fromtimestamp(hit.received, UTC))
