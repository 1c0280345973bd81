"""Real servers for tests: a free port on 127.0.0.1, and uvicorn run in a daemon thread."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(config: uvicorn.Config, patience: float = 10) -> Iterator[str]:
    """Run ``config`` (host 127.0.0.1, a port of its own) in a daemon thread; yields its base URL
    once it has started (or after ``patience`` seconds), and asks it to exit afterwards."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + patience
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://{config.host}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(patience)
