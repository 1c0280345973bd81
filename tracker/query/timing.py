"""``ServerTiming``: each answer says how long the query API took before it began
(``Server-Timing: app;dur=<ms>``), so a browser's resource timing tells the service's time
from the network's and the queueing's (see ``bench/bench_default_layout.py --detail``)."""

from __future__ import annotations

import time
from collections.abc import Callable


class ServerTiming:
    def __init__(self, app: Callable, clock: Callable[[], float] = time.perf_counter) -> None:
        self.app, self.clock = app, clock

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()

        async def timed(message) -> None:
            if message["type"] == "http.response.start":
                took = (self.clock() - started) * 1000
                headers = [*message.get("headers", ()), (b"server-timing", f"app;dur={took:.1f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)
