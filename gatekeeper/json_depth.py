"""How deeply a JSON document nests, read from its bytes before any parser recurses.

Parsers written in C (orjson, msgspec, the stdlib's scanner) recurse per level and fail
deep documents with ``RecursionError`` or their own limit, which surfaces as a 500.
``check_depth`` answers first, cheaply: a document with fewer brackets than the limit
cannot be too deep, and that count runs in C; only documents with more brackets are
scanned byte by byte (brackets inside strings are skipped).
"""

from __future__ import annotations

DEFAULT_LIMIT = 32

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


class TooDeep(ValueError):
    """The document nests deeper than allowed; ``limit`` says how deep is allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def depth_of(body: bytes | bytearray | memoryview) -> int:
    """The deepest nesting of arrays and objects in ``body`` (0 for a scalar)."""
    deepest = depth = 0
    in_string = escaped = False
    for byte in bytes(body):
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def check_depth(body: bytes | bytearray | memoryview, limit: int = DEFAULT_LIMIT) -> None:
    """Raise ``TooDeep`` if ``body`` nests deeper than ``limit``; cheap for shallow bodies."""
    data = bytes(body)
    if data.count(b"[") + data.count(b"{") <= limit:
        return
    if depth_of(data) > limit:
        raise TooDeep(limit)
