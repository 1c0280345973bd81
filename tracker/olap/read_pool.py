"""Read connections of a ``ClickHouseStore``: each query takes one for itself, so reads overlap.

chDB runs queries on distinct connections to its one engine in parallel (and releases the GIL
while it does); a connection runs one query at a time. A server takes any number of sessions.
Reads see every insert that returned before they started, whichever connection wrote it.
``exclusive()`` holds every connection (migrations: no read sees a half-built schema).
Without connections of its own the pool lends the store's one client under the store's lock,
one read at a time (a store over a client it was handed, as in the tests).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator, Sequence


class ReadPool:
    def __init__(self, clients: Sequence, fallback, fallback_lock: threading.Lock) -> None:
        self.clients = list(clients)
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        for client in self.clients:
            self._idle.put(client)
        self._fallback = fallback
        self._fallback_lock = fallback_lock

    def __len__(self) -> int:
        return len(self.clients)

    @contextlib.contextmanager
    def one(self) -> Iterator:
        """A connection for one read (waits while all are busy)."""
        if not self.clients:
            with self._fallback_lock:
                yield self._fallback
            return
        client = self._idle.get()
        try:
            yield client
        finally:
            self._idle.put(client)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Every connection held: no read runs until the block ends."""
        held = [self._idle.get() for _ in self.clients]
        try:
            yield
        finally:
            for client in held:
                self._idle.put(client)

    def close(self) -> None:
        with self.exclusive():
            for client in self.clients:
                client.close()
