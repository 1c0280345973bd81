"""Follow the presenter: an in-process fan-out of one presenter's bus messages to the
followers of a live view link.

A relay has an id and a publish key (what the presenter holds: it alone writes). A relay
opened for a live view link belongs to that link (``link``): followers reach it only through
the link's token (the edge checks the link, then asks ``for_link``), never by its id, and
revoking the link closes it (``close_link``). A relay opened without a link is public by id
(the older API). Each published message gets the next sequence number
and is kept in a small ring so a follower that reconnects with ``Last-Event-ID`` gets what
it missed (or, if that fell out of the ring, the current value of each topic). Pure
asyncio; no framework types. Relays live as long as the dashboard process (or until idle
for ``idle_seconds``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

TOPIC = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*(@[1-9][0-9]{0,3})?")
RING = 256
MAX_RELAYS = 1000
MAX_FOLLOWERS = 500
QUEUE = 512


class RelayError(Exception):
    """Why a relay refused: ``status`` (404 unknown, 403 wrong key, 429 too many, 422 bad message), ``field``."""

    def __init__(self, status: int, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass
class Relay:
    id: str
    key_hash: bytes
    created: float
    touched: float
    seq: int = 0
    ring: deque = field(default_factory=lambda: deque(maxlen=RING))
    latest: dict[str, tuple[int, dict]] = field(default_factory=dict)  # topic -> (seq, message)
    followers: set[asyncio.Queue] = field(default_factory=set)
    link: str | None = None  # the share link this relay belongs to (followers need its token)


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class RelayHub:
    def __init__(self, *, idle_seconds: float = 12 * 3600, clock=time.monotonic) -> None:
        self._relays: dict[str, Relay] = {}
        self._by_link: dict[str, str] = {}  # link id -> relay id
        self._idle = idle_seconds
        self._clock = clock

    def open(self, link: str | None = None) -> tuple[str, str]:
        """A new relay (or, for a ``link`` that has one, the same relay with a new publish key,
        so a presenter who reloaded takes it over): answers (id, publish key)."""
        self._expire()
        key = secrets.token_urlsafe(32)
        if link is not None and (relay_id := self._by_link.get(link)) in self._relays:
            relay = self._relays[relay_id]
            relay.key_hash, relay.touched = _hash(key), self._clock()
            return relay_id, key
        if len(self._relays) >= MAX_RELAYS:
            raise RelayError(429, f"{MAX_RELAYS} live relays are open; try again later")
        relay_id = secrets.token_urlsafe(18)
        now = self._clock()
        self._relays[relay_id] = Relay(relay_id, _hash(key), now, now, link=link)
        if link is not None:
            self._by_link[link] = relay_id
        return relay_id, key

    def for_link(self, link: str) -> Relay:
        """The relay of share link ``link`` (404 when its presenter is not presenting)."""
        relay = self._relays.get(self._by_link.get(link, ""))
        if relay is None:
            raise RelayError(404, "the presenter of this live link is not presenting right now", "relay")
        return relay

    def close_link(self, link: str) -> bool:
        """End the relay of share link ``link`` (revoked): its followers' streams end."""
        relay_id = self._by_link.pop(link, None)
        relay = self._relays.pop(relay_id, None) if relay_id else None
        if relay is None:
            return False
        self._end(relay)
        return True

    def get(self, relay_id: str) -> Relay:
        relay = self._relays.get(relay_id)
        if relay is None:
            raise RelayError(404, "no live relay has this id; the presenter may have stopped", "relay")
        return relay

    def close(self, relay_id: str, key: str) -> None:
        relay = self._authorised(relay_id, key)
        del self._relays[relay_id]
        if relay.link is not None:
            self._by_link.pop(relay.link, None)
        self._end(relay)

    @staticmethod
    def _end(relay: Relay) -> None:
        for queue in list(relay.followers):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(None)

    def publish(self, relay_id: str, key: str, message: object) -> int:
        """Fan ``message`` ({topic, payload, source?}) out to every follower; answers its sequence number."""
        relay = self._authorised(relay_id, key)
        clean = _check(message)
        relay.seq += 1
        relay.touched = self._clock()
        entry = (relay.seq, clean)
        relay.ring.append(entry)
        relay.latest[clean["topic"]] = entry
        for queue in list(relay.followers):
            if queue.full():  # a follower too slow to keep up is dropped; it reconnects with Last-Event-ID
                relay.followers.discard(queue)
                queue.get_nowait()  # make room for the end marker, or its stream would hang
                queue.put_nowait(None)
                continue
            queue.put_nowait(entry)
        return relay.seq

    def public(self, relay_id: str) -> Relay:
        """A relay followers may reach by id: one that belongs to no share link."""
        relay = self.get(relay_id)
        if relay.link is not None:
            raise RelayError(403, "this relay belongs to a live share link; follow it with the link's token "
                             "(GET /api/v1/shared/live, Authorization: Bearer <token>)", "relay")
        return relay

    async def follow(self, relay_id: str, last_event_id: int | None,
                     seconds: float | None = None) -> AsyncIterator[tuple[int, dict]]:
        """What a follower receives: what it missed (or the current values), then each new message;
        for at most ``seconds`` when given (a link that expires then)."""
        relay = self.get(relay_id)
        if len(relay.followers) >= MAX_FOLLOWERS:
            raise RelayError(429, f"{MAX_FOLLOWERS} followers already follow this presenter")
        queue: asyncio.Queue = asyncio.Queue(QUEUE)
        relay.followers.add(queue)
        try:
            for entry in self._catch_up(relay, last_event_id):
                yield entry
            until = None if seconds is None else self._clock() + seconds
            while True:
                if until is None:
                    entry = await queue.get()
                else:
                    try:
                        entry = await asyncio.wait_for(queue.get(), max(0.0, until - self._clock()))
                    except TimeoutError:
                        return
                if entry is None:
                    return
                yield entry
        finally:
            relay.followers.discard(queue)

    @staticmethod
    def _catch_up(relay: Relay, last_event_id: int | None) -> list[tuple[int, dict]]:
        if last_event_id is not None and relay.ring and relay.ring[0][0] <= last_event_id + 1:
            return [entry for entry in relay.ring if entry[0] > last_event_id]
        # a new follower, or one whose gap fell out of the ring: the current value of each topic
        return sorted(relay.latest.values(), key=lambda entry: entry[0])

    def _authorised(self, relay_id: str, key: str) -> Relay:
        relay = self.get(relay_id)
        if not key or not hmac.compare_digest(_hash(key), relay.key_hash):
            raise RelayError(403, "only the presenter (with the publish key) can publish to this relay",
                             "authorization")
        return relay

    def _expire(self) -> None:
        now = self._clock()
        for relay_id, relay in list(self._relays.items()):
            if now - relay.touched > self._idle and not relay.followers:
                del self._relays[relay_id]
                if relay.link is not None:
                    self._by_link.pop(relay.link, None)


def _check(message: object) -> dict:
    if not isinstance(message, dict):
        raise RelayError(422, "a message is an object {topic, payload, source?}", "body")
    extra = set(message) - {"topic", "payload", "source", "id", "origin"}
    if extra:
        raise RelayError(422, "unknown field", f"body.{sorted(extra)[0]}")
    topic = message.get("topic")
    if not isinstance(topic, str) or len(topic) > 128 or not TOPIC.fullmatch(topic):
        raise RelayError(422, "topic must be a topic name (page.selected@1)", "body.topic")
    if "payload" not in message:
        raise RelayError(422, "field required", "body.payload")
    source = message.get("source") or {}
    if not isinstance(source, dict) or not all(isinstance(source.get(k), (str, type(None))) for k in ("windowId", "widgetId")):
        raise RelayError(422, "source is {windowId, widgetId}", "body.source")
    clean = {"topic": topic, "payload": message["payload"],
             "source": {"windowId": source.get("windowId"), "widgetId": source.get("widgetId")}}
    for name in ("id", "origin"):
        if isinstance(message.get(name), str) and len(message[name]) <= 128:
            clean[name] = message[name]
    return clean
