"""The app factory: ``create_app(settings)`` wires the services in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from registry.bootstrap import bootstrap, utc_now
from registry.service_layer.service import Clock
from registry.service_layer.upkeep import run_upkeep
from registry.settings import RegistrySettings

from . import errors
from .heartbeat_fast_path import HeartbeatFastPath
from .routers import compat, events, health, schema, widgets


def create_app(settings: RegistrySettings, *, clock: Clock = utc_now, upkeep: bool = True) -> FastAPI:
    """A registry app; nothing is opened until the lifespan starts.

    ``upkeep=False`` leaves sweeping and flushing to the caller (tests drive them)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await asyncio.to_thread(bootstrap, settings, clock=clock)
        await services.registry.start()
        app.state.services = services
        task = None
        if upkeep:
            task = asyncio.create_task(
                run_upkeep(
                    services.registry,
                    sweep_every=settings.sweep_interval_seconds,
                    flush_every=settings.lease_flush_seconds,
                )
            )
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            else:
                await services.registry.flush()
            services.close()

    app = FastAPI(
        title="Tessera registry",
        version="0.1.0",
        summary="Widget manifests, heartbeats, TTL expiry, versions and team tokens.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(HeartbeatFastPath)
    for module in (widgets, events, schema, compat, health):
        app.include_router(module.router)
    return app
