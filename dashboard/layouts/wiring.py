"""The event bus's wiring as a layout document saves it, checked at the edge.

``{"defaultChannel": colour | null, "channels": {windowId: colour | null},
"wires": [{"id"?, "from": {"window", "topic"}, "to": {"window", "topic"}, "map"?: [{"from", "to"}]}]}``

Every part is optional (``{}`` puts every window on the default channel, blue). Windows
named by channels and wires must be windows of the layout; topics are topic names with an
optional major (``page.selected@1``); mapped fields are dotted paths.

Each wire must be able to carry something (the rule the shell's ``bus/topic.js``
``wireProblem`` applies when a wire is made): without a map, both ends name the same topic
(name and major; no ``@`` is major 1); a wire between different topics needs a map, and when
both topics are well-known (``dashboard/topics/``) every mapped field must exist on its
side, the types must overlap and the map must fill every required field of the receiver.
A refusal names the wire's ``to``. Pure: stdlib only (the topic files are read once).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from dashboard.layouts.problems import Problem, problem

CHANNELS = ("blue", "green", "yellow", "orange", "red", "purple")
MAX_WIRES = 200
MAX_MAPPINGS = 16
TOPIC = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*(@[1-9][0-9]{0,3})?")
PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*){0,7}")
FIELDS = ("defaultChannel", "channels", "wires")
TOPICS_DIR = Path(__file__).resolve().parent.parent / "topics"

CHANNEL_SCHEMA = {"enum": [*CHANNELS, None]}
END_SCHEMA = {"type": "object", "required": ["window", "topic"], "additionalProperties": False, "properties": {
    "window": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "a windowId of this layout"},
    "topic": {"type": "string", "maxLength": 128, "pattern": f"^{TOPIC.pattern}$"}}}
SCHEMA = {
    "type": "object", "additionalProperties": False,
    "description": "event-bus wiring: colour channels per window and explicit wires (every window "
                   "is on defaultChannel unless channels says otherwise; {} means all on blue)",
    "properties": {
        "defaultChannel": {**CHANNEL_SCHEMA, "default": "blue"},
        "channels": {"type": "object", "additionalProperties": CHANNEL_SCHEMA,
                     "description": "windowId → channel (null: no channel)"},
        "wires": {"type": "array", "maxItems": MAX_WIRES, "items": {
            "type": "object", "required": ["from", "to"], "additionalProperties": False, "properties": {
                "id": {"type": "string", "maxLength": 300},
                "from": END_SCHEMA, "to": END_SCHEMA,
                "map": {"type": "array", "maxItems": MAX_MAPPINGS, "items": {
                    "type": "object", "required": ["from", "to"], "additionalProperties": False,
                    "properties": {"from": {"type": "string", "pattern": f"^{PATH.pattern}$"},
                                   "to": {"type": "string", "pattern": f"^{PATH.pattern}$"}}}}}}},
    },
}


def check(wiring: object, windows: set[str], loc: tuple, problems: list[Problem]) -> None:
    """Add a problem naming the field for each thing wrong with ``wiring`` (``windows``: the layout's window ids)."""
    if not isinstance(wiring, dict):
        problems.append(problem(loc, "wiring must be a JSON object", "type_error.object"))
        return
    for name in sorted(set(wiring) - set(FIELDS)):
        problems.append(problem((*loc, name), "unknown field; wiring has defaultChannel, channels and wires",
                                "value_error.extra"))
    if "defaultChannel" in wiring:
        _channel(wiring["defaultChannel"], (*loc, "defaultChannel"), problems)
    channels = wiring.get("channels", {})
    if not isinstance(channels, dict):
        problems.append(problem((*loc, "channels"), "channels must be an object of windowId → channel",
                                "type_error.object"))
    else:
        for window, channel in channels.items():
            _window(window, (*loc, "channels", window), windows, problems)
            _channel(channel, (*loc, "channels", window), problems)
    wires = wiring.get("wires", [])
    if not isinstance(wires, list):
        problems.append(problem((*loc, "wires"), "wires must be a list", "type_error.list"))
        return
    if len(wires) > MAX_WIRES:
        problems.append(problem((*loc, "wires"), f"{len(wires)} wires; the limit is {MAX_WIRES}", "value_error.too_many"))
        return
    for index, wire in enumerate(wires):
        _wire(wire, (*loc, "wires", index), windows, problems)


def _channel(value: object, loc: tuple, problems: list[Problem]) -> None:
    if value is not None and value not in CHANNELS:
        problems.append(problem(loc, f"a channel is null or one of {', '.join(CHANNELS)}", "value_error.channel"))


def _window(value: object, loc: tuple, windows: set[str], problems: list[Problem]) -> None:
    if value not in windows:
        problems.append(problem(loc, f"{value!r} is not a window of this layout", "value_error.window_id"))


def _wire(wire: object, loc: tuple, windows: set[str], problems: list[Problem]) -> None:
    if not isinstance(wire, dict):
        problems.append(problem(loc, "a wire must be an object with from and to", "type_error.object"))
        return
    for name in sorted(set(wire) - {"id", "from", "to", "map"}):
        problems.append(problem((*loc, name), "unknown field", "value_error.extra"))
    if "id" in wire and (not isinstance(wire["id"], str) or len(wire["id"]) > 300):
        problems.append(problem((*loc, "id"), "id must be a string of at most 300 characters", "type_error.str"))
    for end in ("from", "to"):
        value = wire.get(end)
        if not isinstance(value, dict):
            problems.append(problem((*loc, end), f"{end} must be an object with window and topic", "type_error.object"))
            continue
        for name in sorted(set(value) - {"window", "topic"}):
            problems.append(problem((*loc, end, name), "unknown field", "value_error.extra"))
        _window(value.get("window"), (*loc, end, "window"), windows, problems)
        topic = value.get("topic")
        if not isinstance(topic, str) or len(topic) > 128 or not TOPIC.fullmatch(topic):
            problems.append(problem((*loc, end, "topic"), "a topic is a dotted lower-case name with an optional "
                                    "major (page.selected@1)", "value_error.topic"))
    ends = (wire.get("from"), wire.get("to"))
    if all(isinstance(e, dict) for e in ends) and ends[0].get("window") == ends[1].get("window"):
        problems.append(problem((*loc, "to", "window"), "a wire joins two different windows", "value_error.self_wire"))
    mapping = wire.get("map", [])
    if not isinstance(mapping, list) or len(mapping) > MAX_MAPPINGS:
        problems.append(problem((*loc, "map"), f"map must be a list of at most {MAX_MAPPINGS} field mappings",
                                "type_error.list"))
        return
    before = len(problems)
    for index, pair in enumerate(mapping):
        if not isinstance(pair, dict) or set(pair) != {"from", "to"} or not all(
                isinstance(pair[k], str) and PATH.fullmatch(pair[k]) for k in ("from", "to")):
            problems.append(problem((*loc, "map", index), "a field mapping is {from, to} with dotted field paths "
                                    "(e.g. referrer → filters.referrer)", "value_error.mapping"))
    if len(problems) == before and all(isinstance(e, dict) and isinstance(e.get("topic"), str)
                                       and TOPIC.fullmatch(e["topic"]) for e in ends):
        reason = wire_problem(ends[0]["topic"], ends[1]["topic"], mapping)
        if reason:
            problems.append(problem((*loc, "to"), reason, "value_error.incompatible_wire"))


def parse_topic(topic: str) -> tuple[str, int]:
    """(name, major) of a topic name; no ``@`` is major 1."""
    name, _, major = topic.partition("@")
    return name, int(major) if major else 1


@functools.cache
def known_topics() -> dict[tuple[str, int], dict]:
    """The well-known topics' schemas by (name, major), from ``dashboard/topics/*.json``."""
    found = {}
    for path in sorted(TOPICS_DIR.glob("*.json")) if TOPICS_DIR.is_dir() else ():
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(schema, dict) and isinstance(schema.get("x-topic"), str):
            found[(schema["x-topic"], int(schema.get("x-version", 1)))] = schema
    return found


def schema_at(schema: object, path: str) -> object:
    """The sub-schema a dotted path names in an object schema, or None (as ``topic.js`` schemaAt)."""
    here = schema
    for part in path.split("."):
        if not isinstance(here, dict):
            return None
        props = here.get("properties")
        if isinstance(props, dict) and part in props:
            here = props[part]
        elif isinstance(here.get("additionalProperties"), dict):
            here = here["additionalProperties"]
        elif "additionalProperties" not in here and not props:
            here = True
        else:
            return None
    return here


def _types(schema: object) -> set[str] | None:
    if not isinstance(schema, dict) or "type" not in schema:
        return None  # anything
    kinds = set(schema["type"] if isinstance(schema["type"], list) else [schema["type"]])
    return kinds | {"integer"} if "number" in kinds else kinds


def wire_problem(source: str, target: str, mapping: list) -> str | None:
    """Why a wire from topic ``source`` to ``target`` with field ``mapping`` cannot work, or None."""
    (a_name, a_major), (b_name, b_major) = parse_topic(source), parse_topic(target)
    if not mapping:
        if (a_name, a_major) == (b_name, b_major):
            return None
        if a_name == b_name:
            return f"{source} and {target} are different major versions; a wire joins the same topic"
        return f"{source} and {target} are different topics; a wire between them needs a field map"
    known = known_topics()
    a_schema, b_schema = known.get((a_name, a_major)), known.get((b_name, b_major))
    if a_schema is None or b_schema is None:
        return None  # a topic only its widgets define: the shell checks it against their manifests
    filled = set()
    for pair in mapping:
        a, b = schema_at(a_schema, pair["from"]), schema_at(b_schema, pair["to"])
        if a is None:
            return f"{source} has no field {pair['from']!r}"
        if b is None:
            return f"{target} has no field {pair['to']!r}"
        ta, tb = _types(a), _types(b)
        if ta and tb and not ta & tb:
            return f"{pair['from']!r} ({'/'.join(sorted(ta))}) cannot fill {pair['to']!r} ({'/'.join(sorted(tb))})"
        filled.add(pair["to"].split(".")[0])
    missing = [name for name in b_schema.get("required", []) if name not in filled]
    if missing:
        return f"{target} requires {', '.join(missing)}, which the map does not fill"
    return None
