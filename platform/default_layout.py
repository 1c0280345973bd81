"""First run: the default **Web analytics** layout (owner "Tessera"), created through the
dashboard's layouts API once — only when ``var/default-layout.json`` names no layout the
dashboard still has and the gallery holds no "Web analytics" layout by Tessera. Its id and
edit key stay in ``var/default-layout.json``; the shell opens it at ``/`` for a browser that has
opened no layout yet (``GET /api/v1/layouts?owner=Tessera``).

    python platform/default_layout.py --dashboard http://127.0.0.1:8000 --var ./var
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TITLE = "Web analytics"
OWNER = "Tessera"
SITE = "demo.local"
# Issue 9's bus defines the final wiring; until then every window is on the layout's default
# channel (no per-window entries, no explicit wires).
WIRING = {"defaultChannel": "blue", "channels": {}, "wires": []}


def window(widget_id: str, title: str, size: str, attributes: dict | None = None) -> dict:
    return {"type": "component", "componentType": "tessera-widget", "title": title, "size": size,
            "componentState": {"widgetId": widget_id, "windowId": widget_id, "attributes": {"site": SITE, **(attributes or {})}}}


def row(size: str, *content: dict) -> dict:
    return {"type": "row", "size": size, "content": list(content)}


def document() -> dict:
    """Numbers on top, the trend with what is happening now, then where traffic goes and
    comes from, then who visits (devices, campaigns) beside the mesh's own health."""
    root = {"type": "column", "content": [
        row("21%", window("kpis", "Overview", "100%")),
        row("28%", window("page-views", "Page views", "70%", {"range-minutes": "30", "stream": ""}),
            window("live-feed", "Live", "30%")),
        row("26%", window("top-pages", "Top pages", "55%"), window("top-referrers", "Top referrers", "45%")),
        row("25%", window("devices", "Devices", "34%"), window("campaigns", "Campaigns", "33%"),
            window("mesh-health", "Mesh health", "33%", {"site": None})),
    ]}
    for item in root["content"][-1]["content"]:
        item["componentState"]["attributes"] = {k: v for k, v in item["componentState"]["attributes"].items() if v is not None}
    return {"title": TITLE, "owner": OWNER, "author": OWNER, "message": "first run",
            "description": "Tessera's built-in widgets for the demo site: KPIs, page views, live traffic, "
                           "top pages and referrers, devices, campaigns and the mesh's health.",
            "layout": {"root": root, "settings": {"showPopoutIcon": False}}, "wiring": WIRING}


def _call(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as failure:
        return failure.code, {}


def existing(dashboard: str, var: Path) -> str | None:
    saved = var / "default-layout.json"
    if saved.exists():
        try:
            layout_id = json.loads(saved.read_text())["id"]
        except (ValueError, KeyError):
            layout_id = None
        if layout_id and _call("GET", f"{dashboard}/api/v1/layouts/{urllib.parse.quote(layout_id)}")[0] == 200:
            return layout_id
    query = urllib.parse.urlencode({"owner": OWNER, "q": TITLE})
    status, found = _call("GET", f"{dashboard}/api/v1/layouts?{query}")
    for item in found.get("layouts", []) if status == 200 else []:
        if item.get("title") == TITLE and item.get("owner") == OWNER:
            return item["id"]
    return None


def seed(dashboard: str, var: Path) -> tuple[str, bool]:
    """The default layout's id, and whether it was created now."""
    found = existing(dashboard, var)
    if found:
        return found, False
    status, created = _call("POST", f"{dashboard}/api/v1/layouts", document())
    if status != 201:
        raise RuntimeError(f"the layouts API answered {status} to the default layout")
    var.mkdir(parents=True, exist_ok=True)
    target = var / "default-layout.json"
    target.write_text(json.dumps({"id": created["id"], "editKey": created["editKey"], "url": created["url"],
                                  "viewUrl": created.get("viewUrl")}, indent=2) + "\n")
    target.chmod(0o600)
    return created["id"], True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--var", type=Path, required=True)
    args = parser.parse_args(argv)
    layout_id, created = seed(args.dashboard.rstrip("/"), args.var)
    print(f"{'created' if created else 'kept'} the default layout {layout_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
