"""The layout document: golden-layout's ``LayoutConfig`` plus title, owner, windows'
widgets, wiring and view state, validated at the edge and migrated to the current
``schemaVersion`` so that every stored version still renders.

Pure: stdlib only. ``parse(body)`` answers the normalised document or raises ``Invalid``
naming each field (``loc`` like ``("body", "layout", "root", "content", 0, …)``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator

from dashboard.layouts.problems import Invalid, Problem, TooLarge, problem

SCHEMA_VERSION = 2
COMPONENT_TYPE = "tessera-widget"
MAX_BYTES = 256 * 1024
MAX_DEPTH = 40
WIRING_MAX_BYTES = 64 * 1024
VIEW_STATE_MAX_BYTES = 16 * 1024
MAX_WINDOWS = 500
TITLE_MAX = 200
OWNER_MAX = 200
DESCRIPTION_MAX = 4000
ITEM_TYPES = ("row", "column", "stack", "component")
FIELDS = ("schemaVersion", "title", "description", "owner", "layout", "wiring", "viewState")
# Fields of a layout *answer* that a client may send back unchanged; they are ignored.
ANSWER_FIELDS = frozenset({
    "id", "version", "number", "latestVersion", "parent", "parentVersion", "createdAt", "updatedAt",
    "contentHash", "restoredFrom", "role", "link", "deletedAt", "unchanged", "savedAt",
})
# Fields that describe the save, not the document (kept on the version, not hashed).
SAVE_FIELDS = frozenset({"author", "message"})

WIDGET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}")
WINDOW_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# C0 controls but tab/newline/return, DEL, C1 controls, and lone surrogates (which no
# database can store); one-line texts (title, owner, ids) refuse tab/newline/return too.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
ONE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

BODY: tuple[str, ...] = ("body",)


def canonical(value: object) -> str:
    """The one JSON text of ``value`` (sorted keys, no spaces): what is hashed and sized."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(document: dict) -> str:
    return "sha256:" + hashlib.sha256(canonical(document).encode("utf-8", "surrogatepass")).hexdigest()


def parse(body: object, *, max_bytes: int = MAX_BYTES) -> dict:
    """Validate a create/save body and answer the document at the current schema version."""
    if not isinstance(body, dict):
        raise Invalid(problem(BODY, "the layout document must be a JSON object", "type_error.object"))
    problems: list[Problem] = []
    _check_depth(body, BODY, 0, problems)
    if problems:
        raise Invalid(*problems)
    _check_strings(body, BODY, problems)
    if problems:
        raise Invalid(*problems[:20])
    # the body was just decoded and belongs to this call: migrate it in place
    document = migrate({k: v for k, v in body.items() if k not in ANSWER_FIELDS | SAVE_FIELDS}, problems,
                       in_place=True)
    for name in sorted(set(document) - set(FIELDS)):
        problems.append(problem((*BODY, name), "unknown field", "value_error.extra"))
    if not problems:
        _check_document(document, problems)
    if problems:
        raise Invalid(*problems[:20])
    size = len(canonical(document).encode("utf-8"))
    if size > max_bytes:
        raise TooLarge(problem(BODY, f"the layout document is {size} bytes; the limit is {max_bytes}",
                               "value_error.too_large"))
    return document


