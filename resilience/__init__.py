"""Retry with backoff + jitter, circuit breaker and bulkhead, shared by every Tessera part."""

from resilience.backoff import Backoff
from resilience.breaker import BreakerState, CircuitBreaker, CircuitOpen
from resilience.bulkhead import Bulkhead, BulkheadFull
from resilience.retry import retry, retry_async

__all__ = [
    "Backoff",
    "BreakerState",
    "Bulkhead",
    "BulkheadFull",
    "CircuitBreaker",
    "CircuitOpen",
    "retry",
    "retry_async",
]
