"""The fast path of decoding: a block of stream records straight to Arrow columns.

``decoding.decode`` builds a Python object per field (~2-3 µs a record) and the Arrow
builder walks them again (~3-5 µs).  Here a block is read in bulk, and only trusted where
it agrees with the exact path, so a block is taken here only when every record is certain
to decode the same way; anything else returns None and the block takes the exact path,
which sorts out poison.

Two readers, tried in this order on each record:

1. **By shape** (``_shaped``): a record as the collector writes it is
   ``tracker.records.SHAPE``: fixed runs of bytes (``{"event_id":"``, ``","ts":"``, ...) with
   a string value between each two.  The compiled kernel (``tracker.writer.shape_kernel``,
   numba) walks each record once, matching the runs and copying the values into their
   columns (~0.6 µs a record against ~2 for numpy).  Without numba, ``_shaped_numpy`` does the
   same in bulk: numpy finds every ``"`` of the block at once; in a record
   with exactly as many quotes as the shape, no ``\\`` and no control byte, those quotes cut it
   into runs and values.  The pieces become Arrow ``string_view``s (16 bytes each, picked out
   with numpy, nothing copied); a record is kept only if every run equals the shape's byte for
   byte (one ``equal`` over all runs), and then it is that event's JSON with those values
   verbatim, so the value pieces are its columns.  No per-record Python anywhere.
2. **pyarrow's JSON reader** (``_read``, ~3 µs a record), for the records the shape does not
   cover (escapes, custom ``props``, other key orders, whitespace, extra fields), when:

   - each value is one JSON object on its own line, so the reader's rows line up with
     the records one to one (see ``_lines``);
   - every field is present and non-null with its JSON type (the reader refuses a
     number where a string is declared, a key given twice, invalid UTF-8);
   - ``props`` is ``{}`` on every record (custom properties take the exact path).

On both: the block is valid UTF-8 (the reader copies string bytes unchecked; msgspec refuses
them); ``ts`` and ``received_at`` are RFC 3339 in UTC (``...Z``) and valid dates; nothing
would be poison: ``event_id`` is a UUID, ``visitor`` fits 16 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from tracker.olap.arrow_batch import arrow_schema
from tracker.olap.schema import event_columns
from tracker.records import SHAPE

KERNEL_MIN_ROWS = 2_000  # smaller blocks take the numpy cutter: numba is not even imported for them
_kernel = False  # the compiled cutter once loaded (tracker.writer.shape_kernel); None without numba


def kernel():
    """The compiled cutter, imported on the first large block: loading numba and the cached kernel
    costs ~1.5-2.5 s of CPU, which a writer restarted often (or idling at a few events a second)
    should not pay; for a few hundred records the numpy cutter is as good."""
    global _kernel
    if _kernel is False:
        try:
            from tracker.writer import shape_kernel
        except ImportError:  # pragma: no cover - numba is a dependency; this keeps a bare install working
            shape_kernel = None
        _kernel = shape_kernel
    return _kernel

_UUID = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"  # decoding._UUID
_RFC3339_UTC = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$"
_TIMES = ("ts", "received_at")
_MICROS = pa.timestamp("us", tz="UTC")


def _parse_schema() -> tuple[pa.Schema, pa.Schema]:
    """What the reader is told (times as strings, props as an object) and the table's event columns."""
    target = arrow_schema(event_columns())
    fields = []
    for f in target:
        if f.name in _TIMES:
            fields.append(pa.field(f.name, pa.string()))
        elif f.name == "props":
            fields.append(pa.field(f.name, pa.struct([])))
        else:
            fields.append(f)
    return pa.schema(fields), target


_PARSE, _TARGET = _parse_schema()
_OPTIONS = pj.ParseOptions(explicit_schema=_PARSE, unexpected_field_behavior="infer")
_READ = pj.ReadOptions(block_size=4 << 20)  # chunks parse in parallel


@dataclass(frozen=True, slots=True)
class Columns:
    table: pa.Table  # the event columns, typed as the events table's Arrow schema
    newest: datetime  # max received_at
    minutes: frozenset[tuple[str, datetime]]  # (site, minute of ts)


