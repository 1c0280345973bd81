from datetime import UTC, datetime

from tracker.model import Bucket
from tracker.olap.bucket_cache import BucketCache

T = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def entry(events, views=1, visitors=1):
    return (events, Bucket(T, views, visitors))


def test_entries_are_kept_per_site():
    cache = BucketCache()
    cache.put("a", {60: entry(3)})
    cache.put("b", {60: entry(5), 120: entry(1)})
    assert cache.of("a") == {60: entry(3)}
    assert cache.of("b")[120] == entry(1)
    assert cache.of("c") == {}
    assert len(cache) == 3


def test_a_newer_entry_replaces_the_old_one_without_growing():
    cache = BucketCache()
    cache.put("a", {60: entry(3)})
    cache.put("a", {60: entry(4, views=2)})
    assert cache.of("a")[60] == entry(4, views=2)
    assert len(cache) == 1


def test_past_the_limit_it_starts_over():
    cache = BucketCache(limit=3)
    cache.put("a", {60: entry(1), 120: entry(1)})
    held = cache.of("a")
    cache.put("b", {60: entry(1), 120: entry(1)})
    assert cache.of("a") == {} and len(cache) == 2
    assert held == {60: entry(1), 120: entry(1)}  # a reader's view of the old entries stays whole


# -- MinuteCache: one window of consecutive minutes per site ---------------------------------
from tracker.olap.bucket_cache import MinuteCache  # noqa: E402

M = 1_795_000_020 // 60 * 60  # a minute, epoch seconds


def bucket(t: int, views: int = 1) -> Bucket:
    return Bucket(datetime.fromtimestamp(t, UTC), views, 1)


def counts(cache, site, lo, n):
    return cache.snapshot(site, lo, n)[0].tolist()


def test_a_minute_is_unknown_until_put_and_then_held_with_its_count():
    cache = MinuteCache()
    events, buckets = cache.snapshot("a", M, 3)
    assert events.tolist() == [-1, -1, -1] and buckets == [None, None, None]
    cache.put("a", {M + 60: (7, bucket(M + 60))})
    events, buckets = cache.snapshot("a", M, 3)
    assert events.tolist() == [-1, 7, -1] and buckets[1] == bucket(M + 60)
    assert counts(cache, "b", M, 3) == [-1, -1, -1]  # per site


def test_a_snapshot_is_a_copy_a_later_put_does_not_change():
    cache = MinuteCache()
    cache.snapshot("a", M, 2)
    cache.put("a", {M: (1, bucket(M))})
    events, buckets = cache.snapshot("a", M, 2)
    cache.put("a", {M: (2, bucket(M, views=2))})
    assert events.tolist() == [1, -1] and buckets[0] == bucket(M)


def test_the_window_widens_to_a_new_range_and_keeps_what_it_held():
    cache = MinuteCache()
    cache.snapshot("a", M, 2)
    cache.put("a", {M: (1, bucket(M)), M + 60: (2, bucket(M + 60))})
    assert counts(cache, "a", M + 60, 3) == [2, -1, -1]  # later
    assert counts(cache, "a", M - 120, 3) == [-1, -1, 1]  # earlier
    assert len(cache) == 6  # [M-2, M+4)


def test_a_put_outside_the_window_is_dropped():
    cache = MinuteCache()
    cache.put("a", {M: (1, bucket(M))})  # no window yet
    cache.snapshot("a", M, 1)
    cache.put("a", {M + 600: (1, bucket(M + 600))})
    assert counts(cache, "a", M, 1) == [-1] and len(cache) == 1


def test_past_its_span_the_window_keeps_the_minutes_nearest_the_range():
    cache = MinuteCache(span=10)
    cache.snapshot("a", M, 4)
    cache.put("a", {M + 60 * i: (i + 1, bucket(M + 60 * i)) for i in range(4)})
    assert counts(cache, "a", M + 60 * 8, 4) == [-1] * 4  # [M+2, M+12): M+2 and M+3 kept
    assert counts(cache, "a", M + 120, 2) == [3, 4]
    assert counts(cache, "a", M, 1) == [-1]  # M and M+1 went
    cache.snapshot("a", M + 60 * 100, 20)  # wider than the span on its own: exactly the range
    assert len(cache) == 20


def test_past_the_limit_every_site_starts_over():
    cache = MinuteCache(limit=5)
    cache.snapshot("a", M, 3)
    cache.put("a", {M: (1, bucket(M))})
    cache.snapshot("b", M, 3)
    assert counts(cache, "a", M, 1) == [-1]
    assert len(cache) <= 5
