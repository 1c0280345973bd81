"""Keep a relayed event stream alive: a comment every ``interval`` seconds while the
upstream is quiet, so a browser that went away is noticed (the write fails) and the
upstream connection is released instead of lingering until the next upstream event."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import anyio

from dashboard.sse import comment

_END = object()


async def with_keepalive(source: AsyncIterator[bytes], interval: float) -> AsyncIterator[bytes]:
    queue: asyncio.Queue = asyncio.Queue(maxsize=64)

    async def pump() -> None:
        try:
            async for chunk in source:
                await queue.put(chunk)
        except Exception as exc:  # surfaced to the consumer below
            await queue.put(exc)
        finally:
            await queue.put(_END)

    reader = asyncio.create_task(pump())
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), interval)
            except TimeoutError:
                yield comment("keepalive")
                continue
            if item is _END:
                return
            if isinstance(item, Exception):
                return
            yield item
    finally:
        # Shielded: Starlette cancels the response's scope when the client leaves, and
        # every await in a cancelled anyio scope would be cancelled again.
        with anyio.CancelScope(shield=True):
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
