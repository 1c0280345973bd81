"""The collector's use cases, free of any web framework: take an event, store its record.

Every endpoint reads top to bottom the same way: the edge hands over what was sent and
its ``Sender``; the intake turns that into captures (``params.pixel_capture``, the batch
decoder, ``compat`` for Plausible and Snowplow); ``records`` — the one function for all
of them — turns captures into stream records through the same steps (``visitor``,
``prepare``: validation, enrichment and props, ``event_iso``, ``RecordTemplate.render``)
and dead letters; ``GroupCommit.store`` returns once they are on the stream or the
spill.  The pixel takes those steps for its one capture in its own request, with what
depends only on its query string, user agent and Referer cached as a ``PixelPlan``: a
hit costs one cache look-up, the visitor's hash, a UUIDv7, a timestamp and a join.
Every cache here is bounded in entries and in key size, so a flood cannot grow it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Awaitable, Callable, NamedTuple, Sequence
from urllib.parse import parse_qsl

import msgspec
from uuid_utils import uuid7

from gatekeeper.json_depth import TooDeep, check_depth
from tracker.collector import compat
from tracker.collector.capture import EMPTY_PROPS, Envelope, IncomingEvent, Rejected
from tracker.collector.committer import Counters, GroupCommit
from tracker.collector.enrichment import Enricher
from tracker.collector.params import pixel_capture
from tracker.collector.record import Clock, RecordTemplate, dead_record
from tracker.collector.seen import SeenIds
from tracker.collector.sender import Sender
from tracker.collector.validation import client_event_id, client_ts, encoded_props, event_time, normal_site
from tracker.enrich.visitor import VisitorHasher
from tracker.event import DeadLetter

_encode = msgspec.json.Encoder().encode
_batch = msgspec.json.Decoder(list[IncomingEvent] | Envelope)
_items = msgspec.json.Decoder(list[msgspec.Raw] | dict[str, list[msgspec.Raw]])
_one = msgspec.json.Decoder(IncomingEvent)
_any = msgspec.json.Decoder()
DNT = "do not track"


class BadRequest(ValueError):
    pass


def valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is strict UTF-8 (no lone surrogates): only asked after a decode failed."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def too_deep(body: bytes, limit: int) -> BadRequest:
    """The 400 for a body a parser found too deep (``check_depth`` names the limit)."""
    try:
        check_depth(body, limit)
    except TooDeep as exc:
        return BadRequest(f"body: {exc}")
    return BadRequest(f"body: JSON nested deeper than the parser allows (limit {limit})")


def shallow(body: bytes, limit: int) -> None:
    """Refuse a body nested deeper than ``limit`` before parsing it generically."""
    try:
        check_depth(body, limit)
    except TooDeep as exc:
        raise BadRequest(f"body: {exc}") from None


class Result(msgspec.Struct, omit_defaults=True, gc=False):
    index: int
    status: str
    event_id: str | None = None
    error: str | None = None


class Report(msgspec.Struct, omit_defaults=True):
    accepted: int
    rejected: int
    results: list[Result]
    duplicates: int = 0  # retries of events already stored (same id): not stored again


# A valid capture but for its visitor, event id and times: its record template, the stream
# key's site part, its props cleaned and encoded (a plain tuple: one is made per batch event).
Prepared = tuple[RecordTemplate, bytes, bytes]


class PixelPlan(NamedTuple):
    """What a pixel query string becomes for a user agent and Referer, before the visitor."""

    site: str
    prepared: Prepared | str  # or the reason the hit is invalid
    ts: float | None  # the sender's time (epoch ms), if it gave one


PLAN_KEY_MAX = 4096  # query + user agent + Referer longer than this: a pixel plan is not cached
# Fields (site, name, URL, referrer, title, user agent, props) longer than this together are not
# cached (they are computed each time): real events are far shorter, and an attacker's keys stay
# small (at most 8,192 entries of this size in ``Intake.prepared`` and in the enricher's templates)
CACHED_FIELDS_MAX = 4096


class Records(msgspec.Struct, gc=False):
    """What ``Intake.records`` made of a request's captures."""

    events: list[tuple[bytes, bytes]]
    dead: list[tuple[bytes, bytes]]
    claimed: list[str]  # client event ids, stored with the events (see SeenIds)
    results: list[Result]  # one per capture, in order
    duplicates: int  # retries of events already stored or on their way

    def report(self) -> Report:
        accepted = len(self.events)
        return Report(accepted=accepted, rejected=len(self.results) - accepted - self.duplicates,
                      results=self.results, duplicates=self.duplicates)


