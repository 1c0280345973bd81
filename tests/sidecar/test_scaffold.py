import json

import pytest

from sidecar.manifest import is_custom_element_name, load
from sidecar.scaffold import ScaffoldError, element_for, scaffold


def test_creates_an_announceable_widget_folder(tmp_path):
    folder = scaffold("top-pages", tmp_path, team="Web Analytics")
    assert sorted(p.name for p in folder.iterdir()) == [
        "icon.svg", "index.html", "manifest.json", "top-pages.css", "top-pages.js"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["element"] == "web-analytics-top-pages"
    assert manifest["module"] == "top-pages.js"
    assert manifest["team"] == "Web Analytics"
    resolved = load(folder / "manifest.json", "http://127.0.0.1:8100/top-pages/")
    assert resolved.module_url == "http://127.0.0.1:8100/top-pages/top-pages.js"


def test_module_follows_the_widget_contract(tmp_path):
    js = (scaffold("top-pages", tmp_path) / "top-pages.js").read_text()
    assert 'const TAG = "x-top-pages"' in js
    assert "static observedAttributes" in js
    assert "queueMicrotask" in js
    assert "disconnectedCallback" in js and "removeEventListener" in js
    assert "bubbles: true, composed: true" in js
    assert '"tessera-message"' in js
    assert 'const EMITS = "top-pages-clicked"' in js
    assert "__" not in js.replace("__proto__", "")


def test_index_page_loads_the_module_and_mounts_the_element(tmp_path):
    html = (scaffold("top-pages", tmp_path) / "index.html").read_text()
    assert '<script type="module" src="./top-pages.js">' in html
    assert "<x-top-pages " in html


def test_element_names_are_valid():
    assert element_for("a", None) == "x-a"
    assert element_for("a", "42") == "x-42-a"
    assert is_custom_element_name(element_for("a", "Team Ünïcode"))


@pytest.mark.parametrize("name", ["Top", "top_pages", "-x", "1x", ""])
def test_rejects_bad_names(tmp_path, name):
    with pytest.raises(ScaffoldError):
        scaffold(name, tmp_path)


def test_refuses_to_overwrite_without_force(tmp_path):
    scaffold("w", tmp_path)
    with pytest.raises(ScaffoldError):
        scaffold("w", tmp_path)
    scaffold("w", tmp_path, force=True)
