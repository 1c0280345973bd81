import pytest

from tracker.writer.batching import BatchPolicy, Meter


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


def test_without_a_cpu_share_the_age_is_fixed():
    p = BatchPolicy(max_age_ms=100)
    assert p.due_age_ms(60, 5) == p.due_age_ms(0, 0) == 100


def test_the_age_keeps_inserts_within_the_cpu_share_up_to_the_ceiling():
    p = BatchPolicy(max_age_ms=700, cpu_share=0.05, busy_rate=500, busy_age_ms=250)
    # 2 ms an insert, 5 events/s: flushes every age + 200 ms cost 2/(age+200) <= 5 % from age = -160: at once
    assert p.due_age_ms(2, 5) == 0
    # 20 ms an insert at 1 event/s: 20/(age + 1000) <= 5 % needs age >= -600 ms; at 10 events/s, 300 ms
    assert p.due_age_ms(20, 1) == 0
    assert p.due_age_ms(20, 10) == 300
    # chDB's ~60 ms: 1.2 s wanted, capped by the freshness ceiling, and lower when busy
    assert p.due_age_ms(60, 5) == 700
    assert p.due_age_ms(60, 10_000) == 250
    # with rare events waiting buys nothing: every flush carries one anyway
    assert p.due_age_ms(60, 0.5) == 0
    assert p.due_age_ms(60, 0) == 0


def test_the_flush_and_the_poll_follow_the_due_age():
    p = BatchPolicy(max_rows=10, max_age_ms=700, cpu_share=0.05)
    assert not p.should_flush(1, 299, due_ms=300)
    assert p.should_flush(1, 300, due_ms=300)
    assert p.poll_timeout_ms(1, 100.5, due_ms=300) == 200
    assert p.poll_timeout_ms(0, 0, due_ms=300) == p.idle_poll_ms


@pytest.mark.parametrize("kw", [{"cpu_share": -0.1}, {"cpu_share": 2}, {"busy_rate": 0}, {"busy_age_ms": -1}])
def test_rejects_nonsense_adaptive_settings(kw):
    with pytest.raises(ValueError):
        BatchPolicy(**kw)


def test_meter_rate_settles_at_the_arrival_rate_and_decays_when_idle():
    m = Meter(window_s=2.0)
    for i in range(200):  # 5 events/s for 40 s
        m.arrived(1, i * 0.2)
    assert 4.5 < m.rate < 5.5
    assert m.decay(39.8 + 10) < 0.05
    assert m.decay(0) < 0.05  # time does not go back


def test_meter_cost_moves_towards_measured_flushes():
    m = Meter(insert_cost_ms=60, weight=0.5)
    m.flushed(20)
    assert m.insert_cost_ms == 40
    for _ in range(20):
        m.flushed(2)
    assert abs(m.insert_cost_ms - 2) < 0.01


def test_a_slow_flush_leaves_the_batch_less_time():
    p = BatchPolicy(max_age_ms=900, cpu_share=0.05, busy_rate=500, busy_age_ms=400)
    assert p.due_age_ms(60, 5, flush_ms=100) == 800
    assert p.due_age_ms(60, 10_000, flush_ms=150) == 250
    assert p.due_age_ms(60, 10_000, flush_ms=600) == 0
    assert BatchPolicy(max_age_ms=100).due_age_ms(60, 5, flush_ms=90) == 100  # fixed age: as set


def test_meter_tracks_the_flush_time():
    m = Meter(weight=0.5)
    m.flushed(10, 200)
    m.flushed(10, 200)
    assert m.flush_ms == 150


def test_a_batch_counts_from_its_oldest_records_append_up_to_a_bound():
    p = BatchPolicy(seen_late_ms=500)
    assert p.opened_ago_ms(120) == 120  # seen 120 ms after its append: the batch is that much older
    assert p.opened_ago_ms(-30) == 0  # a clock ahead of ours never makes a batch younger than its poll
    assert p.opened_ago_ms(86_400_000) == 500  # a backlog is still batched, not flushed poll by poll


def test_light_traffic_holds_an_open_batch_without_reading_until_due():
    p = BatchPolicy(max_rows=100, busy_rate=500, seen_late_ms=500)
    assert p.hold_ms(3, 200, 650, rate=5) == 450
    assert p.hold_ms(3, 700, 650, rate=5) == 0  # due already
    assert p.hold_ms(0, 0, 650, rate=5) == 0  # nothing open: wait for the stream instead
    assert p.hold_ms(100, 10, 650, rate=5) == 0  # full: flush now
    assert p.hold_ms(3, 200, 650, rate=800) == 0  # busy: read as it comes
    assert p.hold_ms(3, 200, 650, rate=5, behind=True) == 0  # a backlog: read as fast as it comes


def test_rejects_a_negative_late_bound():
    with pytest.raises(ValueError):
        BatchPolicy(seen_late_ms=-1)
