"""Exponential backoff with jitter (full, equal or none).

``delay(attempt)`` is pure apart from the injected ``random.Random``: attempt 0 is the
wait after the first failure, so the un-jittered schedule is ``base * factor**attempt``
capped at ``cap``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

JITTERS = ("full", "equal", "none")


class Backoff:
    def __init__(
        self,
        base: float = 0.2,
        factor: float = 2.0,
        cap: float = 30.0,
        jitter: str = "full",
        rng: random.Random | None = None,
    ) -> None:
        if base < 0 or cap < 0 or factor < 1:
            raise ValueError("backoff needs base >= 0, cap >= 0 and factor >= 1")
        if jitter not in JITTERS:
            raise ValueError(f"jitter must be one of {JITTERS}, not {jitter!r}")
        self.base = base
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
        self.rng = rng or random.Random()

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay for ``attempt`` (0-based), never above ``cap``."""
        if attempt < 0:
            raise ValueError("attempt must be >= 0")
        try:
            raw = self.base * self.factor**attempt
        except OverflowError:
            return self.cap
        return min(self.cap, raw)

    def delay(self, attempt: int) -> float:
        ceiling = self.ceiling(attempt)
        if self.jitter == "full":
            return self.rng.uniform(0.0, ceiling)
        if self.jitter == "equal":
            return ceiling / 2 + self.rng.uniform(0.0, ceiling / 2)
        return ceiling

    def delays(self) -> Iterator[float]:
        """An endless schedule: delay(0), delay(1), ..."""
        attempt = 0
        while True:
            yield self.delay(attempt)
            attempt += 1

    def __repr__(self) -> str:
        return (
            f"Backoff(base={self.base}, factor={self.factor}, cap={self.cap}, "
            f"jitter={self.jitter!r})"
        )
