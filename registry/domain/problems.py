"""Why the registry refuses a request, in domain terms (the edge maps them to HTTP)."""

from __future__ import annotations

from dataclasses import dataclass

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason for refusal, naming the field: ``loc`` like ``("body", "element")``."""

    loc: Loc
    msg: str
    type: str

    def as_dict(self) -> dict:
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


class Refused(Exception):
    """Base of every refusal; carries the problems."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in problems))
        self.problems = list(problems)


class ManifestInvalid(Refused):
    """The document breaks a rule (schema, semver, element name, origin, …)."""


class Conflict(Refused):
    """The request is valid but collides with another widget (element tag, team)."""


class Unauthenticated(Refused):
    """No token, or a token the registry does not know (or has revoked)."""


class Forbidden(Refused):
    """A valid token of a team that does not own the widget."""


class NotFound(Refused):
    """No such widget (or it is gone)."""


class TooLarge(Refused):
    """The document is bigger than the configured limit."""


class UnsupportedMediaType(Refused):
    """A write whose body is not declared ``application/json``."""


class StaleManifest(Refused):
    """A heartbeat names a manifest (by digest) other than the one registered."""


class DigestRequired(Refused):
    """A heartbeat that does not say which manifest it keeps alive."""
