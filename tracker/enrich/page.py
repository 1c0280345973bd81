"""What a page URL and a referrer say: path, referrer host, UTM campaign parameters."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit


class Page(NamedTuple):
    path: str
    utm_source: str
    utm_medium: str
    utm_campaign: str


class BadUrl(ValueError):
    pass


def page(url: str) -> Page:
    """Path and UTM parameters of an absolute http(s) URL; an empty URL gives "/"."""
    if not url:
        return Page("/", "", "", "")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise BadUrl(f"bad url: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadUrl("bad url: not an absolute http(s) URL")
    source = medium = campaign = ""
    if "utm_" in parts.query:
        for key, value in parse_qsl(parts.query):
            if key == "utm_source":
                source = value
            elif key == "utm_medium":
                medium = value
            elif key == "utm_campaign":
                campaign = value
    return Page(parts.path or "/", source, medium, campaign)


def referrer_host(referrer: str) -> str:
    if not referrer:
        return ""
    try:
        host = urlsplit(referrer).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host
