"""Bulkhead: cap concurrent calls to one dependency so it cannot starve the others.

``async with bulkhead:`` takes a slot or raises ``BulkheadFull`` — immediately when
``wait`` is 0, or after waiting up to ``wait`` seconds for a slot.
"""

from __future__ import annotations

import asyncio


class BulkheadFull(Exception):
    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit
        super().__init__(f"bulkhead {name} is full ({limit} calls in flight)")


class Bulkhead:
    def __init__(self, limit: int, name: str, wait: float = 0.0) -> None:
        if limit < 1:
            raise ValueError("limit must be >= 1")
        if wait < 0:
            raise ValueError("wait must be >= 0")
        self.limit = limit
        self.name = name
        self.wait = wait
        self._slots = asyncio.Semaphore(limit)
        self.in_flight = 0
        self.rejected = 0

    @property
    def available(self) -> int:
        return self.limit - self.in_flight

    async def acquire(self) -> None:
        if self.wait == 0:
            if self._slots.locked():
                self._reject()
            await self._slots.acquire()
        else:
            try:
                await asyncio.wait_for(self._slots.acquire(), self.wait)
            except TimeoutError:
                self._reject()
        self.in_flight += 1

    def release(self) -> None:
        self.in_flight -= 1
        self._slots.release()

    async def __aenter__(self) -> Bulkhead:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()

    def _reject(self) -> None:
        self.rejected += 1
        raise BulkheadFull(self.name, self.limit)

    def __repr__(self) -> str:
        return f"Bulkhead(name={self.name!r}, limit={self.limit}, in_flight={self.in_flight})"
