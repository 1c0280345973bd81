"""A StagedBatch as an Arrow table whose columns match the events table (columnar insert)."""

from __future__ import annotations

from operator import attrgetter

import numpy as np
import pyarrow as pa

from tracker.olap.port import StagedBatch
from tracker.olap.schema import ColumnSpec, event_columns, table_columns


def arrow_type(clickhouse: str) -> pa.DataType:
    """The Arrow type a ClickHouse column type is fed from."""
    t = clickhouse
    if t.startswith("LowCardinality("):
        t = t[len("LowCardinality(") : -1]
    if t.startswith("DateTime64"):
        return pa.timestamp("ms", tz="UTC")
    if t == "Bool":
        return pa.bool_()
    if t.startswith("Map("):
        return pa.map_(pa.string(), pa.string())
    if t in ("UInt32",):
        return pa.uint32()
    if t in ("UInt64",):
        return pa.uint64()
    if t in ("String", "UUID") or t.startswith("FixedString"):
        return pa.string()
    raise TypeError(f"no Arrow type for ClickHouse type {clickhouse!r}")


def arrow_schema(columns: list[ColumnSpec] | None = None) -> pa.Schema:
    return pa.schema([(c.name, arrow_type(c.type)) for c in (columns or table_columns())])


class ArrowBuilder:
    """Turns batches into Arrow tables; the schema is derived once."""

    def __init__(self) -> None:
        self.schema = arrow_schema()
        self.event_names = [c.name for c in event_columns()]

    def build(self, batch: StagedBatch, token: str = "") -> pa.Table:
        n = len(batch)
        if batch.columns is not None:  # decoded straight to columns: add the coordinates
            topic, partition, offset, _ = list(self.schema)[len(self.event_names):]
            return pa.Table.from_arrays([*batch.columns.columns, _same(batch.topics, topic.type),
                                         _same(batch.partitions, partition.type),
                                         _offsets(batch.offsets, offset.type),
                                         pa.repeat(pa.scalar(token, pa.string()), n)], schema=self.schema)
        events = batch.events
        columns = [list(map(attrgetter(name), events)) for name in self.event_names]
        columns += [batch.topics, batch.partitions, batch.offsets, [token] * n]
        return pa.Table.from_arrays([_array(col, f.type) for col, f in zip(columns, self.schema, strict=True)],
                                    schema=self.schema)


_MICROS = pa.timestamp("us", tz="UTC")


def _array(values: list, type_: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(type_):
        # datetime -> timestamp[us] is a straight copy; -> [ms] directly is ~10x slower
        return pa.array(values, type=_MICROS).cast(type_, safe=False)
    return pa.array(values, type=type_)


def _same(values: list, type_: pa.DataType) -> pa.Array:
    """A column that is one value repeated (a block is one partition's), without a Python pass."""
    if values and values.count(values[0]) == len(values):
        return pa.repeat(pa.scalar(values[0], type_), len(values))
    return pa.array(values, type=type_)


def _offsets(offsets: list[int], type_: pa.DataType) -> pa.Array:
    """Consecutive offsets (the usual block) as a range; any others as they are."""
    if offsets and offsets[-1] - offsets[0] == len(offsets) - 1 and offsets == list(range(offsets[0], offsets[-1] + 1)):
        return pa.array(np.arange(offsets[0], offsets[-1] + 1, dtype=np.uint64), type=type_)
    return pa.array(offsets, type=type_)
