"""The event bus's wiring as a layout document saves it, checked at the edge.

``{"defaultChannel": colour | null, "channels": {windowId: colour | null},
"wires": [{"id"?, "from": {"window", "topic"}, "to": {"window", "topic"}, "map"?: [{"from", "to"}]}]}``

Every part is optional (``{}`` puts every window on the default channel, blue). Windows
named by channels and wires must be windows of the layout; topics are topic names with an
optional major (``page.selected@1``); mapped fields are dotted paths. Pure: stdlib only.
"""

from __future__ import annotations

import re

from dashboard.layouts.problems import Problem, problem

CHANNELS = ("blue", "green", "yellow", "orange", "red", "purple")
MAX_WIRES = 200
MAX_MAPPINGS = 16
TOPIC = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*(@[1-9][0-9]{0,3})?")
PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*){0,7}")
FIELDS = ("defaultChannel", "channels", "wires")

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
    for index, pair in enumerate(mapping):
        if not isinstance(pair, dict) or set(pair) != {"from", "to"} or not all(
                isinstance(pair[k], str) and PATH.fullmatch(pair[k]) for k in ("from", "to")):
            problems.append(problem((*loc, "map", index), "a field mapping is {from, to} with dotted field paths "
                                    "(e.g. referrer → filters.referrer)", "value_error.mapping"))
