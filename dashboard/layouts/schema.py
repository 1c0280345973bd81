"""The layout document's JSON Schema (published at ``GET /api/v1/schema/layout``).

The schema says the shape; ``document.parse`` enforces it and the rules a schema cannot
(sizes in bytes, depth, duplicate window ids, control characters).
"""

from __future__ import annotations

from dashboard.layouts import document as d

ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f]*$"


def layout_schema() -> dict:
    window_state = {
        "type": "object",
        "required": ["widgetId"],
        "properties": {
            "widgetId": {"type": "string", "pattern": "^" + d.WIDGET_ID.pattern + "$"},
            "version": {"type": ["string", "null"], "maxLength": 128},
            "attributes": {"type": ["object", "null"]},
            "windowId": {"type": "string", "pattern": "^" + d.WINDOW_ID.pattern + "$",
                         "description": "saved with the window so that wiring can name it; assigned if absent"},
        },
    }
    item = {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"enum": list(d.ITEM_TYPES)},
            "content": {"type": "array", "items": {"$ref": "#/$defs/item"}},
            "componentType": {"const": d.COMPONENT_TYPE},
            "componentState": {"$ref": "#/$defs/windowState"},
            "title": {"type": "string"},
        },
        "if": {"properties": {"type": {"const": "component"}}},
        "then": {"required": ["componentType", "componentState"]},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/api/v1/schema/layout",
        "title": "Tessera layout document",
        "description": f"golden-layout's LayoutConfig plus title, owner, wiring and view state. Documents are "
                       f"at most {d.MAX_BYTES} bytes and {d.MAX_DEPTH} levels deep; openPopouts is dropped; "
                       f"schemaVersion 1 documents are migrated to {d.SCHEMA_VERSION}.",
        "type": "object",
        "required": ["title", "layout"],
        "properties": {
            "schemaVersion": {"type": "integer", "minimum": 1, "maximum": d.SCHEMA_VERSION},
            "title": {"type": "string", "minLength": 1, "maxLength": d.TITLE_MAX, "pattern": ONE_LINE},
            "description": {"type": "string", "maxLength": d.DESCRIPTION_MAX},
            "owner": {"type": "string", "maxLength": d.OWNER_MAX, "pattern": ONE_LINE},
            "layout": {
                "type": "object",
                "description": "golden-layout LayoutConfig (saveLayout → LayoutConfig.fromResolved)",
                "properties": {
                    "root": {"oneOf": [{"$ref": "#/$defs/item"}, {"type": "null"}]},
                    "settings": {"type": "object"},
                    "dimensions": {"type": "object"},
                    "header": {"type": ["object", "boolean"]},
                },
            },
            "wiring": {"type": "object", "description": f"event-bus wiring (opaque for now; at most "
                                                       f"{d.WIRING_MAX_BYTES} bytes)"},
            "viewState": {"type": "object", "description": f"time range, selections (at most "
                                                          f"{d.VIEW_STATE_MAX_BYTES} bytes)"},
            "author": {"type": "string", "maxLength": 200, "description": "who saves (kept on the version)"},
            "message": {"type": "string", "maxLength": 2000, "description": "why (kept on the version)"},
        },
        "$defs": {"item": item, "windowState": window_state},
    }
