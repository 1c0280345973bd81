"""The gateway's wiring: upstream clients and caches built from settings, closed on shutdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from dashboard.catalogue import Catalogue
from dashboard.catalogue_hub import CatalogueHub
from dashboard.settings import DashboardSettings
from dashboard.upstream import Upstream, UpstreamFailure
from resilience import Backoff, Bulkhead, CircuitBreaker


@dataclass
class Gateway:
    settings: DashboardSettings
    client: httpx.AsyncClient
    registry: Upstream
    query: Upstream
    catalogue: Catalogue
    hub: CatalogueHub
    widget_hosts: Bulkhead
    widget_breakers: dict[str, CircuitBreaker] = field(default_factory=dict)

    def breaker_for(self, origin: str) -> CircuitBreaker:
        if origin not in self.widget_breakers:
            self.widget_breakers[origin] = CircuitBreaker(
                self.settings.breaker_failures, self.settings.breaker_reset_seconds, name=origin
            )
        return self.widget_breakers[origin]

    async def aclose(self) -> None:
        await self.hub.close()
        await self.client.aclose()


def _upstream(name: str, url: str, client: httpx.AsyncClient, settings: DashboardSettings,
              concurrency: int) -> Upstream:
    return Upstream(
        name,
        url,
        client,
        breaker=CircuitBreaker(settings.breaker_failures, settings.breaker_reset_seconds, name=name),
        bulkhead=Bulkhead(concurrency, name),
        stream_bulkhead=Bulkhead(settings.stream_concurrency, f"{name}-streams"),
        backoff=Backoff(base=0.1, factor=2.0, cap=1.0),
        attempts=settings.retry_attempts,
    )


def build_gateway(settings: DashboardSettings,
                  transport: httpx.AsyncBaseTransport | None = None) -> Gateway:
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=40)
    client = httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport,
                               follow_redirects=False, trust_env=False)
    registry = _upstream("registry", settings.registry_url, client, settings,
                         settings.registry_concurrency)
    query = _upstream("query", settings.query_url, client, settings, settings.metrics_concurrency)

    async def fetch_widgets() -> list[dict[str, Any]]:
        body = await registry.get_json("/api/v1/widgets")
        items = body.get("items") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise UpstreamFailure("registry", 502, "registry sent no widget list")
        return [item for item in items if isinstance(item, dict)]

    catalogue = Catalogue(fetch_widgets, settings.catalogue_cache_seconds)
    return Gateway(
        settings=settings,
        client=client,
        registry=registry,
        query=query,
        catalogue=catalogue,
        hub=CatalogueHub(registry, catalogue, settings.stream_keepalive_seconds),
        widget_hosts=Bulkhead(settings.widget_concurrency, "widget-hosts"),
    )
