"""Why a service refuses a request, in domain terms: the problems (each naming its field)
and the base of every refusal. Pure: stdlib only, so each service's domain may use it;
each edge maps its own ``Refused`` subclasses to HTTP statuses and problem JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason for refusal, naming the field: ``loc`` like ``("body", "title")``."""

    loc: Loc
    msg: str
    type: str

    def as_dict(self) -> dict:
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


class Refused(Exception):
    """Base of every refusal; carries the problems and optional extra answer fields."""

    def __init__(self, *problems: Problem, extra: dict | None = None) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in problems))
        self.problems = list(problems)
        self.extra = extra or {}


def problem(loc: Loc, msg: str, kind: str) -> Problem:
    return Problem(tuple(loc), msg, kind)
