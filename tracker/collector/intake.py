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

from gatekeeper.json_depth import TooDeep, check_depth
from tracker.collector import compat
from tracker.collector.committer import Counters, GroupCommit, dead_record, encode
from tracker.collector.enrichment import (
    Enricher,
    client_event_id,
    encoded_props,
    event_time,
    normal_site,
    pixel_site,
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
                 clock: Callable[[], float] = time.time, trust_forwarded: bool = False,
                 max_json_depth: int = 32) -> None:
        self.hasher, self.committer, self.enricher, self.counters = hasher, committer, enricher, counters
        self.max_json_depth = max_json_depth
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

    def _claim(self, event_id: str) -> bool:
        """False when a client's event id is stored or on its way already (a retry)."""
        seen = self.committer.seen
        if seen is None:
            return True
        if not seen.claim(event_id):
            self.counters.duplicates += 1
            return False
        self.committer.claimed.append(event_id)
        return True

    def _hit(self, fields: dict, client: Client, source: str, raw: str, now: float) -> Hit | None:
        """The hit, or None when it must not be recorded (DNT) or is a retry of a stored one."""
        site = fields.get("site") or ""
        visitor = self._visitor(client, normal_site(site), now)
        if visitor is None:
            return None
        sent_id = fields.get("event_id")
        if sent_id:
            event_id = client_event_id(normal_site(site), sent_id)
            if not self._claim(event_id):
                return None
        else:
            event_id = _uuid7()
        return Hit(received=now, event_id=event_id, visitor=visitor,
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
    async def snowplow_pixel(self, query: str, client: Client) -> None:
        """``GET /i``: returns once the hit is durable; an event naming no site is a 400."""
        fields = compat.snowplow(dict(parse_qsl(query)))
        if not fields["site"]:
            raise BadRequest(compat.NO_SITE)
        hit = self._hit(fields, client, "snowplow", query, self.clock())
        if hit is not None:
            self.committer.add_hit(hit)
        await self.committer.durable()

    async def snowplow_post(self, body: bytes, client: Client) -> int:
        shallow(body, self.max_json_depth)
        try:
            items = compat.snowplow_payload(_any.decode(body))
        except (msgspec.DecodeError, ValueError) as exc:
            raise BadRequest(f"invalid Snowplow payload: {exc}") from None
        fields = [compat.snowplow(item) for item in items]
        if fields and not any(f["site"] for f in fields):
            raise BadRequest(compat.NO_SITE)
        now = self.clock()
        hits = [self._hit(f, client, "snowplow", encode(item).decode(), now) for f, item in zip(fields, items)]
        return await self._commit_hits([h for h in hits if h is not None])

    async def plausible(self, body: bytes, client: Client) -> int:
        shallow(body, self.max_json_depth)
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
        # No depth check up front: a big batch has thousands of brackets, which would send
        # check_depth to its byte-by-byte scan; the parser's own RecursionError is the signal.
        try:
            decoded = _batch.decode(body)
            return decoded.events if isinstance(decoded, Envelope) else decoded
        except (msgspec.ValidationError, UnicodeDecodeError):  # msgspec raises the latter for bad UTF-8
            pass
        except msgspec.DecodeError as exc:
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
        out: list[IncomingEvent | tuple[str, str]] = []
        for raw in raws:
            try:
                out.append(_one.decode(raw))
            except RecursionError:
                raise too_deep(body, self.max_json_depth) from None
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
        duplicates = 0
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
            sent_id = item.event_id or item.id
            if sent_id:
                event_id = client_event_id(site, sent_id)
                if not self._claim(event_id):  # a retry of an event already stored: acknowledged again
                    duplicates += 1
                    results.append(Result(index, "duplicate", event_id))
                    continue
            else:
                event_id = str(uuid7())
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
        return Report(accepted=len(events), rejected=len(results) - len(events) - duplicates, results=results,
                      duplicates=duplicates)


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