class Intake:
    def __init__(self, hasher: VisitorHasher, committer: GroupCommit, enricher: Enricher, counters: Counters,
                 dnt_policy: str = "drop", max_batch_events: int = 10_000,
                 clock: Callable[[], float] = time.time, max_json_depth: int = 32,
                 seen: SeenIds | None = None) -> None:
        self.hasher, self.committer, self.enricher, self.counters = hasher, committer, enricher, counters
        self.anonymise = dnt_policy == "anonymise"
        self.max_batch_events = max_batch_events
        self.clock = clock
        self.max_json_depth = max_json_depth
        self.seen = seen
        self.iso = Clock().iso
        self.template_of = enricher.template
        self.prepared = lru_cache(maxsize=8192)(self._prepare)
        self.pixel_plan = lru_cache(maxsize=8192)(self._pixel_plan)

    # -- the one way from captures to records -------------------------------------------------
    def records(self, source: str, captures: Sequence[IncomingEvent | Rejected], sender: Sender, now: float,
                raws: Sequence[str] | None = None) -> Records:
        """Stream records and dead letters for a request's captures, and a result for each.

        Per capture: the visitor (``visitor``: DNT first), ``prepare`` (validation,
        enrichment — the cached record template — and props), the client's event id (a
        retry is a duplicate), the event time (``event_iso``), the rendered bytes.
        Visitors and prepared shapes are cached for the request only.  ``raws``: what the
        dead-letter topic keeps of each capture (by default the capture itself, without its IP).  The pixel and the drop-ins fall back
        to the Referer for a missing page URL; a batch does not (its sender is usually not
        the page).
        """
        counters, prepare, visitor_of, event_iso = self.counters, self.prepare, self.visitor, self.event_iso
        received_iso = self.iso(now)
        events: list[tuple[bytes, bytes]] = []
        dead: list[tuple[bytes, bytes]] = []
        claimed: list[str] = []
        results: list[Result] = []
        add_event, add_result = events.append, results.append
        duplicates = 0
        # Both live as long as the request (so no flood can grow them beyond its own size):
        # a visitor per (site as sent, IP, user agent), and ``prepare``'s answer (with the
        # normalised site) per event shape, so a batch repeating a page pays for it once.
        visitors: dict[tuple[str, str, str], bytes | None] = {}
        shapes: dict[tuple, tuple[str, Prepared | str]] = {}
        sender_ip, sender_ua, dnt = sender.ip, sender.user_agent, sender.dnt
        referer = "" if source == "batch" else sender.referer
        for index, item in enumerate(captures):
            if type(item) is Rejected:
                reason, raw = item
            else:
                ua = sender_ua if item.user_agent is None else item.user_agent
                sent_site = item.site
                key = (sent_site, item.ip or sender_ip, ua)
                visitor = visitors.get(key, False)
                if visitor is False:
                    visitor = visitors[key] = visitor_of(normal_site(sent_site), key[1], ua, dnt, now)
                if visitor is None:
                    counters.dropped_dnt += 1
                    add_result(Result(index, "rejected", error=DNT))
                    continue
                shape = (sent_site, item.name, item.url, item.referrer, item.title, ua, bytes(item.props))
                got = shapes.get(shape)
                if got is None:
                    site = normal_site(sent_site)
                    prepared = prepare(item, site, ua, referer)
                    got = shapes[shape] = (site, prepared)
                site, prepared = got
                if type(prepared) is tuple:
                    sent_id = item.event_id or item.id
                    if sent_id:
                        event_id = client_event_id(site, sent_id)
                        if not self._claim(event_id):  # a retry of an event stored or on its way
                            duplicates += 1
                            add_result(Result(index, "duplicate", event_id))
                            continue
                        claimed.append(event_id)
                    else:
                        event_id = str(uuid7())
                    template, key_prefix, props = prepared
                    ts = item.ts
                    add_event((key_prefix + visitor, template.render(
                        event_id, received_iso if ts is None else event_iso(ts, now, received_iso), received_iso,
                        visitor, props)))
                    add_result(Result(index, "accepted", event_id))
                    continue
                reason = prepared
                # props stay raw until here and may hold bad UTF-8: the dead letter keeps them, replaced
                raw = raws[index] if raws is not None else \
                    _encode(msgspec.structs.replace(item, ip=None)).decode("utf-8", "replace")
            dead.append(self.dead_letter(reason, raw, source, now))
            results.append(Result(index, "rejected", error=reason))
        counters.accepted += len(events)
        if duplicates:
            counters.duplicates += duplicates
        return Records(events, dead, claimed, results, duplicates)

    def visitor(self, site: str, ip: str, user_agent: str, dnt: bool, now: float) -> bytes | None:
        """The visitor: None for a DNT hit that is dropped, b"" for one that is anonymised,
        else the keyed hash of site, IP and user agent (the IP goes no further)."""
        if dnt:
            return b"" if self.anonymise else None
        return self.hasher.digest(f"{site}\0{ip}\0{user_agent}".encode("utf-8", "surrogatepass"), now)

    def prepare(self, item: IncomingEvent, site: str, user_agent: str, referer: str) -> Prepared | str:
        """A capture validated and enriched (its record template) with its props cleaned; or
        the reason it is invalid.  Cached by the fields it depends on, unless they are longer
        than any valid event's (``CACHED_FIELDS_MAX``): a cache key never holds a flood."""
        url, props = item.url or referer, bytes(item.props)
        if (len(site) + len(item.name) + len(url) + len(item.referrer) + len(item.title) + len(user_agent)
                + len(props)) <= CACHED_FIELDS_MAX:
            return self.prepared(site, item.name, url, item.referrer, item.title, user_agent, props)
        return self._prepare(site, item.name, url, item.referrer, item.title, user_agent, props, cached=False)

    def _prepare(self, site: str, name: str, url: str, referrer: str, title: str, user_agent: str, props: bytes,
                 cached: bool = True) -> Prepared | str:
        template = (self.template_of if cached else self.enricher.uncached_template)(
            site, name, url, referrer, title, user_agent)
        if type(template) is str:
            return template
        if props in EMPTY_PROPS:
            props = b"{}"
        else:
            props = (encoded_props if cached else encoded_props.__wrapped__)(props)
            if type(props) is str:
                return props
        return template[0], template[1], props

    def event_iso(self, ts: float | str | None, now: float, received_iso: bytes) -> bytes:
        """The event time: the sender's ``ts`` when it is readable and sane, else the received time."""
        if ts is None:
            return received_iso
        sent = client_ts(ts)
        return received_iso if sent is None else self.iso(event_time(now, sent))

    def dead_letter(self, reason: str, raw: str, source: str, now: float) -> tuple[bytes, bytes]:
        self.counters.reject(reason)
        return dead_record(DeadLetter(reason=reason, raw=raw, source=source,
                                      received_at=datetime.fromtimestamp(now, UTC)))

    def _claim(self, event_id: str) -> bool:
        """False when a client's event id is stored or on its way already (a retry)."""
        return self.seen is None or self.seen.claim(event_id)

    def _store(self, records: Records) -> Awaitable | None:
        """What to await until the records are durable; None when there is nothing to wait
        for (every capture dropped for DNT).  A duplicate waits for its original's group."""
        if records.events or records.dead or records.duplicates:
            return self.committer.store(records.events, records.dead, records.claimed)
        return None

    async def _stored(self, records: Records) -> Records:
        stored = self._store(records)
        if stored is not None:
            await stored
        return records

    # -- the pixel (hot path) -----------------------------------------------------------------
    def pixel(self, query: bytes, sender: Sender, now: float) -> Awaitable | None:
        """``GET /t.gif``: what to await until the hit is durable (None: dropped for DNT).
        Not a coroutine: the pixel's request awaits the group commit's future itself."""
        records = self.pixel_records(query, sender, now)
        return None if records is None else self.committer.store(*records)

    def pixel_records(self, query: bytes, sender: Sender, now: float) -> tuple[tuple, tuple] | None:
        """A pixel hit's (events, dead letters) records for ``GroupCommit``; None: dropped for DNT.

        ``records`` for one capture, the same steps in the same order (capture, visitor
        with DNT first, ``prepare``, id, time, render), without the per-request
        bookkeeping, and with everything that depends only on the query string, the
        user agent and the Referer cached together (``pixel_plan``): a hit costs a cache
        look-up, the visitor's hash, a UUIDv7, a timestamp and a join."""
        user_agent, referer = sender.user_agent, sender.referer
        if len(query) + len(user_agent) + len(referer) <= PLAN_KEY_MAX:
            plan = self.pixel_plan(query, user_agent, referer)
        else:  # an outsized hit is not cached: it cannot crowd out the real traffic's plans
            plan = self._pixel_plan(query, user_agent, referer, cached=False)
        if type(plan) is PixelPlan:
            site, prepared, ts = plan
            visitor = self.visitor(site, sender.ip, user_agent, sender.dnt, now)
            if visitor is None:
                self.counters.dropped_dnt += 1
                return None
            if type(prepared) is tuple:  # a pixel carries no client id: never a duplicate
                template, key_prefix, props = prepared
                received_iso = self.iso(now)
                ts_iso = received_iso if ts is None else self.event_iso(ts, now, received_iso)
                self.counters.accepted += 1
                return ((key_prefix + visitor, template.render(str(uuid7()), ts_iso, received_iso, visitor, props)),), ()
            reason = prepared
        else:
            reason = plan.reason
        return (), (self.dead_letter(reason, query.decode("latin-1"), "pixel", now),)

    def _pixel_plan(self, query: bytes, user_agent: str, referer: str, cached: bool = True) -> PixelPlan | Rejected:
        capture = (pixel_capture if cached else pixel_capture.__wrapped__)(query.decode("latin-1"))
        if type(capture) is Rejected:
            return capture
        site = normal_site(capture.site)
        return PixelPlan(site, self.prepare(capture, site, user_agent, referer), capture.ts)

    # -- drop-in trackers ---------------------------------------------------------------------
    async def snowplow_pixel(self, query: str, sender: Sender) -> None:
        """``GET /i``: returns once the hit is durable; an event naming no site is a 400."""
        fields = compat.snowplow(dict(parse_qsl(query)))
        if not fields["site"]:
            raise BadRequest(compat.NO_SITE)
        await self._stored(self.records("snowplow", (compat.capture(fields, query),), sender, self.clock(), (query,)))

    async def snowplow_post(self, body: bytes, sender: Sender) -> int:
        shallow(body, self.max_json_depth)
        try:
            items = compat.snowplow_payload(_any.decode(body))
        except (msgspec.DecodeError, ValueError) as exc:
            raise BadRequest(f"invalid Snowplow payload: {exc}") from None
        fields = [compat.snowplow(item) for item in items]
        if fields and not any(f["site"] for f in fields):
            raise BadRequest(compat.NO_SITE)
        raws = [_encode(item).decode() for item in items]
        captures = [compat.capture(f, raw) for f, raw in zip(fields, raws)]
        return len((await self._stored(self.records("snowplow", captures, sender, self.clock(), raws))).events)

    async def plausible(self, body: bytes, sender: Sender) -> int:
        shallow(body, self.max_json_depth)
        try:
            fields = compat.plausible(_any.decode(body))
        except (msgspec.DecodeError, ValueError) as exc:
            raise BadRequest(f"invalid Plausible event: {exc}") from None
        raw = body.decode("utf-8", "replace")
        captures = [compat.capture(f, raw) for f in fields]
        return len((await self._stored(self.records("plausible", captures, sender, self.clock(),
                                                   [raw] * len(captures)))).events)

    # -- the JSON batch -----------------------------------------------------------------------
    def _decode_batch(self, body: bytes) -> list[IncomingEvent | Rejected]:
        """Events, or ``Rejected`` for the ones that do not even decode (bad JSON types,
        invalid UTF-8: one such event never costs its neighbours)."""
        # No depth check up front: a big batch has thousands of brackets, which would send
        # check_depth to its byte-by-byte scan; the parser's own RecursionError is the signal.
        try:
            decoded = _batch.decode(body)
            return decoded.events if isinstance(decoded, Envelope) else decoded
        except (msgspec.ValidationError, UnicodeDecodeError):  # msgspec < 0.23 raises the latter for bad UTF-8
            pass
        except msgspec.DecodeError as exc:
            if valid_utf8(body):  # msgspec >= 0.23 raises DecodeError for bad UTF-8: decode one by one
                raise BadRequest(f"body is not JSON: {exc}") from None
        except RecursionError:
            raise too_deep(body, self.max_json_depth) from None
        try:
            raws = _items.decode(body)
        except RecursionError:
            raise too_deep(body, self.max_json_depth) from None
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise BadRequest(f"expected a JSON array of events or {{\"events\": [...]}}: {exc}") from None
        if isinstance(raws, dict):
            if "events" not in raws:
                raise BadRequest('expected a JSON array of events or {"events": [...]}')
            raws = raws["events"]
        out: list[IncomingEvent | Rejected] = []
        for raw in raws:
            try:
                out.append(_one.decode(raw))
            except RecursionError:
                raise too_deep(body, self.max_json_depth) from None
            except (msgspec.DecodeError, UnicodeDecodeError) as exc:
                reason = exc if valid_utf8(bytes(raw)) else "text is not valid utf-8"
                out.append(Rejected(f"invalid event: {reason}", bytes(raw).decode("utf-8", "replace")))
        return out

    async def batch(self, body: bytes, sender: Sender) -> Report:
        """Validate and enrich every event, make the good ones durable, report on each."""
        captures = self._decode_batch(body)
        if len(captures) > self.max_batch_events:
            raise BadRequest(f"too many events: {len(captures)} > {self.max_batch_events}")
        return (await self._stored(self.records("batch", captures, sender, self.clock()))).report()
