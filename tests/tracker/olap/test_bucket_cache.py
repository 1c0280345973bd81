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
