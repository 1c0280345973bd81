"""``StreamQuota``: how many long-lived streams (SSE) one client may hold open, and all together.

A stream holds a connection and a slot in whatever shared limit sits behind it (the
dashboard's upstream bulkhead, the query API's watchers). Without a per-client quota one
client can take every slot and lock everyone else out; with it, that client gets a 429
naming the limit while others are still served. ``total`` is the backstop over all
clients (503). Clients are told apart by their address (``scope["client"]``): behind a
reverse proxy they all share one, so raise the per-client limit there or let the proxy
enforce its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from gatekeeper.refusal import Refusal


def event_streams(paths: Iterable[str]) -> Callable[[dict], bool]:
    """A request is a stream if it goes to one of ``paths`` or asks for ``text/event-stream``."""
    known = frozenset(paths)

    def is_stream(scope: dict) -> bool:
        if scope["path"] in known:
            return True
        for name, value in scope["headers"]:
            if name == b"accept":
                return b"text/event-stream" in value
        return False

    return is_stream


class StreamQuota:
    def __init__(self, app: Callable, per_client: int, total: int | None = None,
                 is_stream: Callable[[dict], bool] = lambda scope: False) -> None:
        self.app, self.per_client, self.total, self.is_stream = app, per_client, total, is_stream
        self.open: Counter[str] = Counter()  # client address -> open streams
        self.open_total = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.is_stream(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else ""
        held = self.open[key]
        if held >= self.per_client:
            refusal = Refusal(429, "client", f"client {key} already holds {held} open streams; at most "
                              f"{self.per_client} per client (max_streams_per_client)", "max_streams_per_client")
            await refusal.send(send, [(b"retry-after", b"5")])
            return
        if self.total is not None and self.open_total >= self.total:
            refusal = Refusal(503, "client", f"{self.open_total} streams are open; at most {self.total} in all "
                              "(max_streams)", "max_streams")
            await refusal.send(send, [(b"retry-after", b"5")])
            return
        self.open[key] += 1
        self.open_total += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open_total -= 1
            self.open[key] -= 1
            if self.open[key] <= 0:
                del self.open[key]
