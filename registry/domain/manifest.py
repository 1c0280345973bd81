"""The widget manifest: parse an announced document into a safe, normalised Manifest.

Pure: stdlib, jsonschema and semver only. Every problem names its field
(``loc = ("body", <field>, …)``) and all problems are reported at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import semver
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from .attribute_name import attribute_name_problem
from .element_name import element_name_problem
from .manifest_schema import MANIFEST_SCHEMA, SLUG
from .origin import Announcer, BadURL, origin_of
from .problems import ManifestInvalid, Problem

_VALIDATOR = Draft202012Validator(MANIFEST_SCHEMA)
_SLUG = re.compile(SLUG)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FIELDS = tuple(MANIFEST_SCHEMA["properties"])
MAX_DEPTH = 32  # JSON Schemas nested deeper than this are refused (and never recursed into)


@dataclass(frozen=True, slots=True)
class Manifest:
    id: str
    version: str
    team: str
    label: str
    element: str
    module: str
    origin: str
    description: str = ""
    tags: tuple[str, ...] = ()
    icon: str | None = None
    stylesheet: str | None = None
    integrity: str | None = None
    attributes: Any = field(default_factory=lambda: {"type": "object"})
    emits: dict = field(default_factory=dict)
    accepts: dict = field(default_factory=dict)
    data_products: tuple[str, ...] = ()
    ttl: int = 15

    def document(self) -> dict:
        """The manifest in its contract shape (camelCase ``dataProducts``, absolute URLs)."""
        return {
            "id": self.id,
            "version": self.version,
            "team": self.team,
            "label": self.label,
            "description": self.description,
            "tags": list(self.tags),
            "icon": self.icon,
            "element": self.element,
            "module": self.module,
            "stylesheet": self.stylesheet,
            "integrity": self.integrity,
            "attributes": self.attributes,
            "emits": self.emits,
            "accepts": self.accepts,
            "dataProducts": list(self.data_products),
            "ttl": self.ttl,
        }


def id_problem(widget_id: str) -> Problem | None:
    if _SLUG.fullmatch(widget_id):
        return None
    return Problem(("path", "id"), "widget id must match " + SLUG, "value_error.id")


def parse_manifest(raw: object, *, widget_id: str, announcer: Announcer) -> Manifest:
    """Validate ``raw`` (decoded JSON) announced for ``widget_id``; raise ManifestInvalid."""
    problems: list[Problem] = []
    if (p := id_problem(widget_id)) is not None:
        raise ManifestInvalid(p)
    if not isinstance(raw, dict):
        raise ManifestInvalid(Problem(("body",), "manifest must be a JSON object", "type_error.dict"))
    doc = {k: v for k, v in raw.items() if k in FIELDS}  # unknown fields are dropped, never stored
    problems.extend(_schema_problems(doc))
    if isinstance(doc.get("id"), str) and doc["id"] != widget_id:
        problems.append(Problem(("body", "id"), f"id {doc.get('id')!r} does not match the URL's {widget_id!r}", "value_error.id_mismatch"))
    for name, value in doc.items():
        if _depth(value) > MAX_DEPTH:
            problems.append(Problem(("body", name), f"nested deeper than {MAX_DEPTH} levels", "value_error.depth"))
    failed = {p.loc[1] for p in problems if len(p.loc) > 1}
    problems.extend(_rule_problems(doc, failed))
    origin: str | None = None
    urls: dict[str, str | None] = {}
    if not failed & {"module", "stylesheet", "icon"}:
        origin, urls, url_problems = _resolve_urls(doc, announcer)
        problems.extend(url_problems)
    if problems:
        raise ManifestInvalid(*problems)
    defaults = {k: v.get("default") for k, v in MANIFEST_SCHEMA["properties"].items() if "default" in v}
    merged = {**defaults, **doc, **urls}
    return Manifest(
        id=widget_id,
        version=merged["version"],
        team=merged["team"],
        label=merged["label"],
        element=merged["element"],
        module=merged["module"],
        origin=origin or "",
        description=merged["description"],
        tags=tuple(dict.fromkeys(merged["tags"])),
        icon=merged["icon"],
        stylesheet=merged["stylesheet"],
        integrity=merged["integrity"],
        attributes=merged["attributes"],
        emits=merged["emits"],
        accepts=merged["accepts"],
        data_products=tuple(dict.fromkeys(merged["dataProducts"])),
        ttl=merged["ttl"],
    )


def _schema_problems(doc: dict) -> list[Problem]:
    problems = []
    for error in sorted(_VALIDATOR.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        loc: tuple = ("body", *error.absolute_path)
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in error.instance]
            for name in missing:
                problems.append(Problem((*loc, name), "field required", "value_error.missing"))
            continue
        msg = _friendly(loc, error)
        problems.append(Problem(loc, msg, f"value_error.{error.validator}"))
    return problems


_PATTERN_MESSAGES = {
    "id": "must be 1-64 of lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
    "team": "must be 1-64 of lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
    "dataProducts": "must be 1-64 of lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
    "version": "version is not a semantic version (x.y.z)",
    "integrity": "must be a subresource-integrity value like sha384-<base64>",
    "emits": "topic names must start with a lowercase letter and use a-z, 0-9, '.', '_', ':' or '-'",
    "accepts": "topic names must start with a lowercase letter and use a-z, 0-9, '.', '_', ':' or '-'",
}


def _friendly(loc: tuple, error) -> str:
    field = loc[1] if len(loc) > 1 else None
    if error.validator == "pattern" or (error.validator == "anyOf" and field in ("icon", "stylesheet", "integrity")):
        if field == "element" and isinstance(error.instance, str):
            return element_name_problem(error.instance) or "not a valid custom element name"
        if field in _PATTERN_MESSAGES:
            return _PATTERN_MESSAGES[field]
        if isinstance(error.instance, str):
            return "control characters are not allowed"
    return error.message if len(error.message) <= 300 else error.message[:300] + "…"


def _rule_problems(doc: dict, failed: set) -> list[Problem]:
    problems = []
    if "version" in doc and "version" not in failed and not semver.Version.is_valid(doc["version"]):
        problems.append(Problem(("body", "version"), "version is not a semantic version (x.y.z)", "value_error.semver"))
    if "element" in doc and "element" not in failed and (why := element_name_problem(doc["element"])) is not None:
        problems.append(Problem(("body", "element"), why, "value_error.element"))
    if "attributes" in doc and "attributes" not in failed:
        schema_problems = _json_schema_problems(("body", "attributes"), doc["attributes"])
        problems.extend(schema_problems or _attribute_name_problems(doc["attributes"]))
    for name in ("emits", "accepts"):
        if name in failed:
            continue
        for topic, schema in (doc.get(name) or {}).items():
            problems.extend(_json_schema_problems(("body", name, topic), schema))
    return problems


def _json_schema_problems(loc: tuple, schema: Any) -> list[Problem]:
    control = _first_control_character(schema)
    if control is not None:
        return [Problem((*loc, *control), "control characters are not allowed", "value_error.control_character")]
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        where = tuple(exc.absolute_path)
        return [Problem((*loc, *where), f"not a valid JSON Schema: {exc.message[:300]}", "value_error.json_schema")]
    return []


def _attribute_name_problems(schema: Any) -> list[Problem]:
    """Each configurable attribute (a property of the schema) must be a safe name."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    return [
        Problem(("body", "attributes", "properties", name), why, "value_error.attribute_name")
        for name in properties
        if (why := attribute_name_problem(name)) is not None
    ]


