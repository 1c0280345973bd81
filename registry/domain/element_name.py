"""Custom-element names (HTML "valid custom element name"), ASCII subset."""

from __future__ import annotations

import re

# Lowercase ASCII start, at least one hyphen; the spec also allows some non-ASCII
# characters, which we refuse on purpose (they are easy to spoof in a catalogue).
PATTERN = r"^[a-z][a-z0-9._]*-[a-z0-9._-]*$"
_NAME = re.compile(PATTERN)
MAX_LENGTH = 100

RESERVED = frozenset(
    {
        "annotation-xml",
        "color-profile",
        "font-face",
        "font-face-src",
        "font-face-uri",
        "font-face-format",
        "font-face-name",
        "missing-glyph",
    }
)


def element_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a custom element's tag, or None when it can."""
    if len(name) > MAX_LENGTH:
        return f"custom element name is longer than {MAX_LENGTH} characters"
    if not _NAME.fullmatch(name):
        return (
            "not a valid custom element name: it must start with a lowercase letter, "
            "contain a hyphen and use only a-z, 0-9, '.', '_' and '-'"
        )
    if name in RESERVED:
        return f"{name!r} is a reserved element name"
    return None


# The dashboard shell's own elements: no widget may announce them, whatever its team.
SHELL_ELEMENTS = frozenset({"tessera-widget-frame", "tessera-catalogue"})
# Every other ``tessera-`` name belongs to the platform (future shell elements included):
# only the platform's own teams (the registry setting ``platform_teams``) may use it.
PLATFORM_PREFIX = "tessera-"
DEFAULT_PLATFORM_TEAMS = frozenset({"web-analytics"})  # the built-in widgets' team (widgets/)


def element_claim_problem(name: str, team: str, platform_teams: frozenset[str]) -> str | None:
    """Why ``team`` may not announce the element ``name`` (None when it may)."""
    if name in SHELL_ELEMENTS:
        return f"<{name}> is one of the dashboard shell's own elements"
    if name.startswith(PLATFORM_PREFIX) and team not in platform_teams:
        return f"element names starting with {PLATFORM_PREFIX!r} are reserved for the platform's own teams"
    return None
