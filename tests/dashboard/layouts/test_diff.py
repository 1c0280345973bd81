"""The structural diff (pure)."""

from dashboard.layouts import document
from dashboard.layouts.diff import changes, diff, flatten

from .conftest import layout_doc, window


def test_flatten_and_changes():
    assert flatten({"a": {"b": 1}, "c": [2], "d": {}}) == {"a.b": 1, "c[0]": 2, "d": {}}
    assert changes({}, {}) == []
    assert changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": True}) == [
        {"path": "b", "from": 2, "to": 3, "change": "changed"}, {"path": "c", "to": True, "change": "added"}]
    assert changes({"a": 1}, {"a": True})[0]["change"] == "changed"  # 1 == True, but a different value


def test_identical_documents_have_an_empty_diff():
    doc = document.parse(layout_doc())
    assert diff(doc, doc)["identical"] is True


def test_a_window_moved_into_a_stack_and_its_version_bumped():
    before = document.parse(layout_doc(window("a-w", "a"), window("b-w", "b")))
    moved = window("b-w", "b")
    moved["componentState"]["version"] = "0.2.0"
    after = document.parse({"title": "Traffic", "layout": {"root": {"type": "row", "content": [
        window("a-w", "a"), {"type": "stack", "content": [moved]}]}}})
    d = diff(before, after)
    assert d["windows"]["moved"] == [{"windowId": "b", "from": "row[1]", "to": "row[1]/stack[0]"}]
    assert d["windows"]["changed"][0]["fields"] == [{"field": "version", "from": "0.1.0", "to": "0.2.0"}]
    assert not d["windows"]["added"] and not d["windows"]["removed"]


def test_view_state_and_settings_changes_are_reported_apart_from_windows():
    before = document.parse(layout_doc(viewState={"range": "1h"}))
    after_doc = layout_doc(viewState={"range": "24h"})
    after_doc["layout"]["settings"] = {"showPopoutIcon": True}
    d = diff(before, document.parse(after_doc))
    assert d["viewState"]["changes"] == [{"path": "range", "from": "1h", "to": "24h", "change": "changed"}]
    assert d["layoutSettings"][0]["path"] == "settings.showPopoutIcon" and not d["wiring"]["changed"]


def test_a_window_added_in_front_does_not_move_its_neighbours():
    before = document.parse(layout_doc(window("a-w", "a"), window("b-w", "b")))
    after = document.parse(layout_doc(window("new-w", "n"), window("a-w", "a"), window("b-w", "b")))
    d = diff(before, after)
    assert [w["windowId"] for w in d["windows"]["added"]] == ["n"] and d["windows"]["moved"] == []
    swapped = document.parse(layout_doc(window("b-w", "b"), window("a-w", "a")))
    assert {m["windowId"] for m in diff(before, swapped)["windows"]["moved"]} == {"a", "b"}
