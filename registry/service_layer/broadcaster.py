"""In-process fan-out of change events to any number of subscribers (SSE streams)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from registry.domain.events import WidgetChanged


class Broadcaster:
    """Each subscriber gets its own bounded queue; a subscriber that falls behind by
    ``max_backlog`` events is dropped (its stream ends, the client reconnects)."""

    def __init__(self, max_backlog: int = 1000) -> None:
        self.max_backlog = max_backlog
        self._queues: set[asyncio.Queue[WidgetChanged | None]] = set()

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def publish(self, event: WidgetChanged) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self._queues.discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)  # tell the slow reader to stop

    def close(self) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(None)
            except asyncio.QueueFull:
                pass
        self._queues.clear()

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[WidgetChanged]]:
        queue: asyncio.Queue[WidgetChanged | None] = asyncio.Queue(self.max_backlog)
        self._queues.add(queue)

        async def events() -> AsyncIterator[WidgetChanged]:
            while (event := await queue.get()) is not None:
                yield event

        try:
            yield events()
        finally:
            self._queues.discard(queue)
