"""Competing consumers on one machine: who in a group owns which partition.

Every live member holds an exclusive ``flock`` on its own member file, and on one
lock file per partition it owns.  The kernel drops a killed member's locks, so the
survivors see it gone (its member file becomes lockable) and pick up its
partitions at their next rebalance.  Each member aims at ``ceil(partitions /
live members)`` partitions: it lets go of extras and grabs free ones.
"""

from __future__ import annotations

import fcntl
import math
import os
import uuid
from pathlib import Path

from tracker.stream.port import TopicPartition


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


class Membership:
    def __init__(self, root: Path, group: str, member_id: str | None = None) -> None:
        self.dir = Path(root) / "groups" / _safe(group)
        self.member_id = member_id or uuid.uuid4().hex
        self.owned: dict[TopicPartition, int] = {}  # partition -> fd holding its lock
        self._member_fd: int | None = None

    def join(self) -> None:
        (self.dir / "members").mkdir(parents=True, exist_ok=True)
        fd = os.open(self.dir / "members" / f"{self.member_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._member_fd = fd

    def leave(self) -> None:
        for tp in list(self.owned):
            self.release(tp)
        if self._member_fd is not None:
            (self.dir / "members" / f"{self.member_id}.lock").unlink(missing_ok=True)
            os.close(self._member_fd)
            self._member_fd = None

    def live_members(self) -> int:
        """Members holding their lock; removes the files of dead ones."""
        live = 0
        for path in (self.dir / "members").glob("*.lock"):
            if path.stem == self.member_id:
                live += 1
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                live += 1
            else:
                path.unlink(missing_ok=True)
            finally:
                os.close(fd)
        return max(live, 1)

    def _lock_path(self, tp: TopicPartition) -> Path:
        return self.dir / f"{_safe(tp.topic)}.{tp.partition}.lock"

    def acquire(self, tp: TopicPartition) -> bool:
        fd = os.open(self._lock_path(tp), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.owned[tp] = fd
        return True

    def release(self, tp: TopicPartition) -> None:
        fd = self.owned.pop(tp, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock

    def rebalance(self, partitions: list[TopicPartition]) -> tuple[list[TopicPartition], list[TopicPartition]]:
        """Move towards a fair share; returns (acquired, released)."""
        quota = math.ceil(len(partitions) / self.live_members())
        released: list[TopicPartition] = []
        for tp in sorted(self.owned, key=lambda t: (t.topic, t.partition), reverse=True):
            if len(self.owned) <= quota:
                break
            self.release(tp)
            released.append(tp)
        acquired: list[TopicPartition] = []
        # start at a member-specific place so joiners do not all race for partition 0
        start = int(self.member_id[:8], 16) % max(len(partitions), 1)
        for tp in partitions[start:] + partitions[:start]:
            if len(self.owned) >= quota:
                break
            if tp not in self.owned and self.acquire(tp):
                acquired.append(tp)
        return acquired, released
