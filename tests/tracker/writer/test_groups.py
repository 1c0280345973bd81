"""One insert per flush across partitions: group tokens, and the flush plan that replays them exactly."""

from tracker.stream.port import Record, TopicPartition
from tracker.writer.ledger import Block, Group, PartitionBatch, ReplayGuard, plan

TP = [TopicPartition("t", p) for p in range(3)]


def rec(partition: int, offset: int) -> Record:
    return Record("t", partition, offset, b"", b"", 0)


def batch(guard: ReplayGuard, partition: int, first: int, last: int) -> PartitionBatch:
    """Records first..last of a partition, polled through the guard as the writer does."""
    tp = TP[partition]
    guard.seen(tp, last)
    return PartitionBatch(tp, [rec(partition, o) for o in range(first, last + 1)], stored=guard.blocks(tp))


def shape(p):
    return [(g.token, [(r.partition, r.offset) for r in rs], again) for g, rs, again in p.inserts]


def test_a_group_token_is_its_blocks_tokens_and_one_block_keeps_the_old_token():
    g = Group.of([Block("a/b", 2, 5, 9), Block("a/b", 0, 1, 4)])
    assert g.token == "a/b/0/1-4+a/b/2/5-9"
    assert Group.parse(g.token) == g
    assert Group.of([Block("t", 1, 3, 4)]).token == Block("t", 1, 3, 4).token == "t/1/3-4"
    assert g.partitions() == {TopicPartition("a/b", 0), TopicPartition("a/b", 2)}


def test_fresh_records_of_every_partition_make_one_insert():
    guard = ReplayGuard()
    p = plan([batch(guard, 2, 7, 8), batch(guard, 0, 3, 3)], guard, set(TP))
    assert shape(p) == [("t/0/3-3+t/2/7-8", [(0, 3), (2, 7), (2, 8)], False)]
    assert {pb.tp for pb in p.ready} == {TP[0], TP[2]} and p.settled == []


def test_split_rows_packs_fresh_blocks_into_inserts_of_at_least_that_size():
    guard = ReplayGuard()
    p = plan([batch(guard, 0, 0, 9), batch(guard, 1, 0, 2), batch(guard, 2, 0, 4)], guard, set(TP), split_rows=10)
    assert [g.token for g, _, _ in p.inserts] == ["t/0/0-9", "t/1/0-2+t/2/0-4"]


def test_a_stored_group_is_replayed_whole_under_its_token_with_fresh_records_apart():
    guard = ReplayGuard()
    stored = "t/0/10-11+t/1/4-4"
    guard.remember(TP[0], {stored})
    guard.remember(TP[1], {stored})
    p = plan([batch(guard, 0, 10, 13), batch(guard, 1, 4, 6)], guard, set(TP))
    assert shape(p) == [(stored, [(0, 10), (0, 11), (1, 4)], True),
                        ("t/0/12-13+t/1/5-6", [(0, 12), (0, 13), (1, 5), (1, 6)], False)]
    assert guard.outstanding() == [stored]


def test_a_stored_group_waits_for_its_other_partition():
    guard = ReplayGuard()
    stored = "t/0/10-11+t/1/4-5"
    guard.remember(TP[0], {stored})
    waiting = [batch(guard, 0, 10, 12), batch(guard, 2, 0, 0)]
    p = plan(waiting, guard, set(TP))  # partition 1 not polled yet: partition 0 waits, 2 goes ahead
    assert {pb.tp for pb in p.ready} == {TP[2]}
    assert shape(p) == [("t/2/0-0", [(2, 0)], False)]
    guard.remember(TP[1], {stored})
    half = batch(guard, 1, 4, 4)  # only half of partition 1's block so far
    assert {pb.tp for pb in plan([waiting[0], half], guard, set(TP)).ready} == set()
    whole = batch(guard, 1, 4, 5)
    assert shape(plan([waiting[0], whole], guard, set(TP)))[0] == (stored, [(0, 10), (0, 11), (1, 4), (1, 5)], True)


