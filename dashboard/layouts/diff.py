"""A structural diff of two layout documents: windows added, removed, moved and changed
(widget, pinned version, attributes, title), wiring and view state changed, and the
document's own fields — not a JSON text diff. Pure: stdlib only."""

from __future__ import annotations

from dashboard.layouts.document import windows

TEXT_FIELDS = ("title", "description", "owner")
MISSING = object()


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """``{"a": {"b": 1}, "c": [2]}`` → ``{"a.b": 1, "c[0]": 2}``; empty containers kept as leaves."""
    out: dict[str, object] = {}
    pending: list[tuple[str, object]] = [(prefix, value)]
    while pending:
        path, node = pending.pop()
        if isinstance(node, dict) and node:
            pending.extend((f"{path}.{k}" if path else str(k), v) for k, v in node.items())
        elif isinstance(node, list) and node:
            pending.extend((f"{path}[{i}]", v) for i, v in enumerate(node))
        elif path or not isinstance(node, (dict, list)):
            out[path] = node
    return out


def changes(before: object, after: object) -> list[dict]:
    """Leaf-level changes between two JSON values: ``{path, from?, to?}`` sorted by path."""
    old, new = flatten(before), flatten(after)
    out = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path, MISSING), new.get(path, MISSING)
        if a == b and type(a) is type(b):
            continue
        entry: dict = {"path": path}
        if a is not MISSING:
            entry["from"] = a
        if b is not MISSING:
            entry["to"] = b
        entry["change"] = "added" if a is MISSING else "removed" if b is MISSING else "changed"
        out.append(entry)
    return out


def _place(path: tuple, layout: dict) -> dict:
    """Where a window sits: the chain of container types and indices, and its tab index."""
    chain, node = [], layout.get("root")
    for step in path[1:]:
        if step == "content":
            continue
        chain.append(f"{node.get('type')}[{step}]")
        node = node["content"][step]
    return {"path": "/".join(chain) or "root", "container": "/".join(chain[:-1]), "size": node.get("size")}


def _windows(document: dict) -> dict[str, dict]:
    layout = document.get("layout") or {}
    found = {}
    for path, item in windows(layout):
        state = item.get("componentState") or {}
        found[state.get("windowId")] = {
            "windowId": state.get("windowId"),
            "widgetId": state.get("widgetId"),
            "version": state.get("version"),
            "attributes": state.get("attributes") or {},
            "title": item.get("title"),
            **_place(path, layout),
        }
    return found


def _rank(windows_: dict[str, dict], kept: list, window_id: str) -> int:
    """A window's place among the windows both versions keep in the same container: adding
    or removing a neighbour shifts indices but is not a move."""
    container = windows_[window_id]["container"]
    siblings = sorted((w for w in kept if windows_[w]["container"] == container),
                      key=lambda w: _order(windows_[w]["path"]))
    return siblings.index(window_id)


def _order(path: str) -> tuple:
    return tuple(int(part.rsplit("[", 1)[1].rstrip("]")) for part in path.split("/") if "[" in part)


def _summary(window: dict) -> dict:
    return {k: window[k] for k in ("windowId", "widgetId", "version", "title", "path")}


def diff(before: dict, after: dict) -> dict:
    """What changed from ``before`` to ``after`` (both documents at the current schema)."""
    old, new = _windows(before), _windows(after)
    added = [_summary(new[w]) for w in new if w not in old]
    removed = [_summary(old[w]) for w in old if w not in new]
    moved, changed = [], []
    kept = [w for w in new if w in old]
    for window_id in kept:
        a, b = old[window_id], new[window_id]
        if a["container"] != b["container"] or _rank(old, kept, window_id) != _rank(new, kept, window_id):
            moved.append({"windowId": window_id, "from": a["path"], "to": b["path"]})
        fields = [{"field": name, "from": a[name], "to": b[name]}
                  for name in ("widgetId", "version", "title") if a[name] != b[name]]
        attributes = changes(a["attributes"], b["attributes"])
        resized = a["size"] != b["size"]
        if fields or attributes or resized:
            changed.append({"windowId": window_id, "fields": fields, "attributes": attributes,
                            **({"size": {"from": a["size"], "to": b["size"]}} if resized else {})})
    wiring = changes(before.get("wiring") or {}, after.get("wiring") or {})
    view_state = changes(before.get("viewState") or {}, after.get("viewState") or {})
    layout_settings = changes(
        {k: v for k, v in (before.get("layout") or {}).items() if k != "root"},
        {k: v for k, v in (after.get("layout") or {}).items() if k != "root"},
    )
    fields = [{"field": name, "from": before.get(name), "to": after.get(name)}
              for name in TEXT_FIELDS if before.get(name) != after.get(name)]
    identical = not (added or removed or moved or changed or wiring or view_state or layout_settings or fields)
    return {
        "identical": identical,
        "fields": fields,
        "windows": {"added": added, "removed": removed, "moved": moved, "changed": changed},
        "wiring": {"changed": bool(wiring), "changes": wiring},
        "viewState": {"changed": bool(view_state), "changes": view_state},
        "layoutSettings": layout_settings,
    }
