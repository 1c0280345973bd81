"""Where a widget's files live, and which requested paths may be proxied to them.

A widget is served from the directory that holds its announced files (module,
stylesheet, icon) on its own origin: its *base*. The gateway only forwards a path that,
resolved against that base, stays under it on the same origin. Pure functions only.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote, urlsplit

UNSAFE_CHARACTERS = ("\\", "\x00", "?", "#", "%")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def directory_of(url: str) -> str:
    """``http://h/a/b/c.js`` → ``http://h/a/b/``."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else posixpath.dirname(parts.path) + "/"
    return f"{parts.scheme}://{parts.netloc}{path.replace('//', '/')}"


def widget_base(module_url: str, *others: str | None) -> str | None:
    """The deepest directory holding the module and every other file on its origin."""
    parts = urlsplit(module_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    origin = origin_of(module_url)
    base = directory_of(module_url)
    for url in others:
        if not url or origin_of(url) != origin:
            continue
        other = directory_of(url)
        while not other.startswith(base):
            base = directory_of(base.rstrip("/"))
    return base


def relative_path(url: str | None, base: str) -> str | None:
    """The path of ``url`` below ``base``, or None when it lies outside."""
    if not url:
        return None
    if not url.startswith(base):
        return None
    return urlsplit(url[len(base):]).path or None


def safe_segments(path: str) -> list[str] | None:
    """Split a requested path; None if any segment could escape or smuggle."""
    if not path or path.startswith("/") or any(c in path for c in UNSAFE_CHARACTERS):
        return None
    segments = path.split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            return None
        if any(ord(c) < 0x20 or c == "\x7f" for c in segment):
            return None
    return segments


def target_url(base: str, path: str) -> str | None:
    """The upstream URL for ``path`` under ``base``, or None if it is not allowed."""
    segments = safe_segments(path)
    if segments is None:
        return None
    url = base + "/".join(quote(segment, safe="@:+,;=!$&'()*~-._") for segment in segments)
    if not url.startswith(base) or origin_of(url) != origin_of(base):
        return None
    return url
