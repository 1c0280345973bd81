"""The gateway's wiring: upstream clients and caches built from settings, closed on shutdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from dashboard.catalogue import Catalogue
from dashboard.catalogue_hub import CatalogueHub
from dashboard.guarded_network import GuardedNetwork, Resolve, guarded_transport, system_resolve
from dashboard.settings import DashboardSettings
from dashboard.upstream import Upstream, UpstreamFailure
from gatekeeper.address import AddressPolicy
from gatekeeper.origin_list import OriginList
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
    widget_client: httpx.AsyncClient
    widget_origins: OriginList
    widget_breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    widget_bulkheads: dict[str, Bulkhead] = field(default_factory=dict)

    def breaker_for(self, origin: str) -> CircuitBreaker:
        if origin not in self.widget_breakers:
            self.widget_breakers[origin] = CircuitBreaker(
                self.settings.breaker_failures, self.settings.breaker_reset_seconds, name=origin
            )
        return self.widget_breakers[origin]

    def bulkhead_for(self, origin: str) -> Bulkhead:
        """Each widget host's own slots, so one slow host cannot take every other's."""
        if origin not in self.widget_bulkheads:
            self.widget_bulkheads[origin] = Bulkhead(self.settings.widget_host_concurrency, origin)
        return self.widget_bulkheads[origin]

    def may_fetch_from(self, origin: str) -> bool:
        """The operator's allow-list (empty: any origin; addresses are checked per connection)."""
        return not self.widget_origins or origin in self.widget_origins

    async def aclose(self) -> None:
        await self.hub.close()
        await self.client.aclose()
        await self.widget_client.aclose()


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


def widget_network(settings: DashboardSettings, origins: OriginList, resolve: Resolve) -> GuardedNetwork:
    """Widget hosts' connections: checked addresses only, exact allow-listed origins trusted."""

    def trusted(host: str, port: int) -> bool:
        name = f"[{host}]" if ":" in host else host
        return any(origins.exact(f"{scheme}://{name}:{port}") for scheme in ("http", "https"))

    return GuardedNetwork(AddressPolicy.from_strings(settings.widget_networks), resolve=resolve, trusted=trusted)


def build_gateway(settings: DashboardSettings, transport: httpx.AsyncBaseTransport | None = None,
                  resolve: Resolve = system_resolve) -> Gateway:
    """``transport`` replaces the whole network (tests with a fake one); ``resolve`` only
    the widget proxy's name resolution (tests of DNS answers on real servers)."""
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=40)
    client = httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport,
                               follow_redirects=False, trust_env=False)
    origins = OriginList(settings.widget_origins)
    widget_transport = transport or guarded_transport(widget_network(settings, origins, resolve), limits)
    widget_client = httpx.AsyncClient(timeout=timeout, transport=widget_transport,
                                      follow_redirects=False, trust_env=False)
    registry = _upstream("registry", settings.registry_url, client, settings,
                         settings.registry_concurrency)
    query = _upstream("query", settings.query_url, client, settings, settings.metrics_concurrency)

    async def fetch_widgets() -> list[dict[str, Any]]:
        body = await registry.get_json("/api/v1/widgets", {"status": "all"})  # gone ones too, for the mesh's health
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
        hub=CatalogueHub(registry, catalogue, settings.stream_keepalive_seconds,
                        idle_timeout=settings.registry_feed_idle_seconds),
        widget_hosts=Bulkhead(settings.widget_concurrency, "widget-hosts"),
        widget_client=widget_client,
        widget_origins=origins,
    )
