"""Which attribute names a manifest may configure on its widget's element.

The shell sets a widget's configuration as attributes on the element it creates, on the
dashboard's own origin. Names that change how the page around the widget looks or
behaves are refused: inline styles and event handlers, slotting and customized
built-ins, focus, popovers and the attributes the shell itself sets. The shell applies
the same rule (``dashboard/web/src/tessera-widget-frame.js``).
"""

from __future__ import annotations

import re

PATTERN = r"^[a-z][a-z0-9_.-]{0,63}$"
_NAME = re.compile(PATTERN)

RESERVED = frozenset(
    {
        "style", "class", "id", "slot", "is", "part", "exportparts", "nonce",
        "popover", "popovertarget", "popovertargetaction", "contenteditable", "autofocus",
        "tabindex", "accesskey", "inert", "hidden", "draggable", "xmlns",
        "theme", "data-api",  # the shell sets these itself
    }
)


def attribute_name_problem(name: str) -> str | None:
    """Why ``name`` may not be a widget attribute, or None when it may."""
    if not _NAME.fullmatch(name):
        return "attribute names are 1-64 of a-z, 0-9, '_', '.' or '-', starting with a letter"
    if name.startswith("on"):
        return "event-handler attributes (on…) are not allowed"
    if name in RESERVED or name.startswith(("xmlns", "xlink")):
        return f"{name!r} is reserved: it would change the page around the widget"
    return None
