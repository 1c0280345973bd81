"""Client event ids remembered across restarts, for a day, within a bound."""

from tracker.collector.seen import SeenIds


def test_claim_remember_release(tmp_path):
    seen = SeenIds(tmp_path / "seen.sqlite")
    assert seen.claim("a") and not seen.claim("a")  # pending: a second copy in flight is a duplicate
    seen.release(["a"])  # its append failed: the retry must be taken
    assert seen.claim("a")
    seen.remember(["a"])
    assert not seen.claim("a")
    seen.close()
    again = SeenIds(tmp_path / "seen.sqlite")
    assert not again.claim("a") and again.claim("b")


def test_ids_older_than_the_ttl_or_beyond_the_bound_are_forgotten(tmp_path):
    now = [1000.0]
    seen = SeenIds(tmp_path / "seen.sqlite", ttl_s=60, max_ids=3, clock=lambda: now[0])
    for i in "abc":
        assert seen.claim(i)
        seen.remember([i])
        now[0] += 1
    assert seen.claim("d")
    seen.remember(["d"])  # over the bound: the oldest goes
    assert seen.claim("a") and not seen.claim("d")
    seen.release(["a"])
    now[0] += 120
    seen.prune(now[0])
    assert seen.stored == {}
    seen.close()
    assert SeenIds(tmp_path / "seen.sqlite", ttl_s=60, clock=lambda: now[0]).stored == {}
