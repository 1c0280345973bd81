"""The writer's staging tags each row with its record's topic, partition and offset: built from the
group's blocks when each block's records are exactly its span, else read record by record; either
way the same as the records say (the ``_offset`` column is what a replay is recognised by)."""

from tracker.records import encode
from tracker.stream.port import Record
from tracker.writer import loop
from tracker.writer.ledger import Block, Group

from tests.tracker.writer.test_decoders_agree import event


def recs(spec: list[tuple[str, int, list[int]]]) -> list[Record]:
    out, i = [], 0
    for topic, partition, offsets in spec:
        for o in offsets:
            out.append(Record(topic, partition, o, b"k", encode(event(i)), 0))
            i += 1
    return out


def truth(records: list[Record]) -> tuple[list, list, list]:
    return [r.topic for r in records], [r.partition for r in records], [r.offset for r in records]


def coordinates(records: list[Record], blocks) -> tuple[list, list, list]:
    batch = loop._stage(records, tuple(blocks)).batch
    assert batch.columns is not None  # the columnar path, where the coordinates are built
    return batch.topics, batch.partitions, batch.offsets


def test_blocks_without_gaps_give_their_spans():
    records = recs([("t", 0, list(range(10, 15))), ("t", 1, list(range(0, 3))), ("u", 0, [7])])
    blocks = Group.of([Block("t", 0, 10, 14), Block("t", 1, 0, 2), Block("u", 0, 7, 7)]).blocks
    assert coordinates(records, blocks) == truth(records)


def test_a_gap_in_a_block_is_read_record_by_record():
    records = recs([("t", 0, [10, 11, 13, 14]), ("t", 1, [0, 1, 2, 3])])  # offset 12 compacted away
    blocks = Group.of([Block("t", 0, 10, 14), Block("t", 1, 0, 3)]).blocks
    assert coordinates(records, blocks) == truth(records)


def test_records_not_in_block_order_are_read_record_by_record():
    records = recs([("t", 1, [0, 1]), ("t", 0, [0, 1])])
    assert coordinates(records, Group.of([Block("t", 0, 0, 1), Block("t", 1, 0, 1)]).blocks) == truth(records)
    assert coordinates(records, ()) == truth(records)  # no blocks (settled records)
    assert coordinates(records, (Block("t", 1, 0, 1),)) == truth(records)  # blocks cover only some
