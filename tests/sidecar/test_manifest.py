import json

import pytest

from sidecar.manifest import ManifestError, folder_url, from_lab, is_custom_element_name, load, resolve

BASE = {"id": "page-views", "element": "tessera-page-views", "module": "dist/page-views.js"}


def test_resolves_relative_urls_against_the_widget_folder():
    m = resolve({**BASE, "stylesheet": "a.css", "icon": "icon.svg"}, "http://127.0.0.1:8100/page-views")
    assert m.document["module"] == "http://127.0.0.1:8100/page-views/dist/page-views.js"
    assert m.document["stylesheet"] == "http://127.0.0.1:8100/page-views/a.css"
    assert m.document["icon"] == "http://127.0.0.1:8100/page-views/icon.svg"
    assert m.origin == "http://127.0.0.1:8100"


def test_absolute_urls_are_kept_and_null_fields_skipped():
    m = resolve({**BASE, "module": "https://cdn.example/x.js", "stylesheet": None}, "http://h:1/w/")
    assert m.document["module"] == "https://cdn.example/x.js"
    assert m.document["stylesheet"] is None


def test_origin_override():
    assert resolve(BASE, "http://h:1/w/", origin="http://gw:9").origin == "http://gw:9"


def test_relative_module_without_widget_url_is_refused():
    with pytest.raises(ManifestError, match="widget-url"):
        resolve(BASE, None)


@pytest.mark.parametrize("patch", [{"id": ""}, {"element": "nodash"}, {"element": "Upper-Case"},
                                   {"element": "font-face"}, {"id": "Bad Id"}, {"module": None}])
def test_refuses_unannounceable_manifests(patch):
    with pytest.raises(ManifestError):
        resolve({**BASE, **patch}, "http://h/")


def test_custom_element_names():
    assert is_custom_element_name("x-top-pages")
    assert not is_custom_element_name("1-abc")


def test_folder_url():
    assert folder_url("http://h/w") == "http://h/w/"


def test_load_reads_file(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(BASE))
    assert load(path, "http://h/w/").id == "page-views"


def test_load_errors(tmp_path):
    with pytest.raises(ManifestError, match="no manifest"):
        load(tmp_path / "missing.json", "http://h/")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ManifestError):
        load(bad, "http://h/")


def test_from_lab_body():
    body = json.dumps({"webComponent": {"jsUrl": "w.js", "cssUrl": "w.css", "componentId": "lab-widget"},
                       "label": "Lab", "tags": ["a"]})
    m = from_lab("lab", body, "http://h:5/lab/")
    assert m.document["element"] == "lab-widget"
    assert m.module_url == "http://h:5/lab/w.js"
    assert m.lab_body["webComponent"]["jsUrl"] == "http://h:5/lab/w.js"
    assert m.lab_body["label"] == "Lab"


def test_from_lab_reads_the_labs_markup_and_tag_map():
    body = ('{"webComponent":{"jsUrl":"http://pinot-component-web.data-mesh/bundle.js","cssUrl":"http://pinot-component-web.data-mesh/bundle.css",'
            '"componentId":"<pinot-graph></pinot-graph>"},"label":"Pinot Graph","tags":{"env":"prod","props":""}}')
    m = from_lab("pinot-component-web", body, None)
    assert m.document["element"] == "pinot-graph" and m.document["tags"] == ["env:prod", "props"]
    assert m.lab_body == json.loads(body)


def test_from_lab_rejects_other_shapes():
    with pytest.raises(ManifestError):
        from_lab("lab", '{"label": "no component"}', "http://h/")
