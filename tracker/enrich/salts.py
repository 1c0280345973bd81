"""Daily visitor salts: random, rotated at UTC midnight, destroyed after 48 hours.

Each day's salt is a file ``YYYY-MM-DD.salt`` (mode 0600) created once with
``O_EXCL``, so several collector processes on one machine agree on it.  The
current and the previous day's salts are kept; older ones are deleted on rotation,
after which yesterday's visitor hashes can no longer be linked to anyone.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Callable

SALT_BYTES = 32


class SaltStore:
    def __init__(self, directory: Path, clock: Callable[[], float] = time.time) -> None:
        self.dir = Path(directory)
        self.clock = clock
        self._day = -1
        self._salt = b""

    def salt(self, now: float | None = None) -> bytes:
        """The salt of the UTC day of ``now`` (the clock's time by default)."""
        day = int((self.clock() if now is None else now) // 86400)
        if day != self._day:
            self._salt = self._load_or_create(day)
            self._day = day
            self._destroy_older_than(day - 1)
        return self._salt

    @staticmethod
    def _name(day: int) -> str:
        return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).strftime("%Y-%m-%d") + ".salt"

    def _load_or_create(self, day: int) -> bytes:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        path = self.dir / self._name(day)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            for _ in range(50):  # another process may be between create and write
                data = path.read_bytes()
                if len(data) == SALT_BYTES:
                    return data
                time.sleep(0.01)
            raise RuntimeError(f"salt file {path} is damaged")
        salt = os.urandom(SALT_BYTES)
        try:
            os.write(fd, salt)
            os.fsync(fd)
        finally:
            os.close(fd)
        return salt

    def _destroy_older_than(self, keep_from: int) -> None:
        keep = {self._name(keep_from), self._name(keep_from + 1)}
        for path in self.dir.glob("*.salt"):
            if path.name not in keep and path.name < self._name(keep_from):
                path.unlink(missing_ok=True)
