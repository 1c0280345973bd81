"""Run an ASGI app on uvicorn behind the edge limits: the one way every service serves.

``config`` builds the ``uvicorn.Config`` (tests start it on a real socket in-process);
``run`` is what each service's entrypoint calls.
"""

from __future__ import annotations

from typing import Any

import uvicorn

from gatekeeper.limits import EdgeLimits
from gatekeeper.protocol import EdgeProtocol


def config(app: Any, limits: EdgeLimits, protocol: type[EdgeProtocol] = EdgeProtocol,
           **options: Any) -> uvicorn.Config:
    """A uvicorn config serving ``app`` with ``limits`` (httptools, limits in the protocol;
    ``protocol``: an ``EdgeProtocol`` subclass, such as the collector's pixel path)."""
    options.setdefault("lifespan", "on")
    return uvicorn.Config(app, http=protocol.bound(limits), timeout_keep_alive=limits.keep_alive_timeout,
                          ws="none", **options)


def run(app: Any, limits: EdgeLimits, protocol: type[EdgeProtocol] = EdgeProtocol, **options: Any) -> None:
    server = uvicorn.Server(config(app, limits, protocol, **options))
    server.run()
    if not server.started:
        raise SystemExit(3)  # as ``uvicorn.run``: the app or the socket failed to start
