"""Wire the layouts service from the dashboard's settings (called from the app's lifespan)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from dashboard.layouts.database import Stores, open_stores
from dashboard.layouts.service import Clock, Layouts
from dashboard.settings import DashboardSettings

log = logging.getLogger("dashboard.layouts")
PURGE_EVERY_SECONDS = 3600.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def open_layouts(settings: DashboardSettings, clock: Clock = utc_now) -> tuple[Layouts, Stores]:
    stores = open_stores(settings.database_url)
    service = Layouts(stores.layouts, stores.links, clock, max_bytes=settings.layout_max_bytes,
                      delete_grace=timedelta(days=settings.layout_delete_grace_days),
                      retention=settings.layout_retention_versions or None)
    return service, stores


async def purge_forever(service: Layouts, every: float = PURGE_EVERY_SECONDS) -> None:
    """Remove layouts whose delete grace period has passed, now and then every ``every`` s."""
    while True:
        try:
            purged = await asyncio.to_thread(service.purge)
            if purged:
                log.info("purged %d deleted layouts past their grace period", purged)
        except Exception as exc:  # a store hiccup must not end the loop
            log.warning("purging deleted layouts failed: %s", type(exc).__name__)
        await asyncio.sleep(every)
