"""The widget manifest as the sidecar sees it: read, checked lightly, URLs resolved.

The registry is the gatekeeper and validates everything; the sidecar only refuses what
it cannot announce at all (exit code 2) and fills what only it knows: absolute URLs and
the module's integrity hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
ELEMENT_PATTERN = re.compile(r"^[a-z][a-z0-9._]*(-[a-z0-9._]*)+$")
RESERVED_ELEMENTS = frozenset(
    {
        "annotation-xml", "color-profile", "font-face", "font-face-src",
        "font-face-uri", "font-face-format", "font-face-name", "missing-glyph",
    }
)
URL_FIELDS = ("module", "stylesheet", "icon")


class ManifestError(ValueError):
    """The manifest cannot be announced (missing file, bad JSON, missing fields)."""


def is_custom_element_name(name: str) -> bool:
    return bool(ELEMENT_PATTERN.match(name)) and name not in RESERVED_ELEMENTS


def sri(body: bytes) -> str:
    """Subresource-integrity value for ``body``: ``sha384-<base64>``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode("ascii")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ManifestError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def folder_url(url: str) -> str:
    """The widget URL names a folder: make sure relative paths resolve inside it."""
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class Manifest:
    """A manifest document ready to announce (absolute URLs) plus the host origin."""

    document: dict[str, Any]
    origin: str
    lab_body: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return self.document["id"]

    @property
    def module_url(self) -> str:
        return self.document["module"]

    @property
    def ttl(self) -> float | None:
        ttl = self.document.get("ttl")
        return float(ttl) if isinstance(ttl, int | float) else None

    def with_integrity(self, integrity: str) -> Manifest:
        return Manifest({**self.document, "integrity": integrity}, self.origin, self.lab_body)


def check(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ManifestError("manifest must be a JSON object")
    missing = [key for key in ("id", "element", "module") if not document.get(key)]
    if missing:
        raise ManifestError(f"manifest lacks {', '.join(missing)}")
    if not isinstance(document["id"], str) or not ID_PATTERN.match(document["id"]):
        raise ManifestError(f"id {document['id']!r} must be lowercase letters, digits, '.', '_' or '-'")
    if not isinstance(document["element"], str) or not is_custom_element_name(document["element"]):
        raise ManifestError(f"element {document['element']!r} is not a valid custom element name")
    return document


def resolve(document: dict[str, Any], widget_url: str | None, origin: str | None = None) -> Manifest:
    """Resolve relative module/stylesheet/icon against ``widget_url``."""
    document = dict(check(document))
    base = folder_url(widget_url) if widget_url else None
    for key in URL_FIELDS:
        value = document.get(key)
        if not value:
            continue
        if not isinstance(value, str):
            raise ManifestError(f"{key} must be a URL string")
        if urlsplit(value).scheme:
            continue
        if base is None:
            raise ManifestError(f"{key} {value!r} is relative: pass --widget-url")
        document[key] = urljoin(base, value)
    origin_of(document["module"])
    return Manifest(document, origin or origin_of(base or document["module"]))


def load(path: Path, widget_url: str | None, origin: str | None = None) -> Manifest:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"no manifest at {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc}") from exc
    return resolve(document, widget_url, origin)


_MARKUP_TAG = re.compile(r"\s*<([a-z][a-z0-9._-]*)")


def component_tag(component_id: str) -> str:
    """The element of the lab's ``componentId``: a tag name or its markup
    (``<kind-test-widget param_one="x"></kind-test-widget>``). Only the name is read here;
    the registry checks the markup strictly."""
    found = _MARKUP_TAG.match(component_id)
    return found.group(1) if found else component_id


def from_lab(widget_id: str, body: str, widget_url: str | None, origin: str | None = None) -> Manifest:
    """Build a manifest from the lab's ``BODY``: ``{webComponent:{jsUrl,cssUrl,componentId},label,tags}``.

    The lab's own body (markup ``componentId``, ``tags`` as a string map) is what is
    announced, with only relative URLs resolved; the manifest is for the health check."""
    try:
        lab = json.loads(body)
        component = lab["webComponent"]
        tags = lab.get("tags") or []
        document = {
            "id": widget_id,
            "label": lab.get("label") or widget_id,
            "tags": [f"{k}:{v}" if v else k for k, v in tags.items()] if isinstance(tags, dict) else list(tags),
            "element": component_tag(component["componentId"]),
            "module": component["jsUrl"],
            "stylesheet": component.get("cssUrl") or None,
        }
    except (json.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
        raise ManifestError(f"BODY is not a lab manifest {{webComponent:{{jsUrl,cssUrl,componentId}},label,tags}}: {exc}") from exc
    manifest = resolve(document, widget_url, origin)
    resolved = {**lab, "webComponent": {**component, "jsUrl": manifest.document["module"]}}
    if manifest.document.get("stylesheet"):
        resolved["webComponent"]["cssUrl"] = manifest.document["stylesheet"]
    return Manifest(manifest.document, manifest.origin, resolved)