def columns(values: list[bytes]) -> Columns | None:
    """A block's record values as Arrow columns, or None when the exact path must decide."""
    if not values:
        return None
    read = _columns(values)
    if read is None:
        return None
    table, checked = read
    if not checked:  # the kernel checks these as it reads; the other readers do not
        for name in _TIMES:
            if not pc.all(pc.match_substring_regex(table[name], _RFC3339_UTC)).as_py():
                return None
        if not pc.all(pc.match_substring_regex(table["event_id"], _UUID)).as_py():
            return None
    if pc.max(pc.binary_length(table["visitor"])).as_py() > 16:
        return None
    out, micros = {}, {}
    for f in _TARGET:
        col = table[f.name]
        if f.name in _TIMES:
            try:
                micros[f.name] = pc.cast(col, _MICROS)
            except pa.ArrowInvalid:  # not a calendar date/time (Feb 30, 24:00, 23:59:60...)
                return None
            col = pc.cast(micros[f.name], f.type, safe=False)  # truncate to ms, as the exact path
        out[f.name] = col
    table = pa.table(out, schema=_TARGET).combine_chunks()  # one record batch: chDB takes it ~20% cheaper
    newest = pc.max(micros["received_at"]).as_py()
    keys = pa.table({"site": table["site"], "minute": pc.floor_temporal(table["ts"], unit="minute")})
    minutes = frozenset((row["site"], row["minute"]) for row in keys.group_by(["site", "minute"]).aggregate([]).to_pylist())
    return Columns(table, newest, minutes)


def _columns(values: list[bytes]) -> tuple[pa.Table, bool] | None:
    """The block's columns in record order (times still strings), read by shape where it can, and
    whether its times and ids were checked already (every record read by the kernel)."""
    records = pa.array(values, pa.binary())  # the block and its offsets in one copy
    if isinstance(records, pa.ChunkedArray) or len(records.buffers()[2] or b"") >= 1 << 31:  # 32-bit offsets
        read = _read(values)
        return None if read is None else (read, False)
    try:
        # strict as Python's decode: no overlong forms, surrogates or code points past U+10FFFF
        records = records.cast(pa.string())
    except pa.ArrowInvalid:
        return None
    shaped, rows, checked = _shaped(records)
    if rows.size == len(values):
        return shaped, checked
    rest = np.setdiff1d(np.arange(len(values)), rows, assume_unique=True)
    read = _read([values[i] for i in rest.tolist()])
    if read is None:
        return None
    if shaped is None:
        return read, False
    return _merge(shaped, read, rest, len(values)), False


def _merge(shaped: pa.Table, read: pa.Table, rest: np.ndarray, n: int) -> pa.Table:
    """Both readers' rows back in record order (``rest``: the records ``read`` holds).  A few stray
    records (the usual case) cost a slice each, left for ``columns`` to combine in one copy."""
    from_read = np.zeros(n, bool)
    from_read[rest] = True
    edges = [0, *(np.flatnonzero(np.diff(from_read)) + 1).tolist(), n]
    if len(edges) > 64 + n // 100:  # many alternations: one take
        order = np.empty(n, np.int64)  # row of the concatenation holding each record
        order[~from_read] = np.arange(shaped.num_rows)
        order[rest] = shaped.num_rows + np.arange(rest.size)
        return pa.concat_tables([shaped, read]).take(order)
    parts, at = [], {False: 0, True: 0}
    for start, end in zip(edges, edges[1:]):
        source = bool(from_read[start])
        parts.append((read if source else shaped).slice(at[source], end - start))
        at[source] += end - start
    return pa.concat_tables(parts)


# -- reading by shape ------------------------------------------------------------------------
_NS = len(SHAPE.strings)
_QUOTE, _BACKSLASH, _SPACE = 0x22, 0x5C, 0x20


def _quote_indices() -> np.ndarray:
    """Within a record's quotes, which open and which close each string value (interleaved)."""
    counts = [variants[0].count(b'"') for variants in SHAPE.runs]
    if any(v.count(b'"') != c for variants, c in zip(SHAPE.runs, counts) for v in variants):
        raise AssertionError("records.SHAPE: the variants of a run differ in quotes")
    opens = np.cumsum(counts[:-1]) - 1
    return np.column_stack([opens, opens + 1]).ravel()


_VALUE_QUOTES = _quote_indices()


