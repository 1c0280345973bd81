"""An ASGI app with its lifespan started, behind an in-process httpx client."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx


@contextlib.asynccontextmanager
async def lifespan_client(app, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app``'s lifespan and yield a client that calls it in-process (``client.app`` is the app)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
