"""Why the registry refuses a request, in domain terms (the edge maps them to HTTP)."""

from __future__ import annotations

from gatekeeper.problem import Loc, Problem, Refused  # noqa: F401 (re-exported: the edge imports them from here)


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
