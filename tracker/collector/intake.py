"""The collector's use cases, free of any web framework: take a hit, take a batch.

The pixel's request does nothing but note the clock and keep its ASGI scope; the
flush task turns each group of captures into hits (``pixel_hits``: headers, DNT, the
visitor hash — the IP goes no further) and renders them (user-agent parsing, bot
detection, URL parsing, validation and encoding, cached per query, Referer and user
agent).  Work done in one tight loop per group commit costs less than the same work
spread over requests, between which the server's own code runs.  Batch
requests are validated and enriched inline, because their answer reports on every event.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Callable, NamedTuple
from urllib.parse import parse_qsl

import msgspec
from uuid_utils import uuid7

from tracker.collector import compat
from tracker.collector.committer import Counters, GroupCommit, dead_record, encode
from tracker.collector.enrichment import (
    Enricher,
    encoded_props,
    event_time,
    normal_site,
    pixel_site,
    valid_event_id,
)
from tracker.collector.hit import EMPTY_PROPS, Envelope, Hit, IncomingEvent
from tracker.enrich.visitor import VisitorHasher
from tracker.event import DeadLetter, stream_key

log = logging.getLogger(__name__)
_batch = msgspec.json.Decoder(list[IncomingEvent] | Envelope)
_items = msgspec.json.Decoder(list[msgspec.Raw] | dict[str, list[msgspec.Raw]])
_one = msgspec.json.Decoder(IncomingEvent)
_any = msgspec.json.Decoder()


class Client(NamedTuple):
    """What the request itself says about its sender."""

    ip: str
    user_agent: str
    referer: str
    dnt: bool


class BadRequest(ValueError):
    pass


def _uuid7() -> str:
    return str(uuid7())


def _client_ts(value: float | str | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return value / 1000


class Intake:
    def __init__(self, hasher: VisitorHasher, committer: GroupCommit, enricher: Enricher, counters: Counters,
                 dnt_policy: str = "drop", max_batch_events: int = 10_000,
                 clock: Callable[[], float] = time.time, trust_forwarded: bool = False) -> None:
        self.hasher, self.committer, self.enricher, self.counters = hasher, committer, enricher, counters
        self.anonymise = dnt_policy == "anonymise"
        self.max_batch_events = max_batch_events
        self.clock = clock
        self.trust_forwarded = trust_forwarded

    def _visitor(self, client: Client, site: str, now: float) -> str | None:
        """The visitor hash; "" when anonymised; None when the hit must not be recorded."""
        if client.dnt:
            if not self.anonymise:
                self.counters.dropped_dnt += 1
                return None
            return ""
        return self.hasher.visitor(site, client.ip, client.user_agent, now)

    def _hit(self, fields: dict, client: Client, source: str, raw: str, now: float) -> Hit | None:
        site = fields.get("site") or ""
        visitor = self._visitor(client, site.strip().lower(), now)
        if visitor is None:
            return None
        return Hit(received=now, event_id=valid_event_id(fields.get("event_id"), _uuid7()), visitor=visitor,
                   site=site, name=fields.get("name") or "pageview", url=fields.get("url") or client.referer,
                   referrer=fields.get("referrer") or "", title=fields.get("title") or "",
                   user_agent=client.user_agent, props=fields.get("props") or {}, client_ts=fields.get("ts"),
                   source=source, raw=raw, error=fields.get("error") or "")

    # -- the pixel (hot path) ------------------------------------------------------------
    def pixel_hits(self, captures: list[tuple[float, dict]]) -> list[tuple]:
        """The flush task's half of the pixel: (time, ASGI scope) captures to the hit tuples
        ``Enricher.records`` renders, ``(received, visitor, query, user agent, Referer)`` as
        raw bytes; the IP goes into the visitor hash and no further.  DNT/GPC hits are
        dropped or anonymised by policy; a capture that fails is logged and skipped."""
        out = []
        digest, anonymise, trust = self.hasher.digest, self.anonymise, self.trust_forwarded
        for now, scope in captures:
            try:
                headers = dict(scope["headers"])  # ASGI header names are lower-case
                get = headers.get
                query, user_agent = scope["query_string"], get(b"user-agent", b"")
                if get(b"dnt") == b"1" or get(b"sec-gpc") == b"1":
                    if not anonymise:
                        self.counters.dropped_dnt += 1
                        continue
                    visitor = b""
                else:
                    forwarded = get(b"x-forwarded-for") if trust else None
                    if forwarded:
                        ip = forwarded.split(b",", 1)[0].strip()
                    else:
                        client = scope.get("client")
                        ip = client[0].encode() if client else b""
                    ua = user_agent if user_agent.isascii() else \
                        user_agent.decode("latin-1").encode("utf-8", "surrogatepass")
                    visitor = digest(pixel_site(query) + ip + b"\0" + ua, now)
                out.append((now, visitor, query, user_agent, get(b"referer", b"")))
            except Exception:  # one odd request never costs its group
                log.exception("pixel capture failed")
        return out

    # -- drop-in trackers ----------------------------------------------------------------
    def snowplow_pixel(self, query: str, client: Client) -> None:
        hit = self._hit(compat.snowplow(dict(parse_qsl(query))), client, "snowplow", query, self.clock())
        if hit is not None:
            self.committer.add_hit(hit)

    async def snowplow_post(self, body: bytes, client: Client) -> int:
        try:
            items = compat.snowplow_payload(_any.decode(body))
        except (msgspec.DecodeError, ValueError) as exc:
            raise BadRequest(f"invalid Snowplow payload: {exc}") from None
        now = self.clock()
        hits = [self._hit(compat.snowplow(item), client, "snowplow", encode(item).decode(), now) for item in items]
        return await self._commit_hits([h for h in hits if h is not None])

    async def plausible(self, body: bytes, client: Client) -> int:
        try:
            fields = compat.plausible(_any.decode(body))
        except (msgspec.DecodeError, ValueError) as exc:
            raise BadRequest(f"invalid Plausible event: {exc}") from None
        now = self.clock()
        raw = body.decode("utf-8", "replace")
        hits = [self._hit(f, client, "plausible", raw, now) for f in fields]
        return await self._commit_hits([h for h in hits if h is not None])

    async def _commit_hits(self, hits: list[Hit]) -> int:
        events, dead = [], []
        for hit in hits:
            result = self.enricher.attempt(hit)
            if isinstance(result, DeadLetter):
                self.counters.reject(result.reason)
                dead.append(dead_record(result))
            else:
                self.counters.accepted += 1
                events.append((stream_key(result.site, result.visitor), encode(result)))
        await self.committer.add_records(events, dead)
        return len(events)

    # -- the JSON batch ------------------------------------------------------------------
    def _decode_batch(self, body: bytes) -> list[IncomingEvent | tuple[str, str]]:
        """Events, or (reason, raw) for the ones that do not even decode (bad JSON types,
        invalid UTF-8: one such event never costs its neighbours)."""
        try:
            decoded = _batch.decode(body)
            return decoded.events if isinstance(decoded, Envelope) else decoded
        except (msgspec.ValidationError, UnicodeDecodeError):  # msgspec raises the latter for bad UTF-8
            pass
        except msgspec.DecodeError as exc:
            raise BadRequest(f"body is not JSON: {exc}") from None
        try:
            raws = _items.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise BadRequest(f"expected a JSON array of events or {{\"events\": [...]}}: {exc}") from None
        if isinstance(raws, dict):
            if "events" not in raws:
                raise BadRequest('expected a JSON array of events or {"events": [...]}')
            raws = raws["events"]
        out: list[IncomingEvent | tuple[str, str]] = []
        for raw in raws:
            try:
                out.append(_one.decode(raw))
            except (msgspec.DecodeError, UnicodeDecodeError) as exc:
                out.append((f"invalid event: {exc}", bytes(raw).decode("utf-8", "replace")))
        return out

    async def batch(self, body: bytes, client: Client) -> Report:
        """Validate and enrich every event, make the good ones durable, report on each.

        The loop is the collector's bulk path: per-batch constants (clock, datetime)
        computed once, visitor hashes per (site, IP, UA), URL/UA results from caches.
        """
        items = self._decode_batch(body)
        if len(items) > self.max_batch_events:
            raise BadRequest(f"too many events: {len(items)} > {self.max_batch_events}")
        now = self.clock()
        received = datetime.fromtimestamp(now, UTC)
        iso = self.enricher.clock.iso
        received_iso = iso(now)  # every event of the batch shares it
        visitors: dict[tuple[str, str, str], bytes | None] = {}  # lives as long as the request
        results: list[Result] = []
        events: list[tuple[bytes, bytes]] = []
        dead: list[tuple[bytes, bytes]] = []
        batch_template = self.enricher.batch_template
        hasher, anonymise = self.hasher, self.anonymise
        client_ip, client_ua, dnt = client.ip, client.user_agent, client.dnt
        for index, item in enumerate(items):
            if type(item) is tuple:
                reason, raw = item
                self.counters.reject(reason)
                dead.append(dead_record(DeadLetter(reason=reason, raw=raw, source="batch", received_at=received)))
                results.append(Result(index, "rejected", error=reason))
                continue
            ua = client_ua if item.user_agent is None else item.user_agent
            site = normal_site(item.site)
            key = (site, item.ip or client_ip, ua)
            visitor = visitors.get(key, False)
            if visitor is False:
                if not dnt:
                    visitor = hasher.visitor(site, key[1], ua, now).encode()
                elif anonymise:
                    visitor = b""
                else:
                    self.counters.dropped_dnt += 1
                    visitor = None
                visitors[key] = visitor
            if visitor is None:
                results.append(Result(index, "rejected", error="do not track"))
                continue
            template = batch_template(site, item.name, item.url, item.referrer, item.title, ua)
            props = bytes(item.props)
            if type(template) is str:
                reason = template
            elif props in EMPTY_PROPS:
                props, reason = b"{}", ""
            else:
                props = encoded_props(props)
                reason = props if type(props) is str else ""
            if reason:
                self.counters.reject(reason)
                # props stay raw until here and may hold bad UTF-8: the dead letter keeps them, replaced
                raw = encode(msgspec.structs.replace(item, ip=None)).decode("utf-8", "replace")
                dead.append(dead_record(DeadLetter(reason=reason, raw=raw, source="batch", received_at=received)))
                results.append(Result(index, "rejected", error=reason))
                continue
            event_id = valid_event_id(item.event_id, str(uuid7())) if item.event_id else str(uuid7())
            if item.ts is None:
                ts_iso = received_iso
            else:
                client_ts = _client_ts(item.ts)
                ts_iso = received_iso if client_ts is None else iso(event_time(now, client_ts))
            record, key_prefix = template
            pieces = record.batch_pieces
            if pieces is None:
                value = record.render_batch(event_id, ts_iso, received_iso, visitor, props)
            else:  # RecordTemplate.render_batch, inlined: this loop runs once per event
                p0, p1, p2, p3, p4, p5 = pieces
                value = b"".join((p0, event_id.encode(), p1, ts_iso, p2, received_iso, p3, visitor, p4, props, p5))
            events.append((key_prefix + visitor, value))
            results.append(Result(index, "accepted", event_id))
        self.counters.accepted += len(events)
        await self.committer.add_records(events, dead)
        return Report(accepted=len(events), rejected=len(results) - len(events), results=results)


class Result(msgspec.Struct, omit_defaults=True, gc=False):
    index: int
    status: str
    event_id: str | None = None
    error: str | None = None


class Report(msgspec.Struct):
    accepted: int
    rejected: int
    results: list[Result]
