import pytest

from resilience.breaker import BreakerState, CircuitBreaker, CircuitOpen


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


def make(clock, changes=None, **kw):
    on_change = (lambda old, new: changes.append((old.value, new.value))) if changes is not None else None
    return CircuitBreaker(failure_threshold=3, reset_timeout=10.0, clock=clock, on_change=on_change, **kw)


def test_opens_after_threshold_consecutive_failures(clock):
    b = make(clock)
    for _ in range(2):
        b.record_failure()
    assert b.state == "closed" and b.allow()
    b.record_failure()
    assert b.state is BreakerState.OPEN
    assert not b.allow()


def test_success_resets_the_failure_count(clock):
    b = make(clock)
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert b.state == "closed"


def test_half_open_lets_exactly_one_probe_through(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 9.9
    assert not b.allow()
    clock.now += 0.1
    assert b.state == "half_open"
    assert b.allow() is True
    assert b.allow() is False
    assert b.allow() is False


def test_probe_success_closes(clock):
    changes = []
    b = make(clock, changes)
    for _ in range(3):
        b.record_failure()
    clock.now += 10
    assert b.allow()
    b.record_success()
    assert b.state == "closed" and b.allow() and b.allow()
    assert changes == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]


def test_probe_failure_reopens_for_a_full_timeout(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 10
    assert b.allow()
    b.record_failure()
    assert b.state == "open"
    assert b.retry_after() == pytest.approx(10.0)
    clock.now += 5
    assert not b.allow()
    assert b.retry_after() == pytest.approx(5.0)


def test_check_raises_circuit_open_with_retry_after(clock):
    b = make(clock, name="registry")
    for _ in range(3):
        b.record_failure()
    clock.now += 4
    with pytest.raises(CircuitOpen) as err:
        b.check()
    assert err.value.retry_after == pytest.approx(6.0)
    assert "registry" in str(err.value)


def test_no_callback_when_state_does_not_change(clock):
    changes = []
    b = make(clock, changes)
    b.record_success()
    b.record_failure()
    assert changes == []


def test_release_gives_back_the_probe_without_a_verdict(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 10
    assert b.allow() and not b.allow()
    b.release()
    assert b.state == "half_open" and b.allow()