def test_a_stored_group_whose_other_partition_is_not_ours_is_settled_without_an_insert():
    guard = ReplayGuard()
    stored = "t/0/10-11+t/1/4-5"
    guard.remember(TP[0], {stored})
    p = plan([batch(guard, 0, 10, 12)], guard, {TP[0], TP[2]})
    assert p.settled == [stored]
    assert shape(p) == [("t/0/12-12", [(0, 12)], False)]  # the group's own records are stored already
    assert [pb.tp for pb in p.ready] == [TP[0]]


def test_a_stored_group_whose_other_block_was_committed_past_is_settled():
    guard = ReplayGuard()
    stored = "t/0/10-11+t/1/4-5"
    guard.remember(TP[1], set())  # partition 1 looked up from offset 6: the group is behind it
    guard.seen(TP[1], 5)
    guard.remember(TP[0], {stored})
    p = plan([batch(guard, 0, 10, 11)], guard, set(TP))
    assert p.settled == [stored] and p.inserts == [] and [r.offset for r in p.skipped] == [10, 11]


def test_passing_a_group_forgets_it():
    guard = ReplayGuard()
    guard.remember(TP[0], {"t/0/1-2+t/1/1-1", "t/0/3-3"})
    guard.seen(TP[0], 3)
    guard.passed(TP[0], 3)
    assert guard.outstanding() == ["t/0/3-3"]
    guard.forget(TP[0])
    assert guard.outstanding() == []


def test_a_full_batch_settles_an_incomplete_group_rather_than_wait_and_its_later_blocks_too():
    guard = ReplayGuard()
    stored = "t/0/10-11+t/1/4-5"
    guard.remember(TP[0], {stored})
    p = plan([batch(guard, 0, 10, 12)], guard, set(TP), full=True)
    assert p.settled == [stored] and shape(p) == [("t/0/12-12", [(0, 12)], False)]
    guard.passed(TP[0], 13)
    guard.remember(TP[1], {stored})  # partition 1 polled later: its block of the group is settled too
    p = plan([batch(guard, 1, 4, 6)], guard, set(TP))
    assert p.settled == [stored] and shape(p) == [("t/1/6-6", [(1, 6)], False)]


def test_a_started_group_not_stored_is_replayed_whole_under_its_token():
    """An insert cut by a crash can leave its rows in the rollups and not in the events table: the
    replay must cut the same blocks (same token) so the tables that have it drop it."""
    guard = ReplayGuard()
    started = "t/0/10-12+t/1/4-4"
    guard.remember(TP[0], set(), {started})
    guard.remember(TP[1], set(), {started})
    p = plan([batch(guard, 0, 10, 14), batch(guard, 1, 4, 5)], guard, set(TP))
    assert shape(p)[0] == (started, [(0, 10), (0, 11), (0, 12), (1, 4)], True)
    assert p.settled == [] and guard.intended(Group.parse(started))


def test_a_full_batch_gives_back_what_it_read_past_a_started_group_and_waits_for_the_rest():
    guard = ReplayGuard()
    started = "t/0/10-12+t/1/4-5"
    guard.remember(TP[0], set(), {started})
    p = plan([batch(guard, 0, 10, 30)], guard, set(TP), full=True)
    assert p.trims == {TP[0]: 12} and p.ready == [] and p.settled == []
    assert guard.intended(Group.parse(started))  # not committed without its rows, unlike a stored group


def test_a_started_group_that_cannot_come_back_whole_is_released_to_fresh_blocks():
    guard = ReplayGuard()
    started = "t/0/10-12+t/1/4-5"
    guard.remember(TP[0], set(), {started})
    p = plan([batch(guard, 0, 10, 13)], guard, {TP[0]})  # partition 1 is another member's
    assert shape(p) == [("t/0/10-13", [(0, 10), (0, 11), (0, 12), (0, 13)], False)]
    assert p.settled == [] and not guard.intended(Group.parse(started))


def test_a_started_group_overlapping_a_stored_block_is_ignored():
    guard = ReplayGuard()
    guard.remember(TP[0], {"t/0/10-14"}, {"t/0/10-12"})
    assert guard.blocks(TP[0]) == [Block("t", 0, 10, 14)]
