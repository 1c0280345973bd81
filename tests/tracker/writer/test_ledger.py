from tracker.stream.port import Record, TopicPartition
from tracker.writer.ledger import Block, PartitionBatch, ReplayGuard

TP0 = TopicPartition("t", 0)


def rec(offset: int, partition: int = 0) -> Record:
    return Record("t", partition, offset, b"", b"", 0)


def test_block_token_round_trips_even_with_slashes_in_topic():
    b = Block("a/b.events", 3, 10, 19)
    assert b.token == "a/b.events/3/10-19"
    assert Block.parse(b.token) == b


def test_a_fresh_partition_batch_is_one_block():
    pb = PartitionBatch(TP0, [rec(o) for o in range(5, 9)])
    assert [(b.token, [r.offset for r in rs]) for b, rs in pb.blocks()] == [("t/0/5-8", [5, 6, 7, 8])]
    assert pb.complete()


def test_stored_blocks_are_reinserted_whole_with_their_old_token():
    # before the crash: blocks 10-12 and 16-17 were inserted, nothing committed after 10
    stored = [Block("t", 0, 10, 12), Block("t", 0, 16, 17)]
    pb = PartitionBatch(TP0, [rec(o) for o in range(10, 20)], stored)
    got = [(b.token, [r.offset for r in rs]) for b, rs in pb.blocks()]
    assert got == [("t/0/10-12", [10, 11, 12]), ("t/0/13-15", [13, 14, 15]),
                   ("t/0/16-17", [16, 17]), ("t/0/18-19", [18, 19])]


def test_a_stored_block_not_yet_fully_polled_holds_the_partition():
    pb = PartitionBatch(TP0, [rec(o) for o in range(10, 12)], [Block("t", 0, 10, 14)])
    assert not pb.complete()
    pb.records.extend(rec(o) for o in range(12, 15))
    assert pb.complete()


def test_guard_looks_up_new_and_rewound_partitions():
    g = ReplayGuard()
    assert g.needs_lookup(TP0, 0)
    g.remember(TP0, {"t/0/0-4", "t/0/5-9"})
    assert g.blocks(TP0) == [Block("t", 0, 0, 4), Block("t", 0, 5, 9)]
    g.seen(TP0, 20)
    assert not g.needs_lookup(TP0, 21)
    assert g.needs_lookup(TP0, 15)
    g.passed(TP0, 5)
    assert g.blocks(TP0) == [Block("t", 0, 5, 9)]
    g.forget(TP0)
    assert g.needs_lookup(TP0, 21) and g.blocks(TP0) == []


def test_stored_blocks_outside_the_records_leave_one_fresh_block():
    stored = [Block("t", 0, 0, 4), Block("t", 0, 9, 12)]
    pb = PartitionBatch(TP0, [rec(o) for o in range(5, 9)], stored)
    assert [(b.token, [r.offset for r in rs]) for b, rs in pb.blocks()] == [("t/0/5-8", [5, 6, 7, 8])]
    touching = PartitionBatch(TP0, [rec(o) for o in range(5, 10)], stored)
    assert [b.token for b, _ in touching.blocks()] == ["t/0/5-8", "t/0/9-12"]
