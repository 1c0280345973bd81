"""The collector's disk buffer while the stream is down: append-only segment files.

Frame = ``<u32 length><u32 crc32>`` + msgpack ``[topic, [[key, value], …]]``; each
append is fsync'd before the hit counts as safe.  Segments are replayed oldest
first; a torn or corrupt tail frame (a crash mid-write) ends a segment's replay.
While a backlog exists every new batch is spilled too, so order is kept.  Whether
one exists is asked on every flush, so the spill keeps count of its segment files
instead of listing the directory each time (it owns the directory: one per process).
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from pathlib import Path
from typing import Iterator

import msgspec

log = logging.getLogger(__name__)
HEADER = struct.Struct("<II")
Batch = tuple[str, list[tuple[bytes, bytes]]]
_decode = msgspec.msgpack.Decoder(tuple[str, list[tuple[bytes, bytes]]]).decode


def frame(topic: str, records: list[tuple[bytes, bytes]]) -> bytes:
    payload = msgspec.msgpack.encode((topic, records))
    return HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def frames(data: bytes) -> Iterator[Batch]:
    pos = 0
    while pos + HEADER.size <= len(data):
        length, crc = HEADER.unpack_from(data, pos)
        payload = data[pos + HEADER.size: pos + HEADER.size + length]
        if len(payload) < length or zlib.crc32(payload) != crc:
            log.warning("spill: torn frame at byte %d ignored", pos)
            return
        yield _decode(payload)
        pos += HEADER.size + length


class Spill:
    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._active: int | None = None  # fd of the segment being appended to
        self._active_path: Path | None = None
        self.spilled_records = 0
        self._count = len(self.segments())  # segment files on disk, sealed or active

    def segments(self) -> list[Path]:
        return sorted(self.dir.glob("*.spill"))

    def has_backlog(self) -> bool:
        return self._count > 0

    def append(self, batches: list[Batch]) -> None:
        if self._active is None:
            last = self.segments()
            seq = int(last[-1].stem) + 1 if last else 1
            self._active_path = self.dir / f"{seq:012d}.spill"
            self._active = os.open(self._active_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._count += 1
        data = b"".join(frame(topic, records) for topic, records in batches if records)
        os.write(self._active, data)
        os.fsync(self._active)
        self.spilled_records += sum(len(r) for _, r in batches)

    def seal(self) -> None:
        """Close the segment being written; the next append starts a new one."""
        if self._active is not None:
            os.close(self._active)
            self._active = None
            self._active_path = None

    def sealed_segments(self) -> list[Path]:
        return [p for p in self.segments() if p != self._active_path]

    def remove(self, segment: Path) -> None:
        """A sealed segment was replayed whole: delete it."""
        segment.unlink(missing_ok=True)
        self._count = len(self.segments())

    @staticmethod
    def read(segment: Path) -> list[Batch]:
        return list(frames(segment.read_bytes()))

    def close(self) -> None:
        self.seal()
