"""One subscription to the registry's change feed, fanned out to every open browser.

The first browser to listen opens the registry's ``/api/v1/events`` stream; later ones
share it; when the last one leaves it is closed. Each event updates the gateway's
catalogue cache and is re-encoded in the catalogue's shape. A browser that cannot keep
up is dropped (its EventSource reconnects and reloads the list), never allowed to stall
the others. When the registry stream ends, every browser's stream ends with it, and so it
does when the registry has sent nothing, not even its ping, for ``idle_timeout`` seconds
(a registry gone without closing the connection: a crashed host, a lost NAT entry).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

import anyio
import httpx

from dashboard.catalogue import Catalogue, shape_entry
from dashboard.sse import ServerSentEvent, comment, parse_events
from dashboard.upstream import OpenStream, Upstream, UpstreamFailure

CHANGE_EVENTS = {"widget-registered", "widget-updated", "widget-stale", "widget-removed"}
_END = b""
log = logging.getLogger(__name__)


def reshape(event: ServerSentEvent, catalogue: Catalogue) -> bytes | None:
    """A registry change event → the same event with a catalogue entry (cache updated)."""
    if event.event not in CHANGE_EVENTS:
        return None
    try:
        widget = json.loads(event.data)
    except ValueError:
        return None
    if not isinstance(widget, dict):
        return None
    catalogue.apply(event.event, widget)
    entry = shape_entry(widget) or {"id": widget.get("id"), "status": "gone"}
    if event.event == "widget-removed":
        entry = {**entry, "status": "gone"}
    return ServerSentEvent(event.event, json.dumps(entry), event.id).encode()


class CatalogueHub:
    def __init__(self, registry: Upstream, catalogue: Catalogue, keepalive: float = 15.0,
                 backlog: int = 256, idle_timeout: float | None = 45.0) -> None:
        self.registry = registry
        self.catalogue = catalogue
        self.keepalive = keepalive
        self.idle_timeout = idle_timeout
        self.backlog = backlog
        self.subscribers: set[asyncio.Queue[bytes]] = set()
        self._pump: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._pump is not None and not self._pump.done()

    async def connect(self) -> None:
        """Make sure the registry stream is open; ``UpstreamFailure`` if it cannot be."""
        async with self._lock:
            if self.connected:
                return
            opened = await self.registry.open_stream("/api/v1/events", headers={"Accept": "text/event-stream"},
                                                     read_timeout=self.idle_timeout)
            if opened.response.status_code != 200:
                await opened.aclose()
                status = opened.response.status_code
                raise UpstreamFailure("registry", 502, f"registry change feed answered {status}")
            self._pump = asyncio.create_task(self._run(opened), name="catalogue-hub")

    async def subscribe(self) -> AsyncIterator[bytes]:
        """This browser's stream: relayed events, keepalive comments while quiet."""
        queue: asyncio.Queue[bytes] = asyncio.Queue(self.backlog)
        self.subscribers.add(queue)
        try:
            yield b"retry: 3000\n\n" + comment("catalogue stream open")
            if not self.connected:  # the registry stream ended before this browser joined
                return
            while True:
                try:
                    chunk = await asyncio.wait_for(queue.get(), self.keepalive)
                except TimeoutError:
                    yield comment("keepalive")
                    continue
                if chunk is _END:
                    return
                yield chunk
        finally:
            self.subscribers.discard(queue)
            if not self.subscribers:
                await self.close()

    async def close(self) -> None:
        """Close the registry stream (shielded: callers may be in a cancelled scope)."""
        pump, self._pump = self._pump, None
        if pump is None or pump.done():
            return
        pump.cancel()
        with anyio.CancelScope(shield=True), contextlib.suppress(asyncio.CancelledError, Exception):
            await pump

    async def _run(self, opened: OpenStream) -> None:
        try:
            async for event in parse_events(opened.response.aiter_lines()):
                chunk = reshape(event, self.catalogue)
                if chunk is not None:
                    self._broadcast(chunk)
        except httpx.ReadTimeout:
            log.warning("registry change feed silent for %.0f s (no event, no ping): taken as dropped; "
                        "%d browser stream(s) end and reconnect", self.idle_timeout, len(self.subscribers))
        except (UpstreamFailure, httpx.TransportError) as exc:
            log.warning("registry change feed dropped (%s: %s); %d browser stream(s) end and reconnect",
                        type(exc).__name__, exc, len(self.subscribers))
        else:
            log.warning("registry change feed ended; %d browser stream(s) end and reconnect", len(self.subscribers))
        finally:
            await opened.aclose()
            for queue in list(self.subscribers):
                self._end(queue)

    def _broadcast(self, chunk: bytes) -> None:
        for queue in list(self.subscribers):
            try:
                queue.put_nowait(chunk)
            except asyncio.QueueFull:
                self.subscribers.discard(queue)
                self._end(queue)

    @staticmethod
    def _end(queue: asyncio.Queue[bytes]) -> None:
        while True:
            try:
                queue.put_nowait(_END)
                return
            except asyncio.QueueFull:
                queue.get_nowait()