def manifest_digest(manifest: Manifest) -> str:
    """A short digest of exactly what was announced (document and origin): the ETag a
    heartbeat must match."""
    canonical = json.dumps([manifest.document(), manifest.origin], sort_keys=True, separators=(",", ":")).encode()
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


def _depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value, computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _first_control_character(value: Any, path: tuple = ()) -> tuple | None:
    """Path to the first string (key or value) with a control character, or None."""
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _CONTROL.search(key):
                return (*path, key)
            if (found := _first_control_character(item, (*path, key))) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _first_control_character(item, (*path, index))) is not None:
                return found
    return None


def _resolve_urls(doc: dict, announcer: Announcer) -> tuple[str | None, dict, list[Problem]]:
    problems: list[Problem] = []
    try:
        origin = announcer.origin
    except BadURL as exc:
        return None, {}, [Problem(("header", "x-tessera-origin"), str(exc), "value_error.origin")]
    if origin and announcer.allowed and origin not in announcer.allowed:
        msg = f"origin {origin} is not in the registry's allow-list"
        return None, {}, [Problem(("header", "x-tessera-origin"), msg, "value_error.origin")]
    fallback = None
    if origin is None and not announcer.allowed:
        try:  # no declared origin and no allow-list: the module's own origin is the widget's
            fallback = origin_of(doc["module"])
        except BadURL as exc:
            return None, {}, [Problem(("body", "module"), str(exc), "value_error.url")]
    urls: dict[str, str | None] = {}
    for name in ("module", "stylesheet", "icon"):
        reference = doc.get(name)
        if reference is None:
            continue
        try:
            urls[name] = announcer.resolve(reference, fallback)
        except BadURL as exc:
            problems.append(Problem(("body", name), str(exc), "value_error.url"))
    if origin is None and not problems:
        origin = fallback or origin_of(urls["module"])
    return origin, urls, problems


def manifest_from_document(doc: dict, origin: str) -> Manifest:
    """Rebuild a Manifest stored earlier by ``Manifest.document()`` (already validated)."""
    return Manifest(
        id=doc["id"],
        version=doc["version"],
        team=doc["team"],
        label=doc["label"],
        element=doc["element"],
        module=doc["module"],
        origin=origin,
        description=doc.get("description", ""),
        tags=tuple(doc.get("tags", ())),
        icon=doc.get("icon"),
        stylesheet=doc.get("stylesheet"),
        integrity=doc.get("integrity"),
        attributes=doc.get("attributes", {"type": "object"}),
        emits=doc.get("emits", {}),
        accepts=doc.get("accepts", {}),
        data_products=tuple(doc.get("dataProducts", ())),
        ttl=doc.get("ttl", 15),
    )
