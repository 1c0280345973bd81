"""The metric routes the gateway maps, and the parameters each may carry. Pure.

Only these routes reach the query service, each under a fixed upstream path (never one
built from the request's path), and only their parameters, checked for shape, go with
them; the query service still checks their meaning. Unknown parameters are dropped, a
repeated or malformed one is a 422 naming it, in the query service's own error shape.
Keep ``DIMENSIONS`` in step with the query service's breakdown (issue 11).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

DIMENSIONS = ("page", "referrer", "browser", "os", "device", "utm_source", "utm_medium", "utm_campaign")
INTERVALS = ("1m", "1h", "1d")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidQuery(Exception):
    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors))
        self.errors = errors


def _error(name: str, msg: str, kind: str) -> dict:
    return {"loc": ["query", name], "msg": msg, "type": kind}


def _text(limit: int):
    def check(name: str, value: str) -> str | None:
        if len(value) > limit:
            return f"{name} is longer than {limit} characters"
        if _CONTROL.search(value):
            return f"{name} contains control characters"
        return None
    return check


def _time(name: str, value: str) -> str | None:
    text = value.strip()
    if len(text) > 40:
        return f"{name} is not an ISO-8601 date-time"
    try:
        datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return f"{name} is not an ISO-8601 date-time: {value[:40]!r}"
    return None


def _one_of(choices: Iterable[str]):
    allowed = tuple(choices)

    def check(name: str, value: str) -> str | None:
        return None if value in allowed else f"{name} must be one of {', '.join(allowed)}"
    return check


def _integer(low: int, high: int):
    def check(name: str, value: str) -> str | None:
        if value.isascii() and value.isdigit() and low <= int(value) <= high:
            return None
        return f"{name} must be an integer from {low} to {high}"
    return check


@dataclass(frozen=True)
class Param:
    name: str
    check: object
    required: bool = False


SITE = Param("site", _text(253), required=True)
RANGE = (SITE, Param("from", _time), Param("to", _time), Param("path", _text(2048)), Param("referrer", _text(2048)))
LIMIT = Param("limit", _integer(1, 1000))
FILTERS = tuple(Param(name, _text(2048)) for name in DIMENSIONS if name != "referrer")
SERIES_FILTERS = tuple(p for p in FILTERS if p.name != "page")  # a series filters pages by `path`

ROUTES: dict[str, tuple[Param, ...]] = {
    "pageviews": (*RANGE, Param("interval", _one_of(INTERVALS)), *SERIES_FILTERS),
    "top-pages": (*RANGE, LIMIT),
    "top-referrers": (*RANGE, LIMIT),
    "visitors": (*RANGE, *SERIES_FILTERS),
    "live": (SITE,),
    "stream": (Param("site", _text(253)), Param("lastEventId", _integer(0, 2**63 - 1))),
    "recent": (SITE, Param("limit", _integer(1, 100)), Param("lastEventId", _integer(0, 10**15 - 1))),
    "breakdown": (*RANGE, Param("dimension", _one_of(DIMENSIONS), required=True), LIMIT, *FILTERS),
    "summary": (*RANGE, *FILTERS),
}
STREAMS = frozenset({"stream", "recent"})


def upstream_query(route: str, pairs: Iterable[tuple[str, str]]) -> str:
    """The query string to forward for ``route``: its known parameters, checked, in the
    order given; raises InvalidQuery naming every bad one."""
    known = {p.name: p for p in ROUTES[route]}
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    errors: list[dict] = []
    for name, value in pairs:
        param = known.get(name)
        if param is None:
            continue
        if name in seen:
            errors.append(_error(name, f"{name} is given more than once", "value_error.repeated"))
            continue
        seen.add(name)
        if (problem := param.check(name, value)) is not None:
            errors.append(_error(name, problem, "value_error"))
        kept.append((name, value))
    for param in known.values():
        if param.required and param.name not in seen:
            errors.append(_error(param.name, f"{param.name} is required", "missing"))
    if errors:
        raise InvalidQuery(errors)
    return urlencode(kept)


def last_event_id_problem(value: str | None) -> dict | None:
    if value is None or (value.isascii() and value.isdigit() and len(value) <= 19):
        return None
    return {"loc": ["header", "Last-Event-ID"], "msg": "Last-Event-ID must be an integer", "type": "int_parsing"}
