"""The widget manifest's JSON Schema (published at ``GET /api/v1/schema/manifest``).

Structure lives here; rules a schema cannot say well (semver, reserved element names,
origins, valid nested JSON Schemas) live in ``manifest.py``.
"""

from __future__ import annotations

from . import element_name

SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"
TOPIC = r"^[a-z][a-z0-9._:-]{0,99}$"
# one line of printable text: no C0/C1 control characters
LINE = r"^[^\u0000-\u001f\u007f-\u009f]*$"
# text: tab, newline and carriage return allowed
TEXT = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
SEMVER = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
INTEGRITY = r"^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}( (sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2})*$"
URL_REF = {"type": "string", "minLength": 1, "maxLength": 2048, "pattern": LINE}
TOPICS = {
    "type": "object",
    "maxProperties": 50,
    "propertyNames": {"pattern": TOPIC},
    "additionalProperties": {"type": ["object", "boolean"]},
    "default": {},
}

MANIFEST_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Tessera widget manifest",
    "description": "What a sidecar announces for one widget (docs/contracts.md).",
    "type": "object",
    "required": ["version", "team", "label", "element", "module"],
    "properties": {
        "id": {"type": "string", "pattern": SLUG, "description": "Widget id; must equal the id in the URL."},
        "version": {"type": "string", "maxLength": 128, "pattern": SEMVER, "description": "Semantic version."},
        "team": {"type": "string", "pattern": SLUG, "description": "Owning team."},
        "label": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": LINE},
        "description": {"type": "string", "maxLength": 4000, "pattern": TEXT, "default": ""},
        "tags": {
            "type": "array",
            "maxItems": 32,
            "items": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": LINE},
            "default": [],
        },
        "icon": {"anyOf": [URL_REF, {"type": "null"}], "default": None},
        "element": {
            "type": "string",
            "maxLength": element_name.MAX_LENGTH,
            "pattern": element_name.PATTERN,
            "description": "Custom-element tag name.",
        },
        "module": {**URL_REF, "description": "ES-module URL (under the announcing origin)."},
        "stylesheet": {"anyOf": [URL_REF, {"type": "null"}], "default": None},
        "integrity": {"anyOf": [{"type": "string", "maxLength": 1024, "pattern": INTEGRITY}, {"type": "null"}], "default": None},
        "attributes": {
            "type": ["object", "boolean"],
            "description": "JSON Schema of the element's configuration attributes.",
            "default": {"type": "object"},
        },
        "emits": {**TOPICS, "description": "Topic name -> JSON Schema of the payload the widget emits."},
        "accepts": {**TOPICS, "description": "Topic name -> JSON Schema of the payload the widget accepts."},
        "dataProducts": {
            "type": "array",
            "maxItems": 32,
            "items": {"type": "string", "pattern": SLUG},
            "default": [],
        },
        "ttl": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 15, "description": "Lease, seconds."},
    },
}
