"""Origins and the URLs a widget may load from.

A module, stylesheet or icon must be an ``http``/``https`` URL under the announcing
host's origin (or an allow-listed one); relative references are resolved against the
announcer's base URL. Schemes such as ``javascript:`` and ``data:`` never pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


class BadURL(ValueError):
    """The string is not an acceptable http(s) URL."""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute http(s) URL, normalised; raises BadURL."""
    if _UNSAFE.search(url):
        raise BadURL("URL contains whitespace, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BadURL(f"scheme {scheme + ':' if scheme else '(none)'} is not allowed; use http or https")
    if not parts.hostname:
        raise BadURL("URL has no host")
    if parts.username is not None or parts.password is not None:
        raise BadURL("URL must not carry user credentials")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


@dataclass(frozen=True, slots=True)
class Announcer:
    """Who is announcing: the base URL it declared (may be None) and the allow-list."""

    base: str | None
    allowed: frozenset[str] = frozenset()

    @property
    def origin(self) -> str | None:
        return origin_of(self.base) if self.base else None

    def resolve(self, reference: str, fallback_origin: str | None = None) -> str:
        """Absolute URL for ``reference``; raises BadURL if it is unsafe or foreign."""
        if _UNSAFE.search(reference):
            raise BadURL("URL contains whitespace, control characters or backslashes")
        scheme = urlsplit(reference).scheme.lower() if ":" in reference else ""
        if scheme and scheme not in ALLOWED_SCHEMES:
            raise BadURL(f"scheme {scheme}: is not allowed; use http or https")
        base = self.base or (fallback_origin + "/" if fallback_origin else None)
        if base is None and not scheme:
            raise BadURL("relative URL but the announcing origin is unknown (send X-Tessera-Origin)")
        absolute = urljoin(base, reference) if base else reference
        origin = origin_of(absolute)
        permitted = set(self.allowed)
        if self.origin:
            permitted.add(self.origin)
        elif fallback_origin:
            permitted.add(fallback_origin)
        if permitted and origin not in permitted:
            raise BadURL(f"URL origin {origin} is outside the announcing origin ({', '.join(sorted(permitted))})")
        return absolute
