"""The coordinates of a columnar block: one partition's consecutive offsets are the common case, but
any topics, partitions and offsets are built as given."""

import uuid
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from tracker.event import TrackingEvent
from tracker.olap.arrow_batch import ArrowBuilder
from tracker.olap.port import StagedBatch
from tracker.records import encode
from tracker.writer.columnar import columns

T0 = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)


def event(i: int) -> TrackingEvent:
    return TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=T0 + timedelta(seconds=i), received_at=T0,
                         site="s", visitor=f"{i:016x}")


@pytest.mark.parametrize(("topics", "partitions", "offsets"), [
    (["t"] * 4, [2] * 4, [10, 11, 12, 13]),
    (["t"] * 4, [2] * 4, [10, 11, 13, 14]),  # a gap (compacted or transactional markers)
    (["t", "u", "t", "t"], [2, 2, 3, 2], [13, 12, 11, 10]),
])
def test_coordinates_are_the_batchs(topics, partitions, offsets):
    values = [encode(event(i)) for i in range(4)]
    staged = StagedBatch(topics=topics, partitions=partitions, offsets=offsets, columns=columns(values).table,
                         values=values)
    table = ArrowBuilder().build(staged, "tok")
    assert table["_topic"].to_pylist() == topics
    assert table["_partition"].to_pylist() == partitions
    assert table["_offset"].to_pylist() == offsets
    assert table["_batch"].to_pylist() == ["tok"] * 4
    assert table.schema == ArrowBuilder().schema
    assert isinstance(table, pa.Table) and table.num_rows == 4
