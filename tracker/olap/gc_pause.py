"""Pause the cyclic garbage collector around bulk allocation (decode, Arrow build).

Tens of thousands of fresh objects that all stay alive would trigger generation
scans for nothing; reference counting still frees what dies.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def gc_paused():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
