"""The collector's use cases, free of any web framework: take a hit, take a batch.

The pixel path does only the cheap parts inline (clock, UUIDv7, visitor hash,
query parsing) and hands a ``Hit`` to the group commit; user-agent parsing, bot
detection, URL parsing and validation run in the flush task.  Batch requests are
validated and enriched inline, because their answer reports on every event.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Callable, NamedTuple
from urllib.parse import parse_qsl

import msgspec
import uuid_utils

from tracker.collector import compat
from tracker.collector.committer import Counters, GroupCommit, dead_record, encode
from tracker.collector.enrichment import Enricher, valid_event_id
from tracker.collector.hit import Envelope, Hit, IncomingEvent
from tracker.enrich.visitor import VisitorHasher
from tracker.event import DeadLetter, stream_key

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
    return str(uuid_utils.uuid7())


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
                 clock: Callable[[], float] = time.time) -> None:
        self.hasher, self.committer, self.enricher, self.counters = hasher, committer, enricher, counters
        self.anonymise = dnt_policy == "anonymise"
        self.max_batch_events = max_batch_events
        self.clock = clock

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
    def pixel(self, query: str, client: Client) -> None:
        if client.dnt and not self.anonymise:
            self.counters.dropped_dnt += 1
            return
        site = url = referrer = title = error = ""
        name = "pageview"
        props: dict = {}
        ts = None
        for key, value in parse_qsl(query):
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
                extra, error = compat._props(value)
                props.update(extra)
            elif key == "ts" and value.isdigit():
                ts = int(value) / 1000
        now = self.clock()
        visitor = "" if client.dnt else self.hasher.visitor(site.strip().lower(), client.ip, client.user_agent, now)
        self.committer.add_hit(Hit(
            received=now, event_id=str(uuid_utils.uuid7()), visitor=visitor, site=site, name=name,
            url=url or client.referer, referrer=referrer, title=title, user_agent=client.user_agent,
            props=props, client_ts=ts, source="pixel", raw=query, error=error))

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
        """Events, or (reason, raw) for the ones that do not even decode."""
        try:
            decoded = _batch.decode(body)
            return decoded.events if isinstance(decoded, Envelope) else decoded
        except msgspec.ValidationError:
            pass
        except msgspec.DecodeError as exc:
            raise BadRequest(f"body is not JSON: {exc}") from None
        try:
            raws = _items.decode(body)
        except msgspec.DecodeError as exc:
            raise BadRequest(f"expected a JSON array of events or {{\"events\": [...]}}: {exc}") from None
        if isinstance(raws, dict):
            if "events" not in raws:
                raise BadRequest('expected a JSON array of events or {"events": [...]}')
            raws = raws["events"]
        out: list[IncomingEvent | tuple[str, str]] = []
        for raw in raws:
            try:
                out.append(_one.decode(raw))
            except msgspec.DecodeError as exc:
                out.append((f"invalid event: {exc}", bytes(raw).decode("utf-8", "replace")))
        return out

    async def batch(self, body: bytes, client: Client) -> dict:
        items = self._decode_batch(body)
        if len(items) > self.max_batch_events:
            raise BadRequest(f"too many events: {len(items)} > {self.max_batch_events}")
        now = self.clock()
        visitors: dict[tuple[str, str, str], str | None] = {}
        results: list[dict] = []
        events: list[tuple[bytes, bytes]] = []
        dead: list[tuple[bytes, bytes]] = []
        attempt = self.enricher.attempt
        for index, item in enumerate(items):
            if isinstance(item, tuple):
                reason, raw = item
                self.counters.reject(reason)
                dead.append(dead_record(DeadLetter(reason=reason, raw=raw, source="batch")))
                results.append({"index": index, "status": "rejected", "error": reason})
                continue
            ua = item.user_agent if item.user_agent is not None else client.user_agent
            ip = item.ip or client.ip
            site = item.site.strip().lower()
            key = (site, ip, ua)
            if key not in visitors:
                visitors[key] = self._visitor(Client(ip, ua, client.referer, client.dnt), site, now)
            visitor = visitors[key]
            if visitor is None:
                results.append({"index": index, "status": "rejected", "error": "do not track"})
                continue
            hit = Hit(received=now, event_id=valid_event_id(item.event_id, _uuid7()) if item.event_id else _uuid7(),
                      visitor=visitor, site=item.site, name=item.name, url=item.url, referrer=item.referrer,
                      title=item.title, user_agent=ua, props=item.props, client_ts=_client_ts(item.ts),
                      source="batch")
            result = attempt(hit)
            if isinstance(result, DeadLetter):
                self.counters.reject(result.reason)
                result.raw = encode(msgspec.structs.replace(item, ip=None)).decode()
                dead.append(dead_record(result))
                results.append({"index": index, "status": "rejected", "error": result.reason})
            else:
                events.append((stream_key(result.site, visitor), encode(result)))
                results.append({"index": index, "status": "accepted", "event_id": result.event_id})
        self.counters.accepted += len(events)
        await self.committer.add_records(events, dead)
        return {"accepted": len(events), "rejected": len(results) - len(events), "results": results}
