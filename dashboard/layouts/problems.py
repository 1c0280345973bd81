"""Why the layouts service refuses a request, in domain terms (the edge maps them to HTTP)."""

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


class Invalid(Refused):
    """The document or a parameter breaks a rule (422)."""


class TooLarge(Refused):
    """The document is bigger than the limit (413)."""


class Unauthenticated(Refused):
    """No key or token, or one nobody issued (401)."""


class Forbidden(Refused):
    """A real token without the right: a view link writing, an edit link managing links (403)."""


class NotFound(Refused):
    """No such layout, version or link (404)."""


class Gone(Refused):
    """A deleted layout, or an expired or revoked link (410)."""


class Stale(Refused):
    """The save names a version that is no longer the latest (409); ``extra`` has the current one."""

    def __init__(self, current: int, named: int) -> None:
        super().__init__(
            problem(("header", "If-Match"), f"the layout has changed since version {named}; "
                    f"the current version is {current}", "conflict.stale"),
            extra={"currentVersion": current},
        )
        self.current = current


class UnsupportedMedia(Refused):
    """A write whose body is not declared as JSON (415)."""


class PreconditionRequired(Refused):
    """A save without ``If-Match`` (428)."""