def migrate(document: dict, problems: list[Problem] | None = None, *, in_place: bool = False) -> dict:
    """Bring a stored or submitted document to ``SCHEMA_VERSION`` (in place only if asked).

    Version 1 is what the shell kept in the browser before layouts were stored: possibly
    a bare ``LayoutConfig``, windows without a saved ``windowId``, no wiring or view state.
    """
    problems = [] if problems is None else problems
    doc = document if in_place else copy.deepcopy(document)
    version = doc.get("schemaVersion", SCHEMA_VERSION if "layout" in doc or "root" not in doc else 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        problems.append(problem((*BODY, "schemaVersion"), f"schemaVersion must be an integer from 1 to "
                                f"{SCHEMA_VERSION}", "value_error.schema_version"))
        return doc
    if version == 1:
        if "layout" not in doc and "root" in doc:
            doc = {"title": "Untitled layout", "layout": doc}
        doc.setdefault("wiring", {})
        doc.setdefault("viewState", {})
    doc["schemaVersion"] = SCHEMA_VERSION
    doc.setdefault("description", "")
    doc.setdefault("owner", "")
    doc.setdefault("wiring", {})
    doc.setdefault("viewState", {})
    if isinstance(doc.get("layout"), dict):
        doc["layout"].pop("openPopouts", None)
        _assign_window_ids(doc["layout"])
    return {**{name: doc[name] for name in FIELDS if name in doc}, **{k: v for k, v in doc.items() if k not in FIELDS}}


def current(document: dict) -> dict:
    """A stored document at the current schema: itself when already current, else migrated."""
    if document.get("schemaVersion") == SCHEMA_VERSION:
        return document
    return migrate(document)


def windows(layout: dict) -> Iterator[tuple[tuple, dict]]:
    """Each component item with its path from the root (``("root", "content", 0, …)``)."""
    root = layout.get("root") if isinstance(layout, dict) else None
    if not isinstance(root, dict):
        return
    stack: list[tuple[tuple, dict]] = [(("root",), root)]
    while stack:
        path, item = stack.pop()
        if item.get("type") == "component":
            yield path, item
        content = item.get("content")
        if isinstance(content, list):
            for index in range(len(content) - 1, -1, -1):
                if isinstance(content[index], dict):
                    stack.append(((*path, "content", index), content[index]))


def _assign_window_ids(layout: dict) -> None:
    """Give each window without one a ``windowId`` (deterministic: ``w1``, ``w2`` … unused)."""
    items = [item for _, item in windows(layout)]
    taken = {state["windowId"] for item in items
             if isinstance(state := item.get("componentState"), dict) and isinstance(state.get("windowId"), str)}
    counter = 0
    for item in items:
        state = item.get("componentState")
        if isinstance(state, dict) and state.get("windowId") is None:
            counter += 1
            while f"w{counter}" in taken:
                counter += 1
            state["windowId"] = f"w{counter}"
            taken.add(state["windowId"])


def _check_depth(value: object, loc: tuple, depth: int, problems: list[Problem]) -> None:
    if depth > MAX_DEPTH:
        problems.append(problem(loc, f"nested deeper than {MAX_DEPTH} levels", "value_error.too_deep"))
        return
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        if isinstance(child, (dict, list)):
            _check_depth(child, (*loc, key), depth + 1, problems)
            if problems:
                return


def _check_strings(value: object, loc: tuple, problems: list[Problem]) -> None:
    """No control characters or lone surrogates in any key or text of the document."""
    if isinstance(value, str):
        if CONTROL.search(value):
            problems.append(problem(loc, "control characters are not allowed in text", "value_error.control"))
    elif isinstance(value, dict):
        for key, child in value.items():
            if CONTROL.search(key):
                problems.append(problem((*loc, key), "control characters are not allowed in names",
                                        "value_error.control"))
            _check_strings(child, (*loc, key), problems)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _check_strings(child, (*loc, index), problems)


def _text(doc: dict, name: str, limit: int, problems: list[Problem], *, required: bool = False,
          one_line: bool = True) -> None:
    value = doc.get(name)
    loc = (*BODY, name)
    if value is None and not required:
        doc[name] = ""
        return
    if not isinstance(value, str):
        problems.append(problem(loc, f"{name} must be a string", "type_error.str"))
    elif required and not value.strip():
        problems.append(problem(loc, f"{name} must not be empty", "value_error.missing"))
    elif len(value) > limit:
        problems.append(problem(loc, f"{name} is longer than {limit} characters", "value_error.too_long"))
    elif one_line and ONE_LINE_CONTROL.search(value):
        problems.append(problem(loc, f"{name} must be one line without control characters", "value_error.control"))


def _object(doc: dict, name: str, limit: int, problems: list[Problem]) -> None:
    value = doc.get(name)
    loc = (*BODY, name)
    if not isinstance(value, dict):
        problems.append(problem(loc, f"{name} must be a JSON object", "type_error.object"))
    elif (size := len(canonical(value).encode("utf-8"))) > limit:
        problems.append(problem(loc, f"{name} is {size} bytes; the limit is {limit}", "value_error.too_large"))


def _check_document(doc: dict, problems: list[Problem]) -> None:
    if "title" not in doc:
        problems.append(problem((*BODY, "title"), "field required", "value_error.missing"))
    else:
        _text(doc, "title", TITLE_MAX, problems, required=True)
    _text(doc, "owner", OWNER_MAX, problems)
    _text(doc, "description", DESCRIPTION_MAX, problems, one_line=False)
    _object(doc, "wiring", WIRING_MAX_BYTES, problems)
    _object(doc, "viewState", VIEW_STATE_MAX_BYTES, problems)
    layout = doc.get("layout")
    if "layout" not in doc:
        problems.append(problem((*BODY, "layout"), "field required", "value_error.missing"))
    elif not isinstance(layout, dict):
        problems.append(problem((*BODY, "layout"), "layout must be a golden-layout LayoutConfig object",
                                "type_error.object"))
    else:
        _check_layout(layout, problems)


def _check_layout(layout: dict, problems: list[Problem]) -> None:
    loc = (*BODY, "layout")
    for name in ("settings", "dimensions", "header"):
        if name in layout and not isinstance(layout[name], (dict, bool)) and layout[name] is not None:
            problems.append(problem((*loc, name), f"{name} must be an object", "type_error.object"))
    root = layout.get("root")
    if root is None:
        return
    if not isinstance(root, dict):
        problems.append(problem((*loc, "root"), "root must be a layout item object", "type_error.object"))
        return
    seen: dict[str, tuple] = {}
    count = 0
    pending: list[tuple[tuple, dict]] = [((*loc, "root"), root)]
    while pending:
        item_loc, item = pending.pop()
        kind = item.get("type")
        if kind not in ITEM_TYPES:
            problems.append(problem((*item_loc, "type"), f"unknown item type {kind!r}; expected one of "
                                    f"{', '.join(ITEM_TYPES)}", "value_error.item_type"))
            continue
        if kind == "component":
            count += 1
            _check_window(item, item_loc, seen, problems)
            continue
        content = item.get("content", [])
        if not isinstance(content, list):
            problems.append(problem((*item_loc, "content"), "content must be a list", "type_error.list"))
            continue
        for index, child in enumerate(content):
            if not isinstance(child, dict):
                problems.append(problem((*item_loc, "content", index), "a layout item must be an object",
                                        "type_error.object"))
            else:
                pending.append(((*item_loc, "content", index), child))
    if count > MAX_WINDOWS:
        problems.append(problem((*loc, "root"), f"{count} windows; the limit is {MAX_WINDOWS}",
                                "value_error.too_many"))


def _check_window(item: dict, loc: tuple, seen: dict[str, tuple], problems: list[Problem]) -> None:
    if item.get("componentType") != COMPONENT_TYPE:
        problems.append(problem((*loc, "componentType"), f"unknown component type {item.get('componentType')!r}; "
                                f"windows hold {COMPONENT_TYPE!r}", "value_error.component_type"))
        return
    state = item.get("componentState")
    state_loc = (*loc, "componentState")
    if not isinstance(state, dict):
        problems.append(problem(state_loc, "componentState must be an object with a widgetId", "type_error.object"))
        return
    widget = state.get("widgetId")
    if not isinstance(widget, str) or not WIDGET_ID.fullmatch(widget):
        problems.append(problem((*state_loc, "widgetId"), "each window must name its widget: widgetId is a "
                                "widget id (letters, digits, . _ : @ / + -; up to 128)", "value_error.widget_id"))
    version = state.get("version")
    if version is not None and (not isinstance(version, str) or len(version) > 128 or ONE_LINE_CONTROL.search(version)):
        problems.append(problem((*state_loc, "version"), "version must be a version string or null",
                                "type_error.str"))
    if "attributes" in state and state["attributes"] is not None and not isinstance(state["attributes"], dict):
        problems.append(problem((*state_loc, "attributes"), "attributes must be an object", "type_error.object"))
    window = state.get("windowId")
    if not isinstance(window, str) or not WINDOW_ID.fullmatch(window):
        problems.append(problem((*state_loc, "windowId"), "windowId must be 1-64 letters, digits, _ or -",
                                "value_error.window_id"))
    elif window in seen:
        problems.append(problem((*state_loc, "windowId"), f"windowId {window!r} is used by another window",
                                "value_error.duplicate"))
    else:
        seen[window] = loc
