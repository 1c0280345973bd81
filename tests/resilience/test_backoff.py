import random

import pytest

from resilience.backoff import Backoff


def test_no_jitter_doubles_and_caps():
    b = Backoff(base=0.2, factor=2.0, cap=1.0, jitter="none")
    assert [b.delay(n) for n in range(5)] == [0.2, 0.4, 0.8, 1.0, 1.0]


def test_full_jitter_stays_within_ceiling_and_varies():
    b = Backoff(rng=random.Random(7))
    delays = [b.delay(3) for _ in range(200)]
    assert all(0.0 <= d <= 1.6 for d in delays)
    assert len(set(delays)) > 100


def test_equal_jitter_keeps_half_the_ceiling():
    b = Backoff(base=1.0, jitter="equal", rng=random.Random(1))
    assert all(2.0 <= b.delay(2) <= 4.0 for _ in range(100))


def test_same_seed_same_schedule():
    a = Backoff(rng=random.Random(42)).delays()
    b = Backoff(rng=random.Random(42)).delays()
    assert [next(a) for _ in range(10)] == [next(b) for _ in range(10)]


def test_delays_is_endless_and_capped():
    it = Backoff(cap=5.0, jitter="none").delays()
    values = [next(it) for _ in range(2000)]
    assert values[-1] == 5.0


def test_huge_attempt_does_not_overflow():
    assert Backoff(jitter="none", cap=3.0).delay(100_000) == 3.0


@pytest.mark.parametrize("kwargs", [{"jitter": "sometimes"}, {"factor": 0.5}, {"base": -1}])
def test_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        Backoff(**kwargs)
