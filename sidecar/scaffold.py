"""``python -m sidecar scaffold <name>``: a widget folder a sidecar can announce at once."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sidecar import blueprint
from sidecar.manifest import is_custom_element_name

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Where the standalone index.html fetches the kit from: the dashboard `make up` starts.
DEFAULT_KIT_URL = "http://127.0.0.1:8000/kit/v1/"
PAGE_SELECTED = {
    "type": "object",
    "properties": {"path": {"type": ["string", "null"]}, "site": {"type": "string"}},
    "required": ["path"],
}
SITE_SELECTED = {"type": "object", "properties": {"site": {"type": "string", "minLength": 1}}, "required": ["site"]}


class ScaffoldError(ValueError):
    pass


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def element_for(name: str, team: str | None) -> str:
    prefix = slug(team) if team and slug(team) else "x"
    if not prefix[0].isalpha():
        prefix = f"x-{prefix}"
    return f"{prefix}-{name}"


def class_for(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-")) + "Element"


def manifest_for(name: str, team: str | None) -> dict[str, Any]:
    label = name.replace("-", " ").capitalize()
    return {
        "id": name,
        "version": "0.1.0",
        "team": team or "unassigned",
        "label": label,
        "description": f"{label}: a widget scaffolded by `python -m sidecar scaffold`.",
        "tags": ["scaffold"],
        "icon": "icon.svg",
        "element": element_for(name, team),
        "module": f"{name}.js",
        "stylesheet": f"{name}.css",
        "integrity": None,
        "attributes": {
            "type": "object",
            "properties": {
                "site": {"type": "string", "default": "demo.local"},
                "range-minutes": {"type": "integer", "default": 60, "minimum": 1},
            },
        },
        "emits": {"page.selected": PAGE_SELECTED},
        "accepts": {"site.selected": SITE_SELECTED},
        "dataProducts": ["tracker.pageviews"],
        "ttl": 15,
    }


def render(template: str, manifest: dict[str, Any], kit_url: str = DEFAULT_KIT_URL) -> str:
    name = manifest["id"]
    values = {
        "__KIT_URL__": kit_url,
        "__TAG__": manifest["element"],
        "__CLASS__": class_for(name),
        "__NAME__": name,
        "__LABEL__": manifest["label"],
        "__TOPIC__": next(iter(manifest["emits"])),
    }
    for marker, value in values.items():
        template = template.replace(marker, value)
    return template


def scaffold(name: str, parent: Path, team: str | None = None, force: bool = False,
             kit_url: str = DEFAULT_KIT_URL) -> Path:
    """Create ``parent/name/`` with manifest.json, <name>.js (a widget on the kit), <name>.css, index.html, icon.svg.

    ``kit_url`` is where the standalone index.html imports the kit from (an import map)."""
    if not re.match(r"^https?://[^\s\"'<>]+/$", kit_url):
        raise ScaffoldError(f"kit URL {kit_url!r} must be an http(s) URL ending in '/'")
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(f"name {name!r} must be lowercase words joined by '-', e.g. top-pages")
    manifest = manifest_for(name, team)
    if not is_custom_element_name(manifest["element"]):
        raise ScaffoldError(f"{manifest['element']!r} is not a valid custom element name")
    folder = Path(parent) / name
    if folder.exists() and any(folder.iterdir()) and not force:
        raise ScaffoldError(f"{folder} already exists and is not empty (use --force to overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.json": json.dumps(manifest, indent=2) + "\n",
        f"{name}.js": render(blueprint.MODULE, manifest),
        f"{name}.css": render(blueprint.STYLESHEET, manifest),
        "index.html": render(blueprint.PAGE, manifest, kit_url),
        "icon.svg": blueprint.ICON,
    }
    for filename, text in files.items():
        (folder / filename).write_text(text, encoding="utf-8")
    return folder
