"""Turn a captured hit into a TrackingEvent, or into a DeadLetter with the reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec

from tracker.collector.hit import Hit
from tracker.enrich.agent import AgentParser
from tracker.enrich.page import BadUrl, page, referrer_host
from tracker.event import DeadLetter, TrackingEvent

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
    if len(props) > MAX_PROPS:
        raise Invalid(f"too many props: {len(props)} > {MAX_PROPS}")
    out: dict[str, str] = {}
    for key, value in props.items():
        key = str(key)
        if value is None:
            continue
        value = value if isinstance(value, str) else msgspec.json.encode(value).decode()
        if len(key) > MAX_PROP_KEY or len(value) > MAX_PROP_VALUE:
            raise Invalid(f"oversize prop {key[:40]!r}")
        out[key] = value
    return out


def valid_event_id(candidate: str | None, fallback: str) -> str:
    if candidate:
        try:
            return str(uuid.UUID(candidate))
        except ValueError:
            pass
    return fallback


class Enricher:
    def __init__(self, agents: AgentParser) -> None:
        self.agents = agents

    def event(self, hit: Hit) -> TrackingEvent:
        """Raise ``Invalid`` (or ``BadUrl``) with the reason when the hit cannot be an event."""
        if hit.error:
            raise Invalid(hit.error)
        site = hit.site.strip().lower()
        if not site:
            raise Invalid("missing site")
        if len(site) > MAX_SITE:
            raise Invalid("oversize site")
        if len(hit.name) > MAX_NAME or not hit.name:
            raise Invalid("bad event name")
        if len(hit.url) > MAX_URL or len(hit.referrer) > MAX_URL:
            raise Invalid("oversize url")
        if len(hit.title) > MAX_TITLE:
            raise Invalid("oversize title")
        if len(hit.user_agent) > MAX_UA:
            raise Invalid("oversize user agent")
        where = page(hit.url)
        agent = self.agents.parse(hit.user_agent)
        return TrackingEvent(
            event_id=hit.event_id,
            ts=datetime.fromtimestamp(event_time(hit.received, hit.client_ts), UTC),
            received_at=datetime.fromtimestamp(hit.received, UTC),
            site=site, name=hit.name, url=hit.url, path=where.path,
            referrer=hit.referrer, referrer_host=referrer_host(hit.referrer), title=hit.title,
            visitor=hit.visitor, user_agent=hit.user_agent,
            browser=agent.browser, os=agent.os, device=agent.device, is_bot=agent.is_bot,
            utm_source=where.utm_source, utm_medium=where.utm_medium, utm_campaign=where.utm_campaign,
            props=clean_props(hit.props) if hit.props else {})

    def attempt(self, hit: Hit) -> TrackingEvent | DeadLetter:
        try:
            return self.event(hit)
        except (Invalid, BadUrl) as exc:
            return DeadLetter(reason=str(exc), raw=hit.raw or msgspec.json.encode(hit).decode(),
                              source=hit.source, received_at=datetime.fromtimestamp(hit.received, UTC))
