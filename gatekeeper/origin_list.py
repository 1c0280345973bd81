"""An operator's allow-list of origins widgets may load from. Pure: stdlib only.

Entries (comma-separated in settings):

- ``http://127.0.0.1:8100`` — an exact origin. The operator named it, so it is trusted
  whatever it resolves to (this is how `make up` allows its own loopback widget host).
- ``https://*.widgets.example`` — any subdomain of ``widgets.example`` with that scheme
  and port; such a host must still resolve to public addresses only.
- ``*`` — any http(s) origin, public addresses only.

Origins are compared normalised: lower-case scheme and host, default port dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise(origin: str) -> str:
    """``scheme://host[:port]`` of an origin or URL (lower-case, default port dropped); raises ValueError."""
    parts = urlsplit(origin.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{origin!r} is not an http(s) origin")
    port = parts.port
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


@dataclass(frozen=True, slots=True)
class Entry:
    scheme: str
    suffix: str  # ".widgets.example" for a wildcard, the full host for an exact entry
    port: int | None
    wildcard: bool

    @classmethod
    def parse(cls, text: str) -> Entry:
        text = text.strip()
        if text == "*":
            return cls("*", "", None, True)
        wildcard = "://*." in text
        given = urlsplit(text)
        if given.path not in ("", "/") or given.query or given.fragment or given.username or given.password:
            raise ValueError(f"{text!r} must be an origin: scheme://host[:port], nothing after")
        parts = urlsplit(normalise(text.replace("://*.", "://wildcard.", 1) if wildcard else text))
        host = parts.hostname or ""
        suffix = host[len("wildcard"):] if wildcard else host
        return cls(parts.scheme, suffix, parts.port or DEFAULT_PORTS[parts.scheme], wildcard)

    def matches(self, scheme: str, host: str, port: int) -> bool:
        if self.scheme == "*":
            return True
        if scheme != self.scheme or port != self.port:
            return False
        return host.endswith(self.suffix) and len(host) > len(self.suffix) if self.wildcard else host == self.suffix


class OriginList:
    """``match(origin)``: None (not listed), or whether the match is an exact (trusted) entry."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.entries = tuple(Entry.parse(e) for e in entries if e and e.strip())

    def match(self, origin: str) -> bool | None:
        try:
            parts = urlsplit(normalise(origin))
        except ValueError:
            return None
        scheme, host = parts.scheme, (parts.hostname or "")
        port = parts.port or DEFAULT_PORTS[scheme]
        found = None
        for entry in self.entries:
            if entry.matches(scheme, host, port):
                if not entry.wildcard:
                    return True
                found = False
        return found

    def exact(self, origin: str) -> bool:
        return self.match(origin) is True

    def __contains__(self, origin: object) -> bool:
        return isinstance(origin, str) and self.match(origin) is not None

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __repr__(self) -> str:
        return f"OriginList({len(self.entries)} entries)"
