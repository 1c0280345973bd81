"""The background loop: mark stale/gone (publishing events) and flush heartbeat times."""

from __future__ import annotations

import asyncio
import logging

from .service import Registry

log = logging.getLogger("registry")


async def run_upkeep(registry: Registry, *, sweep_every: float, flush_every: float) -> None:
    """Runs until cancelled; on cancellation flushes once more."""
    since_flush = 0.0
    try:
        while True:
            await asyncio.sleep(sweep_every)
            registry.sweep()
            since_flush += sweep_every
            if since_flush >= flush_every:
                since_flush = 0.0
                try:
                    await registry.flush()
                except Exception:  # the store may be briefly away; keep the leases for next time
                    log.exception("could not flush heartbeat times")
    finally:
        try:
            await registry.flush()
        except Exception:
            log.exception("could not flush heartbeat times on shutdown")
