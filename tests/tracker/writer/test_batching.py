import pytest

from tracker.writer.batching import BatchPolicy


def test_empty_batch_never_flushes():
    assert not BatchPolicy(max_rows=10, max_age_ms=0).should_flush(0, 10_000)


def test_flushes_when_full():
    p = BatchPolicy(max_rows=10, max_age_ms=1000)
    assert not p.should_flush(9, 5)
    assert p.should_flush(10, 5)


def test_flushes_when_old_enough():
    p = BatchPolicy(max_rows=10, max_age_ms=100)
    assert not p.should_flush(1, 99.9)
    assert p.should_flush(1, 100)


def test_poll_waits_until_due_or_idle():
    p = BatchPolicy(max_rows=10, max_age_ms=100, idle_poll_ms=250)
    assert p.poll_timeout_ms(0, 0) == 250
    assert p.poll_timeout_ms(3, 40) == 60
    assert p.poll_timeout_ms(3, 400) == 0


def test_poll_size_fills_the_batch():
    p = BatchPolicy(max_rows=10)
    assert p.poll_size(0) == 10
    assert p.poll_size(7) == 3
    assert p.poll_size(12) == 1


@pytest.mark.parametrize("kw", [{"max_rows": 0}, {"max_age_ms": -1}, {"idle_poll_ms": 0}])
def test_rejects_nonsense(kw):
    with pytest.raises(ValueError):
        BatchPolicy(**kw)