def _runs() -> tuple[pa.Array, np.ndarray, np.ndarray, list[tuple[int, np.ndarray, np.ndarray]]]:
    """Every variant of every run as one string_view array (kept alive here: expected views point
    into it), its views, the index of each run's first variant, and for the runs with several
    variants: (run, the variants' lengths, their indices)."""
    texts = [v.decode() for variants in SHAPE.runs for v in variants]
    runs = pa.array(texts, pa.string()).cast(pa.string_view())
    first, multi, at = [], [], 0
    for j, variants in enumerate(SHAPE.runs):
        first.append(at)
        if len(variants) > 1:
            multi.append((j, np.array([len(v) for v in variants]), np.arange(at, at + len(variants))))
        at += len(variants)
    return runs, np.frombuffer(runs.buffers()[1], np.uint64).reshape(-1, 2), np.array(first), multi


_RUN_TEXTS, _RUN_VIEWS, _RUN_FIRST, _MULTI = _runs()
_FLAGGED = [(j, name) for j, flags in enumerate(SHAPE.flags) for name, _ in flags[0]]
_PER = 2 * _NS + 2  # pieces per record: run, value, run, ..., value, run, then what lies up to the next


def _views(views: np.ndarray, buffers: list) -> pa.Array:
    return pa.Array.from_buffers(pa.string_view(), len(views), [None, pa.py_buffer(views), *buffers])


def _shaped(records: pa.StringArray) -> tuple[pa.Table | None, np.ndarray, bool]:
    """The columns of the records that have ``SHAPE`` exactly, which records those are, and whether
    their times and ids passed ``columns``' checks: by the compiled kernel when numba is there
    (it checks them as it reads), else by numpy (``_shaped_numpy``, which does not)."""
    cutter = kernel() if len(records) >= KERNEL_MIN_ROWS else None
    if cutter is None:
        return *_shaped_numpy(records), False
    _, offsets, data = records.buffers()
    bounds = np.frombuffer(offsets, np.int32, records.offset + len(records) + 1)[records.offset:]
    raw = np.frombuffer(data, np.uint8, int(bounds[-1])) if data is not None else np.zeros(0, np.uint8)
    rows, chosen, cut, checked = cutter.cut(raw, bounds)
    m = rows.size
    if not m:
        return None, rows, False
    out = {name: pa.StringArray.from_buffers(m, offsets_j, data_j)
           for name, (offsets_j, data_j) in zip(SHAPE.strings, cut, strict=True)}
    for j, name in _FLAGGED:
        flags = np.array([dict(variant)[name] for variant in SHAPE.flags[j]])
        out[name] = pa.array(flags[chosen[:, j]])
    out["props"] = _empty_maps(m)
    return pa.table([out[f.name] for f in _PARSE], names=_PARSE.names), rows, checked


def _shaped_numpy(records: pa.StringArray) -> tuple[pa.Table | None, np.ndarray]:
    """``_shaped`` without numba: every quote of the block found at once, runs checked as views."""
    n = len(records)
    _, offsets, data = records.buffers()
    bounds = np.frombuffer(offsets, np.int32, n + 1)
    starts, ends = bounds[:-1].astype(np.int64), bounds[1:].astype(np.int64)
    raw = np.frombuffer(data, np.uint8, int(bounds[-1]))
    if not raw.size:
        return None, np.arange(0)
    quotes = np.flatnonzero(raw == _QUOTE)
    if quotes.size == n * SHAPE.quotes and raw.min() >= _SPACE and not (raw == _BACKSLASH).any():
        # the usual block: if each record's first and last of its share of the quotes are its own,
        # each record holds exactly its share (the records partition the block)
        q = quotes.reshape(n, SHAPE.quotes)
        if (q[:, 0] >= starts).all() and (q[:, -1] < ends).all():
            return _cut(records, raw, np.arange(n), starts, ends, q)
    first = np.searchsorted(quotes, starts)
    ok = np.searchsorted(quotes, ends) - first == SHAPE.quotes
    odd = np.flatnonzero((raw < _SPACE) | (raw == _BACKSLASH))  # escapes and raw control bytes
    if odd.size:
        ok[np.searchsorted(ends, odd, side="right")] = False
    rows = np.flatnonzero(ok)
    if not rows.size:
        return None, rows
    q = quotes[first[rows][:, None] + np.arange(SHAPE.quotes)]
    return _cut(records, raw, rows, starts[rows], ends[rows], q)


