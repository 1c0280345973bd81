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
