"""Which content types the widget proxy serves on the dashboard's origin. Pure.

A widget needs JavaScript, CSS, JSON (data, source maps, manifests), images, fonts and
WebAssembly. Anything a browser would render as a document (HTML, XHTML, XML, plain
text it might sniff) never comes back from ``/widgets/…``: it would run on the
dashboard's origin. SVG is an image but also a document that can hold script, so it is
served with a CSP that forbids script and sandboxes it if opened directly.
"""

from __future__ import annotations

SCRIPT = frozenset({"text/javascript", "application/javascript", "application/x-javascript",
                    "application/ecmascript", "text/ecmascript"})
EXACT = SCRIPT | frozenset({
    "text/css", "application/json", "application/wasm", "application/font-woff", "application/font-sfnt",
    "application/x-font-ttf", "application/x-font-opentype", "application/vnd.ms-fontobject",
})
PREFIXES = ("image/", "font/")
SVG = "image/svg+xml"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def media_type(content_type: str | None) -> str:
    """``text/javascript; charset=utf-8`` → ``text/javascript``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def servable(content_type: str | None) -> bool:
    kind = media_type(content_type)
    if kind in EXACT:
        return True
    if kind.startswith("application/") and kind.endswith("+json"):
        return True
    return kind.startswith(PREFIXES) and kind.count("/") == 1 and len(kind) > kind.index("/") + 1


def described() -> str:
    return "JavaScript, CSS, JSON, images, fonts or wasm"
