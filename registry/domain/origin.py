"""Origins and the URLs a widget may load from.

A module, stylesheet or icon must be an ``http``/``https`` URL under the announcing
host's origin (or an allow-listed one); relative references are resolved against the
announcer's base URL. Schemes such as ``javascript:`` and ``data:`` never pass.

Every URL's host is also checked for where it points (``OriginPolicy``): a numeric host
in an odd form (``0x7f.1``, ``2130706433``) is refused, and a host that is, or resolves
to, a loopback, private, link-local or metadata address is refused unless its origin is
allow-listed exactly (or the address is in an allow-listed network). A name that does
not resolve at all is let through: the dashboard resolves and checks again on every
connection, which is the check that matters (DNS can change after registration).
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from gatekeeper.address import AddressPolicy, AddressRefused, literal_address
from gatekeeper.origin_list import OriginList

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


Resolve = Callable[[str], list[str]]


def system_resolve(host: str, timeout: float = 2.0) -> list[str]:
    """Every address the system resolver gives for ``host``; raises OSError, also when it
    takes longer than ``timeout`` (validation runs on the event loop: a slow DNS server
    must not hold it; an unanswered name is let through, as an unresolvable one is)."""
    found: dict[str, object] = {}

    def lookup() -> None:
        try:
            found["addresses"] = [info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
        except (OSError, UnicodeError) as exc:
            found["error"] = exc

    worker = threading.Thread(target=lookup, name="registry-resolve", daemon=True)
    worker.start()
    worker.join(timeout)
    if "addresses" in found:
        return found["addresses"]  # type: ignore[return-value]
    error = found.get("error")
    raise OSError(str(error) if error else f"resolving {host} did not finish in {timeout}s")


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    """The operator's allow-list (origins, plus networks internal addresses may be in)
    and the resolver used to see where a name points (a seam for tests).

    ``addresses=None`` checks origins only: what a bare ``Announcer`` built from a set of
    origins does (tests of other rules). The registry's composition root always builds a
    checking policy from its settings."""

    origins: OriginList = field(default_factory=OriginList)
    addresses: AddressPolicy | None = AddressPolicy()
    resolve: Resolve = system_resolve

    @classmethod
    def from_settings(cls, origins: Iterable[str], networks: Iterable[str] = (),
                      resolve: Resolve = system_resolve) -> OriginPolicy:
        return cls(OriginList(origins), AddressPolicy.from_strings(networks), resolve)

    def __contains__(self, origin: object) -> bool:
        return origin in self.origins

    def __bool__(self) -> bool:
        return bool(self.origins)

    def check(self, url: str) -> None:
        """Raise BadURL when ``url``'s host points where widgets may not be fetched from."""
        origin = origin_of(url)
        if self.addresses is None or self.origins.exact(origin):
            return  # the operator named this origin: trusted wherever it points
        host = urlsplit(origin).hostname or ""
        try:
            literal = literal_address(host)
            if literal is not None:
                self.addresses.check([literal], host)
                return
            try:
                addresses = self.resolve(host)
            except (OSError, UnicodeError):
                return  # does not resolve now; the dashboard checks every connection
            self.addresses.check(addresses, host)
        except AddressRefused as exc:
            raise BadURL(str(exc)) from None


@dataclass(frozen=True, slots=True)
class Announcer:
    """Who is announcing: the base URL it declared (may be None) and the allow-list
    (an ``OriginPolicy``; a plain set of origins is read as one that checks origins only)."""

    base: str | None
    allowed: OriginPolicy | frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.allowed, OriginPolicy):
            object.__setattr__(self, "allowed", OriginPolicy(OriginList(self.allowed), addresses=None))

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
        own = self.origin or fallback_origin
        if (own or self.allowed) and origin != own and origin not in self.allowed:
            where = ", ".join(filter(None, [own, "the registry's allow-list" if self.allowed else None]))
            raise BadURL(f"URL origin {origin} is outside the announcing origin ({where})")
        self.allowed.check(absolute)
        return absolute
