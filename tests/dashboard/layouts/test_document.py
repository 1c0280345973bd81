"""The layout document: validation naming fields, normalisation, migration, hashing."""

from __future__ import annotations

import pytest

from dashboard.layouts import document
from dashboard.layouts.problems import Invalid, TooLarge

from .conftest import layout_doc, window


def locs(exc: Invalid) -> list[list]:
    return [p.as_dict()["loc"] for p in exc.problems]


def test_the_smallest_document_is_completed_to_the_current_schema():
    doc = document.parse({"title": "t", "layout": {}})
    assert doc == {"schemaVersion": 2, "title": "t", "description": "", "owner": "", "layout": {}, "wiring": {},
                   "viewState": {}}


def test_answer_fields_sent_back_are_ignored_and_save_fields_are_not_hashed():
    a = document.parse({**layout_doc(), "id": "x", "version": 3, "contentHash": "h", "author": "ana"})
    b = document.parse(layout_doc())
    assert a == b and document.content_hash(a) == document.content_hash(b)


def test_hash_ignores_key_order():
    a = document.parse({"title": "t", "layout": {}, "wiring": {"a": 1, "b": 2}})
    b = document.parse({"wiring": {"b": 2, "a": 1}, "layout": {}, "title": "t"})
    assert document.content_hash(a) == document.content_hash(b)


def test_lone_surrogates_anywhere_are_refused():
    with pytest.raises(Invalid) as caught:
        document.parse(layout_doc(window("page-views", "a", note="\ud800")))
    assert locs(caught.value) == [["body", "layout", "root", "content", 0, "componentState", "attributes", "note"]]


def test_a_newline_is_allowed_in_the_description_but_not_the_title():
    assert document.parse({"title": "t", "layout": {}, "description": "a\nb"})["description"] == "a\nb"
    with pytest.raises(Invalid) as caught:
        document.parse({"title": "a\nb", "layout": {}})
    assert locs(caught.value) == [["body", "title"]]


def test_duplicate_window_ids_are_refused():
    with pytest.raises(Invalid) as caught:
        document.parse(layout_doc(window("x", "a"), window("y", "a")))
    assert ["body", "layout", "root", "content", 1, "componentState", "windowId"] in locs(caught.value) or \
        ["body", "layout", "root", "content", 0, "componentState", "windowId"] in locs(caught.value)


def test_window_id_assignment_is_deterministic_and_skips_taken_ids():
    doc = layout_doc(window("x"), window("y", "w1"), window("z"))
    ids = [c["componentState"]["windowId"] for c in document.parse(doc)["layout"]["root"]["content"]]
    assert ids == ["w2", "w1", "w3"]
    assert document.parse(doc) == document.parse(doc)


def test_wiring_and_view_state_are_size_limited():
    with pytest.raises(Invalid) as caught:
        document.parse({"title": "t", "layout": {}, "wiring": {"x": "y" * document.WIRING_MAX_BYTES}})
    assert locs(caught.value) == [["body", "wiring"]]
    with pytest.raises(Invalid) as caught:
        document.parse({"title": "t", "layout": {}, "viewState": {"x": "y" * document.VIEW_STATE_MAX_BYTES}})
    assert locs(caught.value) == [["body", "viewState"]]


def test_the_whole_document_is_size_limited():
    with pytest.raises(TooLarge):
        document.parse(layout_doc(window("p", "a", blob="x" * 2000)), max_bytes=1000)


def test_depth_is_checked_before_anything_recurses():
    deep: list = []
    node = deep
    for _ in range(document.MAX_DEPTH + 5):
        node.append([])
        node = node[0]
    with pytest.raises(Invalid) as caught:
        document.parse({"title": "t", "layout": {}, "viewState": {"x": deep}})
    assert caught.value.problems[0].type == "value_error.too_deep"


def test_migrate_does_not_change_its_input_and_leaves_current_documents_alone():
    stored = {"schemaVersion": 1, "root": {"type": "stack", "content": [window("p")]}}
    before = repr(stored)
    migrated = document.migrate(stored)
    assert repr(stored) == before and migrated["schemaVersion"] == 2 and migrated["title"] == "Untitled layout"
    current = document.parse(layout_doc())
    assert document.migrate(current) == current


@pytest.mark.parametrize("state,field", [
    ({"widgetId": ""}, "widgetId"),
    ({"widgetId": "a b"}, "widgetId"),
    ({"widgetId": "ok", "version": 3}, "version"),
    ({"widgetId": "ok", "attributes": []}, "attributes"),
    ({"widgetId": "ok", "windowId": "has space"}, "windowId"),
])
def test_window_state_fields_are_checked(state, field):
    body = {"title": "t", "layout": {"root": {"type": "component", "componentType": "tessera-widget",
                                              "componentState": state}}}
    with pytest.raises(Invalid) as caught:
        document.parse(body)
    assert ["body", "layout", "root", "componentState", field] in locs(caught.value)
