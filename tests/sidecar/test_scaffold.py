import json

import pytest

from sidecar.manifest import is_custom_element_name, load
from sidecar.scaffold import DEFAULT_KIT_URL, ScaffoldError, element_for, scaffold


def test_creates_an_announceable_widget_folder(tmp_path):
    folder = scaffold("top-pages", tmp_path, team="Web Analytics")
    assert sorted(p.name for p in folder.iterdir()) == [
        "icon.svg", "index.html", "manifest.json", "top-pages.css", "top-pages.js"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["element"] == "web-analytics-top-pages"
    assert manifest["module"] == "top-pages.js"
    assert manifest["team"] == "Web Analytics"
    assert manifest["stylesheet"] == "top-pages.css"
    assert (folder / "top-pages.css").read_text().count("web-analytics-top-pages {") == 1
    resolved = load(folder / "manifest.json", "http://127.0.0.1:8100/top-pages/")
    assert resolved.module_url == "http://127.0.0.1:8100/top-pages/top-pages.js"


def test_declares_the_well_known_topics_it_emits_and_accepts(tmp_path):
    manifest = json.loads((scaffold("top-pages", tmp_path) / "manifest.json").read_text())
    assert manifest["emits"]["page.selected"]["required"] == ["path"]
    assert manifest["accepts"]["site.selected"]["required"] == ["site"]
    assert manifest["attributes"]["properties"]["site"]["default"] == "demo.local"


def test_module_is_built_on_the_kit(tmp_path):
    js = (scaffold("top-pages", tmp_path) / "top-pages.js").read_text()
    assert 'import { clientFor } from "/kit/v1/data-client.js";' in js
    assert 'import { KitElement } from "/kit/v1/kit-element.js";' in js
    assert 'import "/kit/v1/bar-list.js";' in js
    assert "extends KitElement" in js and ".defineProperties();" in js
    assert 'const TAG = "x-top-pages"' in js
    assert 'const EMITS = "page.selected"' in js
    assert ".subscribe(" in js and ".query(" in js
    assert "fetch(" not in js and "EventSource" not in js  # the kit does the data work
    assert "__" not in js.replace("__proto__", "")


def test_index_page_maps_the_kit_and_mounts_the_element(tmp_path):
    html = (scaffold("top-pages", tmp_path) / "index.html").read_text()
    assert f'{{"imports": {{"/kit/v1/": "{DEFAULT_KIT_URL}"}}}}' in html
    assert html.index('type="importmap"') < html.index('<script type="module"')
    assert '<script type="module" src="./top-pages.js">' in html
    assert "<x-top-pages " in html
    other = (scaffold("w", tmp_path, kit_url="http://10.0.0.5:9000/kit/v1/") / "index.html").read_text()
    assert '"/kit/v1/": "http://10.0.0.5:9000/kit/v1/"' in other


@pytest.mark.parametrize("kit_url", ["javascript:alert(1)//", "http://x/kit/v1", 'http://x/"><script>/'])
def test_rejects_a_kit_url_that_is_not_a_plain_http_folder(tmp_path, kit_url):
    with pytest.raises(ScaffoldError):
        scaffold("w", tmp_path, kit_url=kit_url)


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
