"""The shape reader's compiled kernel (numba): a block's records cut by ``tracker.records.SHAPE``
in one pass over their bytes, eight at a time, each value copied into its column once its end is found.

Same rule as the numpy cutter in ``tracker.writer.columnar`` (kept there as the fallback
when numba is not installed): a record is taken only if it is ``runs[0] + v[0] + runs[1] + ...
+ runs[n]`` exactly, each run one of its variants byte for byte and each value free of ``"``,
``\\`` and control bytes, so the values are its fields verbatim.  The numpy cutter makes a
dozen passes over the block (every quote found, views, compares, gathers), each with
block-sized temporaries; this reads each byte once.  ``nogil``: the event loop and chDB's
insert go on beside it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

from tracker.records import SHAPE


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every variant of every run as bytes, with each variant's start and length, and each run's
    first variant and number of variants."""
    blob, start, length, first, count = b"", [], [], [], []
    for variants in SHAPE.runs:
        first.append(len(start))
        count.append(len(variants))
        for v in variants:
            start.append(len(blob))
            length.append(len(v))
            blob += v
    return (np.frombuffer(blob, np.uint8).copy(), np.array(start, np.int64), np.array(length, np.int64),
            np.array(first, np.int64), np.array(count, np.int64))


RUN_BYTES, VAR_START, VAR_LEN, RUN_FIRST, RUN_COUNT = _tables()
_QUOTE, _BACKSLASH, _SPACE = 0x22, 0x5C, 0x20
# what each string column must look like to be taken without the regex checks of ``columnar.columns``
# (the same rules): 1 an RFC 3339 time in UTC (``...Z``), 2 a UUID (hyphens optional), 0 anything
_TIME, _UUID = 1, 2
CHECKS = np.array([_TIME if name in ("ts", "received_at") else _UUID if name == "event_id" else 0
                   for name in SHAPE.strings], np.int8)


@njit(nogil=True, cache=True)
def _digits(data, at, n):  # pragma: no cover - compiled
    for b in range(at, at + n):
        if data[b] < 0x30 or data[b] > 0x39:
            return False
    return True


@njit(nogil=True, cache=True)
def _is_time(data, at, n):  # pragma: no cover - compiled
    """``^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?Z$``"""
    if n != 20 and not 22 <= n <= 27:
        return False
    if not (_digits(data, at, 4) and data[at + 4] == 0x2D and _digits(data, at + 5, 2) and data[at + 7] == 0x2D
            and _digits(data, at + 8, 2) and data[at + 10] == 0x54 and _digits(data, at + 11, 2)
            and data[at + 13] == 0x3A and _digits(data, at + 14, 2) and data[at + 16] == 0x3A
            and _digits(data, at + 17, 2) and data[at + n - 1] == 0x5A):
        return False
    return n == 20 or (data[at + 19] == 0x2E and _digits(data, at + 20, n - 21))


@njit(nogil=True, cache=True)
def _is_uuid(data, at, n):  # pragma: no cover - compiled
    """``^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$``"""
    pos, end = at, at + n
    for g in range(5):
        if g and pos < end and data[pos] == 0x2D:
            pos += 1
        size = 12 if g == 4 else 8 if g == 0 else 4
        if pos + size > end:
            return False
        for b in range(pos, pos + size):
            c = data[b] | 0x20  # folds A-F onto a-f (only A-F and a-f land in a-f)
            if not (0x30 <= data[b] <= 0x39 or 0x61 <= c <= 0x66):
                return False
        pos += size
    return pos == end


# Reading and copying eight bytes at a time.  Indices are made unsigned where the arrays are read or
# written: numba then drops its negative-index wraparound, so LLVM turns the byte loads below into one
# 8-byte load and the copy loop into a memcpy (the kernel is ~40 % faster than byte by byte).
_ONES = np.uint64(0x0101010101010101)
_HIGH = np.uint64(0x8080808080808080)
_QUOTES = np.uint64(_QUOTE * 0x0101010101010101)
_BACKSLASHES = np.uint64(_BACKSLASH * 0x0101010101010101)
_SPACES = np.uint64(_SPACE * 0x0101010101010101)
_U8 = np.uint64(8)


@njit(inline="always")
def _load8(a, i):  # pragma: no cover - compiled
    """The eight bytes from ``a[i]`` as one little-endian word (one unaligned load)."""
    u = np.uint64(i)
    return (np.uint64(a[u]) | (np.uint64(a[u + np.uint64(1)]) << _U8)
            | (np.uint64(a[u + np.uint64(2)]) << np.uint64(16)) | (np.uint64(a[u + np.uint64(3)]) << np.uint64(24))
            | (np.uint64(a[u + np.uint64(4)]) << np.uint64(32)) | (np.uint64(a[u + np.uint64(5)]) << np.uint64(40))
            | (np.uint64(a[u + np.uint64(6)]) << np.uint64(48)) | (np.uint64(a[u + np.uint64(7)]) << np.uint64(56)))


