"""The durable on-disk log behind the ``local`` stream: a SQLite database in WAL mode.

One row per appended batch per partition (``batches``: msgpack ``[[key, value], …]``,
LZ4-compressed when the lz4 package is present — ``codec`` says which), Kafka-like offsets
(``base_offset + index``), a head per partition (``heads``) so retention never
reuses an offset, and consumer-group offsets (``group_offsets``).  Every append and
commit is one transaction: a crash leaves either the whole batch or none of it.
Blocking calls; the async adapters in ``local.py`` run them on a worker thread.
"""

from __future__ import annotations

import sqlite3
import time
import zlib
from pathlib import Path

import msgspec

from tracker.stream.port import Record, StreamUnavailable, TopicPartition

SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    topic TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS heads (
    topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches (
    topic TEXT NOT NULL, partition INTEGER NOT NULL,
    base_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL,
    appended_ms INTEGER NOT NULL, payload BLOB NOT NULL, codec INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS batches_end ON batches (topic, partition, end_offset);
CREATE INDEX IF NOT EXISTS batches_age ON batches (appended_ms);
CREATE TABLE IF NOT EXISTS group_offsets (
    grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic, partition)) WITHOUT ROWID;
"""

_batch_decoder = msgspec.msgpack.Decoder(list[tuple[bytes, bytes]])
_encode = msgspec.msgpack.encode

try:  # LZ4 (a clickhouse-connect dependency) shrinks JSON batches ~10x for ~0.2 µs a record
    import lz4.block as _lz4
except ImportError:  # pragma: no cover - stored uncompressed, still readable by everyone
    _lz4 = None
CODEC_NONE, CODEC_LZ4 = 0, 1


def encode_batch(records: list[tuple[bytes, bytes]]) -> tuple[bytes, int]:
    raw = _encode(records)
    if _lz4 is None:
        return raw, CODEC_NONE
    # acceleration 4: ~40% less CPU than the default for ~4% larger blocks (same block format)
    return _lz4.compress(raw, mode="fast", acceleration=4, store_size=True), CODEC_LZ4


def decode_batch(payload: bytes, codec: int) -> list[tuple[bytes, bytes]]:
    if codec == CODEC_LZ4:
        if _lz4 is None:
            raise StreamUnavailable("the log holds LZ4 batches but the lz4 package is missing")
        payload = _lz4.decompress(payload)
    return _batch_decoder.decode(payload)


def partition_for(key: bytes, partitions: int) -> int:
    """Stable across processes (unlike ``hash``): the same key always lands in one partition."""
    return zlib.crc32(key) % partitions


class SqliteLog:
    """The log file itself.  One instance per thread that uses it."""

    def __init__(self, path: Path, partitions: int = 4, busy_timeout_ms: int = 2000) -> None:
        self.path = Path(path)
        self.default_partitions = partitions
        self.busy_timeout_ms = busy_timeout_ms
        self._db: sqlite3.Connection | None = None
        self._partitions: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------
    def open(self) -> None:
        if self._db is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000,
                                 isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            db.executescript(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(batches)")}
            if "codec" not in columns:  # a log written before batches were compressed
                db.execute("ALTER TABLE batches ADD COLUMN codec INTEGER NOT NULL DEFAULT 0")
        except (sqlite3.Error, OSError) as exc:
            raise StreamUnavailable(f"cannot open {self.path}: {exc}") from exc
        self._db = db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self.open()
        assert self._db is not None
        return self._db

    # -- topics ----------------------------------------------------------------------
    def partitions(self, topic: str) -> int:
        """The topic's partition count, creating the topic with the default on first use."""
        if topic not in self._partitions:
            self.db.execute("INSERT OR IGNORE INTO topics VALUES (?, ?)", (topic, self.default_partitions))
            (n,) = self.db.execute("SELECT partitions FROM topics WHERE topic = ?", (topic,)).fetchone()
            self._partitions[topic] = int(n)
        return self._partitions[topic]

    # -- append ----------------------------------------------------------------------
    def append(self, topic: str, records: list[tuple[bytes, bytes]]) -> dict[int, tuple[int, int]]:
        """Append records in one transaction; returns {partition: (base_offset, count)}."""
        if not records:
            return {}
        try:
            return self._append(topic, records)
        except sqlite3.Error as exc:
            raise StreamUnavailable(f"append to {self.path} failed: {exc}") from exc

    def _append(self, topic: str, records: list[tuple[bytes, bytes]]) -> dict[int, tuple[int, int]]:
        n = self.partitions(topic)
        parts: list[list[tuple[bytes, bytes]]] = [[] for _ in range(n)]
        crc32 = zlib.crc32
        for record in records:
            parts[crc32(record[0]) % n].append(record)
        split = {partition: part for partition, part in enumerate(parts) if part}
        encoded = {partition: encode_batch(part) for partition, part in split.items()}  # outside the lock
        now = int(time.time() * 1000)
        db = self.db
        out: dict[int, tuple[int, int]] = {}
        db.execute("BEGIN IMMEDIATE")
        try:
            heads = dict(db.execute("SELECT partition, next_offset FROM heads WHERE topic = ?", (topic,)).fetchall())
            rows, new_heads = [], []
            for partition, part in sorted(split.items()):
                base = heads.get(partition, 0)
                end = base + len(part)
                payload, codec = encoded[partition]
                rows.append((topic, partition, base, end, now, payload, codec))
                new_heads.append((topic, partition, end))
                out[partition] = (base, len(part))
            db.executemany("INSERT INTO batches (topic, partition, base_offset, end_offset, appended_ms, payload,"
                           " codec) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT OR REPLACE INTO heads VALUES (?, ?, ?)", new_heads)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return out

    # -- read ------------------------------------------------------------------------
    def read(self, tp: TopicPartition, offset: int, max_records: int) -> list[Record]:
        """Records at ``offset`` and after (from the oldest retained one if it was pruned)."""
        try:
            cursor = self.db.execute(
                "SELECT base_offset, appended_ms, payload, codec FROM batches "
                "WHERE topic = ? AND partition = ? AND end_offset > ? ORDER BY end_offset",
                (tp.topic, tp.partition, offset))
            out: list[Record] = []
            try:
                for base, ms, payload, codec in cursor:
                    for i, (key, value) in enumerate(decode_batch(payload, codec)):
                        if base + i >= offset:
                            out.append(Record(tp.topic, tp.partition, base + i, key, value, ms))
                    if len(out) >= max_records:
                        return out[:max_records]
            finally:
                cursor.close()
        except sqlite3.Error as exc:
            raise StreamUnavailable(f"read from {self.path} failed: {exc}") from exc
        return out

    def data_version(self) -> int:
        """Changes whenever another connection commits to the log: a cheap "anything new?"."""
        try:
            return self.db.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise StreamUnavailable(str(exc)) from exc

    def head(self, tp: TopicPartition) -> int:
        row = self.db.execute("SELECT next_offset FROM heads WHERE topic = ? AND partition = ?",
                              (tp.topic, tp.partition)).fetchone()
        return row[0] if row else 0

    # -- groups ----------------------------------------------------------------------
    def committed(self, group: str, tp: TopicPartition) -> int:
        try:
            row = self.db.execute(
                "SELECT next_offset FROM group_offsets WHERE grp = ? AND topic = ? AND partition = ?",
                (group, tp.topic, tp.partition)).fetchone()
        except sqlite3.Error as exc:
            raise StreamUnavailable(str(exc)) from exc
        return row[0] if row else 0

    def commit(self, group: str, offsets: dict[TopicPartition, int]) -> None:
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO group_offsets VALUES (?, ?, ?, ?)",
                           [(group, tp.topic, tp.partition, int(o)) for tp, o in offsets.items()])
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StreamUnavailable(f"commit to {self.path} failed: {exc}") from exc

    # -- retention -------------------------------------------------------------------
    def prune(self, now_ms: int, retention_ms: int, consumed_retention_ms: int | None = None) -> int:
        """Delete whole batches older than ``retention_ms``; and, when
        ``consumed_retention_ms`` is set, batches older than that which every group
        has already committed past.  Offsets never move back (heads stay)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            deleted = db.execute("DELETE FROM batches WHERE appended_ms < ?", (now_ms - retention_ms,)).rowcount
            if consumed_retention_ms is not None:
                deleted += db.execute(
                    "DELETE FROM batches WHERE appended_ms < ? AND EXISTS ("
                    "  SELECT 1 FROM group_offsets g WHERE g.topic = batches.topic"
                    "  AND g.partition = batches.partition) AND end_offset <= ("
                    "  SELECT MIN(g.next_offset) FROM group_offsets g WHERE g.topic = batches.topic"
                    "  AND g.partition = batches.partition)",
                    (now_ms - consumed_retention_ms,)).rowcount
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return deleted
