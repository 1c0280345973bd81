"""The pixel's query-string parameters, parsed cheaply enough for the hot path.

Values are percent-decoded through an LRU cache, and whole query strings are turned
into captures through another: real traffic repeats the same pages, referrers and
titles, so most pixel hits cost a dictionary look-up here.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote_plus

from tracker.collector.capture import IncomingEvent, Rejected, captured
from tracker.collector.validation import json_props


@lru_cache(maxsize=16384)
def _unquote(value: str) -> str:
    return unquote_plus(value)


def unquote(value: str) -> str:
    if "%" not in value and "+" not in value:
        return value
    return _unquote(value) if len(value) <= 512 else unquote_plus(value)  # a long value is not kept


def pairs(query: str) -> list[tuple[str, str]]:
    """(key, decoded value) pairs in order; blank values are dropped, like ``parse_qsl``."""
    out = []
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if value:
            out.append((unquote(key), unquote(value)))
    return out


@lru_cache(maxsize=16384)
def pixel_capture(query: str) -> IncomingEvent | Rejected:
    """A pixel query string's capture (``site``/``d``, ``url``/``u``, ``referrer``/``r``,
    ``title``, ``name``/``n``, ``p.<key>``, ``props`` JSON, ``ts`` ms), or why it is invalid.
    Cached: the same page/referrer/title combination arrives from many visitors."""
    site = url = referrer = title = error = ""
    name = "pageview"
    props: dict = {}
    ts = None
    for key, value in pairs(query):
        if key == "site" or key == "d":
            site = value
        elif key == "url" or key == "u":
            url = value
        elif key == "referrer" or key == "r":
            referrer = value
        elif key == "title":
            title = value
        elif key == "name" or key == "n":
            name = value
        elif key.startswith("p."):
            props[key[2:]] = value
        elif key == "props":
            extra, error = json_props(value)
            props.update(extra)
        elif key == "ts" and value.isascii() and value.isdigit() and len(value) < 20:
            ts = int(value)
    return captured(query, site=site, name=name, url=url, referrer=referrer, title=title, props=props, ts=ts,
                    error=error)
