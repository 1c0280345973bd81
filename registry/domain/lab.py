"""The lab's registry documents, translated to and from Tessera manifests.

The lab's sidecars POST ``{"webComponent": {"jsUrl", "cssUrl", "componentId"}, "label",
"tags"}`` where ``componentId`` is the element's markup
(``<kind-test-widget param_one="some param"></kind-test-widget>``) and ``tags`` a string
map (``{"props": "param_one"}``, ``{"env": "prod"}``). Here:

- the markup's tag is the manifest's ``element``; its attributes become the
  ``attributes`` schema, each a string property whose default is the value given;
- the ``props`` tag names further configurable attributes (comma-separated);
- every tag ``k: v`` is kept as the catalogue tag ``"k:v"`` (``"k"`` when v is empty),
  which is how it is read back.

Problems name the lab's own fields (``body.webComponent.componentId``, ``body.tags.env``).
"""

from __future__ import annotations

import json
from typing import Any

from .attribute_name import attribute_name_problem
from .markup import Component, MarkupError, parse_component, render
from .problems import ManifestInvalid, Problem

DEFAULT_TEAM = "lab"
PROPS_TAG = "props"
# where a manifest field came from in the lab's document, for error locations
LOCATIONS = {
    "module": ("webComponent", "jsUrl"),
    "stylesheet": ("webComponent", "cssUrl"),
    "element": ("webComponent", "componentId"),
    "attributes": ("webComponent", "componentId"),
}


def manifest_from_lab(widget_id: str, raw: object, team: str | None) -> object:
    """A Tessera manifest document for the lab's ``raw``; shape errors are left for the
    manifest rules (which name the field), markup and tag errors raise here."""
    if not isinstance(raw, dict):
        return raw
    component = raw.get("webComponent")
    component = component if isinstance(component, dict) else {}
    problems: list[Problem] = []
    element: object = component.get("componentId")
    attributes: dict[str, Any] = {}
    if isinstance(element, str):
        try:
            parsed = parse_component(element)
        except MarkupError as exc:
            problems.append(Problem(("body", "webComponent", "componentId"), str(exc), "value_error.markup"))
        else:
            element = parsed.tag
            attributes = {name: {"type": "string", "default": value} for name, value in parsed.attributes}
    tags, tag_problems = _tags(raw.get("tags", []), attributes)
    problems.extend(tag_problems)
    if problems:
        raise ManifestInvalid(*problems)
    manifest = {
        "id": widget_id,
        "version": raw.get("version", "0.0.0"),
        "team": raw.get("team", team or DEFAULT_TEAM),
        "label": raw.get("label"),
        "element": element,
        "module": component.get("jsUrl"),
        "stylesheet": component.get("cssUrl") or None,
        "tags": tags,
        "attributes": {"type": "object", "properties": attributes},
    }
    for optional in ("description", "ttl"):
        if optional in raw:
            manifest[optional] = raw[optional]
    return {k: v for k, v in manifest.items() if v is not None or k == "stylesheet"}


def _tags(raw: object, attributes: dict[str, Any]) -> tuple[object, list[Problem]]:
    """Catalogue tags from the lab's string map (a list passes through unchanged)."""
    if not isinstance(raw, dict):
        return raw, []
    tags, problems = [], []
    for key, value in raw.items():
        loc = ("body", "tags", key)
        if not isinstance(value, str):
            problems.append(Problem(loc, "tag values must be strings", "type_error.str"))
            continue
        tags.append(f"{key}:{value}" if value else key)
        if key == PROPS_TAG:
            for name in filter(None, (part.strip() for part in value.split(","))):
                if (why := attribute_name_problem(name)) is not None:
                    problems.append(Problem(loc, f"{name!r}: {why}", "value_error.attribute_name"))
                else:
                    attributes.setdefault(name, {"type": "string"})
    return tags, problems


def relocate(problem: Problem) -> Problem:
    """A manifest problem's location, in the lab document's terms."""
    if len(problem.loc) >= 2 and problem.loc[0] == "body" and problem.loc[1] in LOCATIONS:
        rest = problem.loc[2:] if problem.loc[1] != "attributes" else ()
        return Problem(("body", *LOCATIONS[problem.loc[1]], *rest), problem.msg, problem.type)
    return problem


def lab_service(document: dict) -> dict:
    """The lab's ``Register`` shape of a manifest document: webComponent, label, tags."""
    return {
        "webComponent": {
            "jsUrl": document["module"],
            "cssUrl": document.get("stylesheet"),
            "componentId": render(Component(document["element"], _defaults(document.get("attributes")))),
        },
        "label": document["label"],
        "tags": lab_tags(document.get("tags", ())),
    }


def lab_tags(tags: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in tags:
        key, _, value = tag.partition(":")
        found.setdefault(key, value)
    return found


def _defaults(schema: Any) -> tuple[tuple[str, str], ...]:
    """Attribute values as the shell would set them: each property's default, as text."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return ()
    values = []
    for name, spec in properties.items():
        if not isinstance(spec, dict) or spec.get("default") is None or attribute_name_problem(name) is not None:
            continue
        default = spec["default"]
        values.append((name, default if isinstance(default, str) else json.dumps(default, separators=(",", ":"))))
    return tuple(values)
