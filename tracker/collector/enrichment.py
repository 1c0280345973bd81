"""What the collector adds to an event: the kept URL and its path and campaign, the
referrer's host, the browser, OS, device and bot flag.

``Enricher.template`` does it once per distinct (site, name, URL, referrer, title, user
agent) and caches the result as a ``RecordTemplate``: real traffic repeats the same
pages and browsers for many visitors, so an event costs a cache look-up here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from tracker.collector.record import RecordTemplate
from tracker.collector.validation import check
from tracker.enrich.agent import AgentParser
from tracker.enrich.page import KEPT_QUERY_PARAMS, BadUrl, Page, kept_referrer, page, referrer_host
from tracker.event import TrackingEvent

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
cached_referrer_host = lru_cache(maxsize=16384)(referrer_host)
cached_kept_referrer = lru_cache(maxsize=16384)(kept_referrer)


def page_or_reason(url: str, kept: frozenset[str] = KEPT_QUERY_PARAMS) -> Page | str:
    """``page(url)``, or the reason it is bad."""
    try:
        return page(url, kept)
    except BadUrl as exc:
        return str(exc)


class Enricher:
    def __init__(self, agents: AgentParser, template_cache_size: int = 8192,
                 kept_query_params: frozenset[str] = KEPT_QUERY_PARAMS) -> None:
        self.agents = agents
        kept = frozenset(kept_query_params)
        # cached per URL: few distinct pages in real traffic
        self.page = lru_cache(maxsize=16384)(lambda url: page_or_reason(url, kept))
        self.template = lru_cache(maxsize=template_cache_size)(self.uncached_template)

    def uncached_template(self, site: str, name: str, url: str, referrer: str, title: str,
                         user_agent: str) -> tuple[RecordTemplate, bytes] | str:
        """The record template of an event with these fields (``site`` normalised) and the
        stream key's site part; or the reason the event is invalid."""
        event = self.event(site, name, url, referrer, title, user_agent)
        if type(event) is str:
            return event
        return RecordTemplate(event), site.encode("utf-8", "surrogatepass") + b"\0"

    def event(self, site: str, name: str, url: str, referrer: str, title: str,
              user_agent: str) -> TrackingEvent | str:
        """The enriched event but for id, times, visitor and props; or why it is invalid."""
        reason = check(site, name, url, referrer, title, user_agent)
        if reason:
            return reason
        where = self.page(url)
        if isinstance(where, str):
            return where
        agent = self.agents.parse(user_agent)
        return TrackingEvent(
            event_id="", ts=_EPOCH, received_at=_EPOCH,
            site=site, name=name, url=where.url, path=where.path,
            referrer=cached_kept_referrer(referrer), referrer_host=cached_referrer_host(referrer),
            title=title, user_agent=user_agent,
            browser=agent.browser, os=agent.os, device=agent.device, is_bot=agent.is_bot,
            utm_source=where.utm_source, utm_medium=where.utm_medium, utm_campaign=where.utm_campaign)
