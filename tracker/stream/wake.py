"""A wake-up when a file in a directory is written: inotify on Linux, nothing elsewhere.

The local log's consumer waits on this instead of polling SQLite: every append writes the
log's WAL file in the shared stream directory, and the kernel tells the watch. Only the
standard library (``ctypes`` on libc); where inotify is missing (another OS, no free
instance) ``DirectoryWatch.open`` returns ``None`` and the consumer polls as before.

A write is reported when the bytes hit the file, a moment *before* SQLite publishes the
commit in its shared-memory index, so a read right after a wake can still miss it: the
consumer checks again a few times shortly after a wake that found nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import sys
from pathlib import Path

IN_MODIFY, IN_MOVED_TO, IN_CREATE = 0x2, 0x80, 0x100
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
MASK = IN_MODIFY | IN_MOVED_TO | IN_CREATE

_libc = None


def _lib():
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            lib.inotify_init1.argtypes, lib.inotify_init1.restype = [ctypes.c_int], ctypes.c_int
            lib.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
            lib.inotify_add_watch.restype = ctypes.c_int
            _libc = lib
        except (OSError, AttributeError):
            _libc = False
    return _libc or None


class DirectoryWatch:
    """An ``asyncio.Event`` set whenever a file directly in ``directory`` is written or created."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop) -> None:
        self.fd, self.loop = fd, loop
        self.changed = asyncio.Event()
        loop.add_reader(fd, self._readable)

    @classmethod
    def open(cls, directory: Path) -> DirectoryWatch | None:
        """A watch on ``directory`` for the running loop, or None where inotify cannot be had."""
        lib = _lib()
        if lib is None:
            return None
        fd = lib.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:  # e.g. EMFILE: fs.inotify.max_user_instances reached
            return None
        if lib.inotify_add_watch(fd, os.fsencode(directory), MASK) < 0:
            os.close(fd)
            return None
        try:
            return cls(fd, asyncio.get_running_loop())
        except (NotImplementedError, RuntimeError):  # a loop without add_reader
            os.close(fd)
            return None

    def _readable(self) -> None:
        try:
            while os.read(self.fd, 4096):  # drain: any event is "something changed"
                pass
        except BlockingIOError:
            pass
        except OSError:
            pass
        self.changed.set()

    async def wait(self, timeout: float) -> bool:
        """Wait until something changed (True) or ``timeout`` seconds passed (False)."""
        if self.changed.is_set():
            return True
        try:
            await asyncio.wait_for(self.changed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        if self.fd >= 0:
            try:
                self.loop.remove_reader(self.fd)
            except Exception:  # the loop is closed already
                pass
            os.close(self.fd)
            self.fd = -1
