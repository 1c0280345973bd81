"""What a page URL and a referrer say: path, referrer host, UTM campaign parameters, and
the part of each that is kept (privacy by default: a page URL keeps its path and only the
allow-listed query parameters; a referrer keeps no query string and no fragment)."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

KEPT_QUERY_PARAMS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "ref"})


class Page(NamedTuple):
    path: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    url: str = ""  # what is kept of the URL: scheme, host, path and the allow-listed parameters


class BadUrl(ValueError):
    pass


def page(url: str, kept: frozenset[str] = KEPT_QUERY_PARAMS) -> Page:
    """Path and UTM parameters of an absolute http(s) URL, and the URL cut to its path plus
    the query parameters named in ``kept`` (no fragment); an empty URL gives "/"."""
    if not url:
        return Page("/", "", "", "", "")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise BadUrl(f"bad url: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadUrl("bad url: not an absolute http(s) URL")
    source = medium = campaign = ""
    allowed: list[tuple[str, str]] = []
    if parts.query:
        for key, value in parse_qsl(parts.query):
            if key in kept:
                allowed.append((key, value))
            if key == "utm_source":
                source = value
            elif key == "utm_medium":
                medium = value
            elif key == "utm_campaign":
                campaign = value
    kept_url = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, urlencode(allowed), ""))
    return Page(parts.path or "/", source, medium, campaign, kept_url)


def kept_referrer(referrer: str) -> str:
    """A referrer without its query string, fragment and user info (they may carry the
    visitor's data)."""
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return referrer.split("?", 1)[0].split("#", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def referrer_host(referrer: str) -> str:
    if not referrer:
        return ""
    try:
        host = urlsplit(referrer).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host