def _cut(records: pa.StringArray, raw: np.ndarray, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray,
         q: np.ndarray) -> tuple[pa.Table | None, np.ndarray]:
    """Cut these records (``q``: each one's quote positions) into runs and values, and keep those whose
    runs are ``SHAPE``'s byte for byte: then each is the shape with those values, verbatim."""
    m = rows.size
    bounds = np.empty(_PER * m + 2, np.int32)
    bounds[0], bounds[-1] = 0, raw.size
    cuts = bounds[1:-1].reshape(m, _PER)
    cuts[:, 0] = starts
    cuts[:, 1:-1:2] = np.take(q, _VALUE_QUOTES[0::2], axis=1) + 1
    cuts[:, 2:-1:2] = np.take(q, _VALUE_QUOTES[1::2], axis=1)
    cuts[:, -1] = ends
    pieces = pa.StringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds), records.buffers()[2])
    # as string_view: each piece is 16 bytes (length, prefix, offset) picked out with numpy, no copying
    pieces = pieces.cast(pa.string_view())
    data = pieces.buffers()[2:]
    views = np.frombuffer(pieces.buffers()[1], np.uint64).reshape(-1, 2)[1:].reshape(m, _PER, 2)
    # which variant of a run each record has, by its length (the first if none fits: checked below)
    expected = np.broadcast_to(_RUN_FIRST, (m, len(_RUN_FIRST))).copy()
    chosen = {}
    for j, lengths, indices in _MULTI:
        length = (cuts[:, 2 * j + 1] - cuts[:, 2 * j])[:, None]
        chosen[j] = np.argmax(length == lengths, axis=1)
        expected[:, j] = indices[chosen[j]]
    runs = _views(np.ascontiguousarray(views[:, 0:-1:2]).reshape(-1, 2), data)
    same = pc.equal(runs, _views(_RUN_VIEWS[expected.ravel()], _RUN_TEXTS.buffers()[2:]))
    same = same.to_numpy(zero_copy_only=False).reshape(m, len(_RUN_FIRST)).all(axis=1)
    out = {name: _views(np.ascontiguousarray(views[:, 2 * j + 1]), data).cast(pa.string())
           for j, name in enumerate(SHAPE.strings)}
    for j, name in _FLAGGED:
        flags = np.array([dict(variant)[name] for variant in SHAPE.flags[j]])
        out[name] = pa.array(flags[chosen[j]])
    out["props"] = _empty_maps(m)
    table = pa.table([out[f.name] for f in _PARSE], names=_PARSE.names)
    if not same.all():
        table, rows = table.filter(pa.array(same)), rows[same]
        if not rows.size:
            return None, rows
    return table, rows


def _empty_maps(n: int) -> pa.Array:
    return pa.MapArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string()),
                                   pa.array([], pa.string()))


# -- pyarrow's JSON reader -------------------------------------------------------------------
def _lines(values: list[bytes]) -> bytes | None:
    """The values as newline-delimited JSON, if each sits on its own line as ``{...}``.

    With no raw newline inside a value, every line starting ``{`` and ending ``}``, a line
    cannot run on into the next (after a ``}`` JSON allows ``,``, ``}`` or ``]``, never
    ``{``) nor yield no row, so the reader's rows line up with the records exactly when
    there are as many rows as records (two objects on one line make one row too many).
    """
    blob = b"\n".join(values)
    raw = np.frombuffer(blob, np.uint8)
    breaks = np.flatnonzero(raw == 0x0A)
    if len(breaks) != len(values) - 1:  # a value holds a raw newline
        return None
    # the breaks are exactly the joins: each must sit between a "}" and a "{"
    if not raw.size or raw[0] != 0x7B or raw[-1] != 0x7D:
        return None
    if not ((raw[breaks - 1] == 0x7D).all() and (raw[breaks + 1] == 0x7B).all()):
        return None
    return blob


def _read(values: list[bytes]) -> pa.Table | None:
    """The records through pyarrow's JSON reader, props as empty maps, or None if it cannot vouch."""
    blob = _lines(values)
    if blob is None:
        return None
    try:
        parsed = pj.read_json(pa.py_buffer(blob), read_options=_READ, parse_options=_OPTIONS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    if parsed.num_rows != len(values) or any(parsed[f.name].null_count for f in _PARSE):
        return None
    if parsed.schema.field("props").type.num_fields:  # some record has custom properties
        return None
    maps = _empty_maps(len(values))
    return pa.table([maps if f.name == "props" else parsed[f.name] for f in _PARSE], names=_PARSE.names)
