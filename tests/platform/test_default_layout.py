"""The first-run layout document: accepted by the layouts API's parser as it stands, naming
only built-in widgets (each once, in a window the wiring can name), every widget in the layout."""

from __future__ import annotations

import json
from pathlib import Path

from dashboard.layouts import document as layout_document
from tests.platform.conftest import load_script

WIDGETS = Path(__file__).resolve().parents[2] / "widgets"


def components(item: dict) -> list[dict]:
    if item.get("type") == "component":
        return [item]
    return [c for child in item.get("content", []) for c in components(child)]


def test_the_default_layout_is_a_valid_document_of_every_built_in_widget():
    default_layout = load_script("default_layout")
    doc = default_layout.document()
    parsed = layout_document.parse(json.loads(json.dumps(doc)))
    assert parsed["title"] == "Web analytics" and parsed["owner"] == "Tessera"
    assert parsed["wiring"] == {"defaultChannel": "blue", "channels": {}, "wires": []}
    windows = components(parsed["layout"]["root"])
    ids = [w["componentState"]["widgetId"] for w in windows]
    built_in = {json.loads(m.read_text())["id"] for m in WIDGETS.glob("*/manifest.json") if not m.parent.name.startswith("_")}
    assert sorted(ids) == sorted(built_in)
    assert len({w["componentState"]["windowId"] for w in windows}) == len(windows)
    for row in parsed["layout"]["root"]["content"]:  # sizes of a row's windows add up to the row
        assert sum(float(w["size"].rstrip("%")) for w in row["content"]) == 100
    assert sum(float(row["size"].rstrip("%")) for row in parsed["layout"]["root"]["content"]) == 100


def test_every_built_in_manifest_passes_the_sidecar_check_and_declares_the_well_known_schemas():
    from sidecar import manifest as sidecar_manifest

    topics = Path(__file__).resolve().parents[2] / "dashboard" / "topics"
    teams = set()
    for path in WIDGETS.glob("*/manifest.json"):
        doc = sidecar_manifest.check(json.loads(path.read_text()))
        teams.add(doc["team"])
        assert (path.parent / "README.md").exists() and (path.parent / doc["icon"]).exists()
        assert doc["element"].startswith("tessera-") == (doc["team"] == "web-analytics")
        for topic, schema in {**doc["emits"], **doc["accepts"]}.items():
            known = topics / f"{topic}.json"
            if known.exists():
                assert schema["properties"] == json.loads(known.read_text())["properties"], (path, topic)
    assert {"web-analytics", "marketing", "platform"} <= teams
