"""registry/domain/manifest.py (named apart from tests/sidecar/test_manifest.py)."""

import pytest

from registry.domain.manifest import manifest_from_document, parse_manifest
from registry.domain.origin import Announcer
from registry.domain.problems import ManifestInvalid

HOST = Announcer("http://127.0.0.1:8100/page-views/")


def locs(raw, widget_id="page-views", announcer=HOST):
    with pytest.raises(ManifestInvalid) as caught:
        parse_manifest(raw, widget_id=widget_id, announcer=announcer)
    return {tuple(p.loc) for p in caught.value.problems}


def test_the_contract_example_parses_with_absolute_urls(make_manifest):
    m = parse_manifest(make_manifest(module="dist/page-views.js"), widget_id="page-views", announcer=HOST)
    assert m.module == "http://127.0.0.1:8100/page-views/dist/page-views.js"
    assert m.icon == "http://127.0.0.1:8100/page-views/icon.svg"
    assert m.origin == "http://127.0.0.1:8100"
    doc = m.document()
    assert doc["dataProducts"] == ["tracker.pageviews"] and "origin" not in doc
    assert manifest_from_document(doc, m.origin) == m


def test_defaults_fill_optional_fields():
    raw = {"version": "1.0.0", "team": "t", "label": "L", "element": "x-y", "module": "a.js"}
    m = parse_manifest(raw, widget_id="w", announcer=HOST)
    assert (m.ttl, m.tags, m.emits, m.attributes, m.description) == (15, (), {}, {"type": "object"}, "")


def test_unknown_fields_are_dropped(make_manifest):
    m = parse_manifest(make_manifest(extra="<script>"), widget_id="page-views", announcer=HOST)
    assert "extra" not in m.document()


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"version": "1.0"}, ("body", "version")),
        ({"version": "v1.0.0"}, ("body", "version")),
        ({"element": "pageviews"}, ("body", "element")),
        ({"element": "font-face"}, ("body", "element")),
        ({"element": "Tessera-x"}, ("body", "element")),
        ({"module": "javascript:alert(1)"}, ("body", "module")),
        ({"module": "http://evil.test/x.js"}, ("body", "module")),
        ({"stylesheet": "data:text/css,body{}"}, ("body", "stylesheet")),
        ({"icon": "https://evil.test/i.svg"}, ("body", "icon")),
        ({"label": "Page\x00views"}, ("body", "label")),
        ({"label": "a\u0085b"}, ("body", "label")),
        ({"description": "bell\x07"}, ("body", "description")),
        ({"tags": ["ok", "bad\x1b[31m"]}, ("body", "tags", 1)),
        ({"label": ""}, ("body", "label")),
        ({"team": "Web Analytics"}, ("body", "team")),
        ({"ttl": 0}, ("body", "ttl")),
        ({"ttl": "15"}, ("body", "ttl")),
        ({"integrity": "md5-abc"}, ("body", "integrity")),
        ({"attributes": {"type": "nope"}}, ("body", "attributes", "type")),
        ({"attributes": {"properties": {"x": {"minimum": "zero"}}}}, ("body", "attributes", "properties", "x", "minimum")),
        ({"emits": {"ok-topic": {"type": 5}}}, ("body", "emits", "ok-topic", "type")),
        ({"accepts": {"site-selected": {"description": "a\x00b"}}}, ("body", "accepts", "site-selected", "description")),
        ({"emits": {"Bad Topic": {}}}, ("body", "emits")),
        ({"dataProducts": ["Tracker PageViews"]}, ("body", "dataProducts", 0)),
        ({"id": "other"}, ("body", "id")),
    ],
)
def test_each_rejection_names_its_field(make_manifest, changes, loc):
    assert loc in locs(make_manifest(**changes))


@pytest.mark.parametrize("field", ["version", "team", "label", "element", "module"])
def test_required_fields_are_named(make_manifest, field):
    raw = make_manifest()
    del raw[field]
    assert ("body", field) in locs(raw)


def test_all_problems_are_reported_at_once(make_manifest):
    found = locs(make_manifest(version="1", element="font-face", module="javascript:x", attributes={"type": 1}))
    assert {("body", "version"), ("body", "element"), ("body", "module"), ("body", "attributes", "type")} <= found


def test_non_object_body_and_bad_id():
    assert ("body",) in locs([1, 2])
    assert ("path", "id") in locs({}, widget_id="Bad Id")


def test_without_declared_origin_the_modules_origin_rules_the_rest(make_manifest):
    nobody = Announcer(None)
    m = parse_manifest(make_manifest(icon=None), widget_id="page-views", announcer=nobody)
    assert m.origin == "http://127.0.0.1:8100"
    assert ("body", "stylesheet") in locs(make_manifest(stylesheet="http://evil.test/a.css"), announcer=nobody)
    assert ("body", "module") in locs(make_manifest(module="rel.js", icon=None), announcer=nobody)


def test_allow_list_gates_the_declared_origin(make_manifest):
    gated = Announcer("http://127.0.0.1:8100", frozenset({"http://127.0.0.1:8200"}))
    assert ("header", "x-tessera-origin") in locs(make_manifest(), announcer=gated)
    open_ = Announcer("http://127.0.0.1:8100", frozenset({"http://127.0.0.1:8100", "https://cdn.test"}))
    m = parse_manifest(make_manifest(stylesheet="https://cdn.test/a.css"), widget_id="page-views", announcer=open_)
    assert m.stylesheet == "https://cdn.test/a.css"


def test_boolean_json_schemas_are_accepted(make_manifest):
    m = parse_manifest(make_manifest(emits={"x-y": True}, attributes=True), widget_id="page-views", announcer=HOST)
    assert m.emits == {"x-y": True}


def test_deeply_nested_schemas_are_refused_not_recursed(make_manifest):
    deep: dict = {}
    cursor = deep
    for _ in range(200):
        cursor["properties"] = {"a": {}}
        cursor = cursor["properties"]["a"]
    assert ("body", "attributes") in locs(make_manifest(attributes=deep))
    assert ("body", "emits") in locs(make_manifest(emits={"x-y": deep}))
