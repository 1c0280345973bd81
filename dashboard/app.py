"""The dashboard's app factory: the single origin the browser talks to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from dashboard import (
    catalogue_routes,
    health_routes,
    metrics_routes,
    shell,
    widget_routes,
)
from dashboard.gateway import build_gateway
from dashboard.guarded_network import Resolve, system_resolve
from dashboard.security import SecurityHeaders
from dashboard.settings import DashboardSettings


def create_app(settings: DashboardSettings, transport: httpx.AsyncBaseTransport | None = None,
               resolve: Resolve = system_resolve) -> FastAPI:
    """Build the app; upstream clients are opened in the lifespan and closed after it.
    ``resolve`` is the widget proxy's name resolution (a seam for tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gateway = build_gateway(settings, transport, resolve)
        try:
            yield
        finally:
            await app.state.gateway.aclose()

    app = FastAPI(title="Tessera dashboard", version="0.1.0", lifespan=lifespan,
                  docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.web_dist = Path(settings.web_dist) if settings.web_dist else shell.DEFAULT_DIST
    app.add_middleware(SecurityHeaders)
    for module in (health_routes, catalogue_routes, metrics_routes, widget_routes, shell):
        app.include_router(module.router)
    return app
