"""Why the layouts service refuses a request, in domain terms (the edge maps them to HTTP)."""

from __future__ import annotations

from gatekeeper.problem import Loc, Problem, Refused, problem  # noqa: F401 (re-exported: the edge imports them from here)


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
