"""Circuit breaker: closed -> open after N consecutive failures -> half_open after a
timeout, where exactly one probe is let through; its outcome closes or re-opens it.

Pure: time comes from an injected ``clock`` (``time.monotonic`` by default).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """Raised instead of calling a dependency whose breaker is open."""

    def __init__(self, name: str = "", retry_after: float = 0.0) -> None:
        self.name = name
        self.retry_after = retry_after
        where = f" {name}" if name else ""
        super().__init__(f"circuit{where} is open; retry in {retry_after:.2f}s")


StateListener = Callable[[BreakerState, BreakerState], None]


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: StateListener | None = None,
        name: str = "",
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be >= 1")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self.on_change = on_change
        self.name = name
        self.failures = 0
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._probe_out = False

    @property
    def state(self) -> BreakerState:
        """Current state; an open breaker whose timeout passed reads as half_open."""
        if self._state is BreakerState.OPEN and self._cooled_down():
            self._move(BreakerState.HALF_OPEN)
        return self._state

    def allow(self) -> bool:
        """May a call go through now? In half_open only one probe is allowed at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probe_out:
            self._probe_out = True
            return True
        return False

    def retry_after(self) -> float:
        """Seconds until an open breaker lets a probe through (0 when not open)."""
        if self.state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.reset_timeout - self.clock())

    def check(self) -> None:
        """``allow()`` or raise ``CircuitOpen``."""
        if not self.allow():
            raise CircuitOpen(self.name, self.retry_after())

    def release(self) -> None:
        """Give back a half-open probe slot without a verdict (the call was cancelled, or
        failed in a way that says nothing about the dependency's health)."""
        self._probe_out = False

    def record_success(self) -> None:
        self.failures = 0
        self._probe_out = False
        if self._state is not BreakerState.CLOSED:
            self._move(BreakerState.CLOSED)

    def record_failure(self) -> None:
        self.failures += 1
        self._probe_out = False
        state = self.state
        if state is BreakerState.HALF_OPEN or (
            state is BreakerState.CLOSED and self.failures >= self.failure_threshold
        ):
            self._open()
        elif state is BreakerState.OPEN:
            self._opened_at = self.clock()

    def _open(self) -> None:
        self._opened_at = self.clock()
        self._move(BreakerState.OPEN)

    def _cooled_down(self) -> bool:
        return self.clock() - self._opened_at >= self.reset_timeout

    def _move(self, new: BreakerState) -> None:
        old, self._state = self._state, new
        if old is not new and self.on_change is not None:
            self.on_change(old, new)

    def __repr__(self) -> str:
        return f"CircuitBreaker(name={self.name!r}, state={self._state.value}, failures={self.failures})"
