"""The dashboard's app factory: the single origin the browser talks to."""

from __future__ import annotations

import asyncio
import contextlib
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
from dashboard import kit_routes
from dashboard.gateway import build_gateway
from dashboard.layouts import redaction
from dashboard.layouts import routes as layout_routes
from dashboard.layouts.bootstrap import open_layouts, purge_forever, utc_now
from dashboard.security import SecurityHeaders
from dashboard.settings import DashboardSettings
from gatekeeper.stream_quota import StreamQuota, event_streams

STREAM_PATHS = ("/api/v1/metrics/stream", "/api/v1/metrics/live/stream", "/api/v1/catalogue/stream")


def create_app(settings: DashboardSettings, transport: httpx.AsyncBaseTransport | None = None,
               *, clock=utc_now) -> FastAPI:
    """Build the app; upstream clients and the layouts store are opened in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gateway = build_gateway(settings, transport)
        app.state.layouts, stores = await asyncio.to_thread(open_layouts, settings, clock)
        token_filter = redaction.install()
        purge = asyncio.create_task(purge_forever(app.state.layouts))
        try:
            yield
        finally:
            purge.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purge
            redaction.uninstall(token_filter)
            stores.close()
            await app.state.gateway.aclose()

    app = FastAPI(title="Tessera dashboard", version="0.1.0", lifespan=lifespan,
                  docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.web_dist = Path(settings.web_dist) if settings.web_dist else shell.DEFAULT_DIST
    app.add_middleware(SecurityHeaders)
    app.add_middleware(StreamQuota, per_client=settings.max_streams_per_client, total=settings.max_streams,
                       is_stream=event_streams(STREAM_PATHS))
    layout_routes.install(app)
    app.include_router(kit_routes.router)
    for module in (health_routes, catalogue_routes, metrics_routes, widget_routes, shell):
        app.include_router(module.router)
    return app
