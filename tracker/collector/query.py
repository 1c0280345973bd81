"""Query-string parsing for the pixel, cheap enough for the hot path.

Values are percent-decoded through an LRU cache: real traffic repeats the same
pages, referrers and titles, so most decodes are a dictionary hit.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote_plus


@lru_cache(maxsize=16384)
def unquote(value: str) -> str:
    return unquote_plus(value) if "%" in value or "+" in value else value


def pairs(query: str) -> list[tuple[str, str]]:
    """(key, decoded value) pairs in order; blank values are dropped, like ``parse_qsl``."""
    out = []
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if value:
            out.append((unquote(key), unquote(value)))
    return out


def site_of(query: str) -> str:
    """Just the ``site`` (or ``d``) parameter, without parsing the rest."""
    for name in ("site=", "d="):
        at = query.find(name)
        while at > 0 and query[at - 1] != "&":
            at = query.find(name, at + 1)
        if at >= 0:
            end = query.find("&", at)
            return unquote(query[at + len(name):] if end < 0 else query[at + len(name):end])
    return ""
