import pytest

from resilience.backoff import Backoff
from resilience.breaker import CircuitBreaker, CircuitOpen
from resilience.retry import retry, retry_async


class Flaky:
    def __init__(self, failures: int, exc: type[Exception] = ConnectionError) -> None:
        self.failures = failures
        self.exc = exc
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc("boom")
        return "ok"

    async def call(self) -> str:
        return self()


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


NO_JITTER = Backoff(base=1.0, factor=2.0, cap=10.0, jitter="none")


async def test_retries_until_success_sleeping_the_backoff():
    flaky, sleeps = Flaky(2), Sleeps()
    assert await retry_async(flaky.call, backoff=NO_JITTER, attempts=5, sleep=sleeps) == "ok"
    assert flaky.calls == 3
    assert sleeps == [1.0, 2.0]


async def test_gives_up_after_attempts_and_reraises():
    flaky, sleeps = Flaky(10), Sleeps()
    with pytest.raises(ConnectionError):
        await retry_async(flaky.call, backoff=NO_JITTER, attempts=3, sleep=sleeps)
    assert flaky.calls == 3
    assert sleeps == [1.0, 2.0]


async def test_other_exceptions_are_not_retried():
    flaky, sleeps = Flaky(1, ValueError), Sleeps()
    with pytest.raises(ValueError):
        await retry_async(flaky.call, backoff=NO_JITTER, attempts=3, retry_on=(ConnectionError,), sleep=sleeps)
    assert flaky.calls == 1 and sleeps == []


async def test_breaker_records_failures_and_stops_calling_when_open():
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=5.0, clock=lambda: now[0])
    flaky, sleeps = Flaky(10), Sleeps()
    with pytest.raises(CircuitOpen):
        await retry_async(flaky.call, backoff=NO_JITTER, attempts=5, sleep=sleeps, breaker=breaker)
    assert flaky.calls == 2
    assert breaker.state == "open"


async def test_breaker_probe_success_closes_it():
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=5.0, clock=lambda: now[0])
    breaker.record_failure()
    now[0] = 5.0
    flaky = Flaky(0)
    assert await retry_async(flaky.call, backoff=NO_JITTER, attempts=1, sleep=Sleeps(), breaker=breaker) == "ok"
    assert breaker.state == "closed"


async def test_non_retryable_answer_releases_the_half_open_probe():
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=5.0, clock=lambda: now[0])
    breaker.record_failure()
    now[0] = 5.0
    with pytest.raises(ValueError):
        await retry_async(Flaky(1, ValueError).call, backoff=NO_JITTER, attempts=1,
                          retry_on=(ConnectionError,), sleep=Sleeps(), breaker=breaker)
    assert breaker.state == "half_open"
    assert breaker.allow()  # the probe slot was given back, no verdict


async def test_cancelled_call_is_no_verdict():
    import asyncio

    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=5.0, clock=lambda: 0.0)
    breaker.record_failure()

    async def hang():
        await asyncio.sleep(10)

    task = asyncio.create_task(retry_async(hang, backoff=NO_JITTER, attempts=3, breaker=breaker))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.failures == 1 and breaker.state == "closed"


async def test_attempts_must_be_positive():
    with pytest.raises(ValueError):
        await retry_async(Flaky(0).call, backoff=NO_JITTER, attempts=0)


def test_blocking_twin_follows_the_same_rules():
    flaky, sleeps = Flaky(2), []
    assert retry(flaky, backoff=NO_JITTER, attempts=3, sleep=sleeps.append) == "ok"
    assert sleeps == [1.0, 2.0]
