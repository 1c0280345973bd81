"""Retry a call with backoff, optionally guarded by a circuit breaker.

Exceptions in ``retry_on`` are failures: recorded on the breaker and retried after
``backoff.delay(n)``. Any other exception (including cancellation) propagates at once
and is no verdict for the breaker: it only gives back a half-open probe slot. An open
breaker raises ``CircuitOpen`` without calling ``fn``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from resilience.backoff import Backoff
from resilience.breaker import CircuitBreaker

T = TypeVar("T")
ExceptionTypes = type[BaseException] | tuple[type[BaseException], ...]


async def retry_async(
    fn: Callable[[], Awaitable[T]],
    *,
    backoff: Backoff,
    attempts: int,
    retry_on: ExceptionTypes = (Exception,),
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    breaker: CircuitBreaker | None = None,
) -> T:
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    for attempt in range(attempts):
        if breaker is not None:
            breaker.check()
        try:
            result = await fn()
        except retry_on:
            if breaker is not None:
                breaker.record_failure()
            if attempt + 1 >= attempts:
                raise
            await sleep(backoff.delay(attempt))
        except BaseException:
            if breaker is not None:
                breaker.release()
            raise
        else:
            if breaker is not None:
                breaker.record_success()
            return result
    raise AssertionError("unreachable")  # pragma: no cover


def retry(
    fn: Callable[[], T],
    *,
    backoff: Backoff,
    attempts: int,
    retry_on: ExceptionTypes = (Exception,),
    sleep: Callable[[float], object] = time.sleep,
    breaker: CircuitBreaker | None = None,
) -> T:
    """The blocking twin of ``retry_async`` (same rules), for synchronous clients."""
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    for attempt in range(attempts):
        if breaker is not None:
            breaker.check()
        try:
            result = fn()
        except retry_on:
            if breaker is not None:
                breaker.record_failure()
            if attempt + 1 >= attempts:
                raise
            sleep(backoff.delay(attempt))
        except BaseException:
            if breaker is not None:
                breaker.release()
            raise
        else:
            if breaker is not None:
                breaker.record_success()
            return result
    raise AssertionError("unreachable")  # pragma: no cover
