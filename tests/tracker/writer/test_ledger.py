from tracker.stream.port import Record, TopicPartition
from tracker.writer.ledger import OffsetRanges, ReplayGuard

TP0, TP1 = TopicPartition("t", 0), TopicPartition("t", 1)


def rec(partition: int, offset: int) -> Record:
    return Record("t", partition, offset, b"", b"", 0)


def test_token_is_deterministic_and_covers_each_partition():
    a, b = OffsetRanges(), OffsetRanges()
    for r in [rec(1, 5), rec(0, 3), rec(0, 4), rec(1, 6)]:
        a.add(r)
    for r in [rec(0, 4), rec(1, 6), rec(0, 3), rec(1, 5)]:
        b.add(r)
    assert a.token() == b.token() == "t/0/3-4,t/1/5-6"


def test_different_boundaries_give_different_tokens():
    a, b = OffsetRanges(), OffsetRanges()
    a.add(rec(0, 0)), a.add(rec(0, 9))
    b.add(rec(0, 0)), b.add(rec(0, 4))
    assert a.token() != b.token()


def test_commits_next_offset_per_partition():
    r = OffsetRanges()
    for x in [rec(0, 3), rec(0, 4), rec(1, 9)]:
        r.add(x)
    assert r.commits() == {TP0: 5, TP1: 10}


def test_guard_skips_exactly_the_stored_offsets():
    g = ReplayGuard()
    assert g.needs_lookup(TP0, 10)
    g.remember(TP0, {10, 11, 13})  # 12 was poison (never stored), 14+ not yet written
    admitted = [o for o in range(10, 16) if g.admit(rec(0, o))]
    assert admitted == [12, 14, 15]
    assert not g.needs_lookup(TP0, 16)


def test_guard_looks_up_again_when_the_stream_goes_back():
    g = ReplayGuard()
    g.remember(TP0, set())
    g.admit(rec(0, 20))
    assert not g.needs_lookup(TP0, 21)
    assert g.needs_lookup(TP0, 15)
    g.forget(TP0)
    assert g.needs_lookup(TP0, 21)