@njit(inline="always")
def _special(w):  # pragma: no cover - compiled
    """Non-zero when a byte of the word is ``"``, ``\\`` or below 0x20 (the classic has-zero-byte
    test on ``w ^ "..."`` and ``w ^ \\...``, and has-less-than on ``w``; exact, no false alarms)."""
    q = w ^ _QUOTES
    b = w ^ _BACKSLASHES
    return (((q - _ONES) & ~q) | ((b - _ONES) & ~b) | ((w - _SPACES) & ~w)) & _HIGH


@njit(inline="always")
def _same(raw, pos, run_bytes, s, length):  # pragma: no cover - compiled
    """``raw[pos:pos + length] == run_bytes[s:s + length]``, eight bytes at a time."""
    b = 0
    while b + 8 <= length:
        if _load8(raw, pos + b) != _load8(run_bytes, s + b):
            return False
        b += 8
    while b < length:
        if raw[np.uint64(pos + b)] != run_bytes[np.uint64(s + b)]:
            return False
        b += 1
    return True


@njit(nogil=True, cache=True)
def _cut(raw, offsets, run_bytes, var_start, var_len, run_first, run_count, data, cap, col_offsets, chosen,
         rows, checks, unchecked):  # pragma: no cover - compiled
    n = offsets.size - 1
    ns = col_offsets.shape[0]
    m = 0
    unchecked[0] = 0
    for j in range(ns):
        col_offsets[j, 0] = 0
    for i in range(n):
        pos = offsets[i]
        end = offsets[i + 1]
        good = True
        valid = True
        for j in range(ns + 1):
            matched = -1
            for k in range(run_first[j], run_first[j] + run_count[j]):
                length = var_len[k]
                if pos + length <= end and _same(raw, pos, run_bytes, var_start[k], length):
                    matched = k
                    break
            if matched < 0:
                good = False
                break
            chosen[m, j] = matched - run_first[j]
            pos += var_len[matched]
            if j == ns:
                break
            begin = pos  # the value: up to its closing quote, eight bytes at a time while none is special
            while pos + 8 <= end and _special(_load8(raw, pos)) == 0:
                pos += 8
            while pos < end:
                c = raw[np.uint64(pos)]
                if c == _QUOTE:
                    break
                if c < _SPACE or c == _BACKSLASH:
                    good = False
                    break
                pos += 1
            if not good or pos >= end:
                good = False
                break
            size = pos - begin
            at = j * cap + col_offsets[j, m]
            to, source = np.uint64(at), np.uint64(begin)
            for b in range(np.uint64(size)):  # a memcpy (kept only if the record is taken)
                data[to + b] = raw[source + b]
            col_offsets[j, m + 1] = col_offsets[j, m] + size
            if checks[j] == _TIME:
                valid = valid and _is_time(data, at, size)
            elif checks[j] == _UUID:
                valid = valid and _is_uuid(data, at, size)
        if good and pos == end:
            rows[m] = i
            m += 1
            if not valid:
                unchecked[0] += 1
    return m


def cut(raw: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, list, bool]:
    """The records (``offsets`` into ``raw``) that have the shape: their indices, each one's chosen
    variant of every run, each string column as (its offsets, its data buffer), and whether every
    record taken passed ``CHECKS`` (its times RFC 3339 in UTC, its id a UUID: what ``columnar.columns``
    otherwise checks with a regex a column, ~0.1 µs a value each).

    Each column gets a region of one buffer as large as the block (no value is longer than
    the bytes before it), written from its start: the pages past what is written are never
    touched, so never really allocated."""
    n, ns = offsets.size - 1, len(SHAPE.strings)
    cap = max(int(raw.size), 1)
    buffer = pa.allocate_buffer(ns * cap)  # Arrow's pool: no huge-page zeroing of the unused tails
    col_offsets = np.empty((ns, n + 1), np.int32)
    chosen = np.empty((n, ns + 1), np.int8)
    rows = np.empty(n, np.int64)
    unchecked = np.zeros(1, np.int64)
    m = _cut(raw, offsets, RUN_BYTES, VAR_START, VAR_LEN, RUN_FIRST, RUN_COUNT,
             np.frombuffer(buffer, np.uint8), cap, col_offsets, chosen, rows, CHECKS, unchecked)
    columns = [(pa.py_buffer(col_offsets[j, :m + 1]) if m else None,
                buffer.slice(j * cap, int(col_offsets[j, m])) if m else None) for j in range(ns)]
    return rows[:m], chosen[:m], columns, not unchecked[0]
