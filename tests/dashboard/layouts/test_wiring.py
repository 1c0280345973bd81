"""The bus wiring a layout document saves: channels and wires checked against the layout's
windows, each refusal naming the field (the opaque check accepted all of these)."""

from __future__ import annotations

import pytest

from dashboard.layouts import document
from dashboard.layouts.problems import Invalid

from .conftest import layout_doc, window

TWO = (window("referrers", "t"), window("page-views", "c"))
WIRE = {"from": {"window": "t", "topic": "referrer.selected"}, "to": {"window": "c", "topic": "filter.changed"},
        "map": [{"from": "referrer", "to": "filters.referrer"}]}


def refused(wiring: object) -> list[tuple]:
    with pytest.raises(Invalid) as caught:
        document.parse(layout_doc(*TWO, wiring=wiring))
    return [(tuple(p.loc), p.type) for p in caught.value.problems]


def test_channels_wires_and_mappings_are_kept():
    wiring = {"defaultChannel": "green", "channels": {"t": "red", "c": None}, "wires": [{**WIRE, "id": "w1"}]}
    assert document.parse(layout_doc(*TWO, wiring=wiring))["wiring"] == wiring
    assert document.parse(layout_doc(*TWO, wiring={}))["wiring"] == {}
    assert document.parse(layout_doc(*TWO, wiring={"defaultChannel": None}))["wiring"] == {"defaultChannel": None}
    same = {"from": {"window": "t", "topic": "page.selected@2"}, "to": {"window": "c", "topic": "page.selected@2"}}
    assert document.parse(layout_doc(*TWO, wiring={"wires": [same]}))["wiring"]["wires"] == [same]


@pytest.mark.parametrize(("wiring", "expected"), [
    ({"channel": {}}, [(("body", "wiring", "channel"), "value_error.extra")]),
    ({"defaultChannel": "mauve"}, [(("body", "wiring", "defaultChannel"), "value_error.channel")]),
    ({"channels": {"t": "pink"}}, [(("body", "wiring", "channels", "t"), "value_error.channel")]),
    ({"channels": {"ghost": "red"}}, [(("body", "wiring", "channels", "ghost"), "value_error.window_id")]),
    ({"channels": []}, [(("body", "wiring", "channels"), "type_error.object")]),
    ({"wires": {}}, [(("body", "wiring", "wires"), "type_error.list")]),
    ({"wires": ["x"]}, [(("body", "wiring", "wires", 0), "type_error.object")]),
    ({"wires": [{**WIRE, "to": {"window": "ghost", "topic": "filter.changed"}}]},
     [(("body", "wiring", "wires", 0, "to", "window"), "value_error.window_id")]),
    ({"wires": [{**WIRE, "from": {"window": "t", "topic": "Referrer Selected"}}]},
     [(("body", "wiring", "wires", 0, "from", "topic"), "value_error.topic")]),
    ({"wires": [{**WIRE, "from": {"window": "t", "topic": "a@0"}}]},
     [(("body", "wiring", "wires", 0, "from", "topic"), "value_error.topic")]),
    ({"wires": [{**WIRE, "to": {"window": "t", "topic": "filter.changed"}}]},
     [(("body", "wiring", "wires", 0, "to", "window"), "value_error.self_wire")]),
    ({"wires": [{**WIRE, "map": [{"from": "referrer", "to": "filters..x"}]}]},
     [(("body", "wiring", "wires", 0, "map", 0), "value_error.mapping")]),
    ({"wires": [{**WIRE, "colour": "red"}]}, [(("body", "wiring", "wires", 0, "colour"), "value_error.extra")]),
    ({"wires": [WIRE] * 201}, [(("body", "wiring", "wires"), "value_error.too_many")]),
])
def test_bad_wiring_is_refused_naming_the_field(wiring, expected):
    assert refused(wiring) == expected


def test_the_published_schema_describes_the_wiring():
    from dashboard.layouts.schema import layout_schema
    schema = layout_schema()["properties"]["wiring"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"defaultChannel", "channels", "wires"}


THREE = (*TWO, window("page-views", "d"))


def wire(source: str, target: str, mapping: list | None = None, to_window: str = "c") -> dict:
    made = {"from": {"window": "t", "topic": source}, "to": {"window": to_window, "topic": target}}
    return {**made, "map": mapping} if mapping is not None else made


@pytest.mark.parametrize(("bad", "reason"), [
    (wire("page.selected@1", "page.selected@2"), "different major versions"),
    (wire("referrer.selected", "filter.changed"), "needs a field map"),
    (wire("referrer.selected", "filter.changed", [{"from": "host", "to": "filters.referrer"}]), "has no field 'host'"),
    (wire("referrer.selected", "filter.changed", [{"from": "referrer", "to": "filter"}]), "has no field 'filter'"),
    (wire("referrer.selected", "site.selected", [{"from": "referrer", "to": "site"}]), None),  # string → string: fine
    (wire("time.range", "filter.changed", [{"from": "from", "to": "filters.day"}]), None),
    (wire("referrer.selected", "page.selected", [{"from": "site", "to": "site"}]), "requires path"),
])
def test_a_wire_the_shell_would_refuse_is_refused_naming_its_to(bad, reason):
    """Three wires; the third is the one under test, so the refusal names wires[2].to."""
    ok = [wire("referrer.selected", "referrer.selected@1"), {**WIRE, "to": {"window": "d", "topic": "filter.changed"}}]
    body = layout_doc(*THREE, wiring={"wires": [*ok, {**bad, "to": {**bad["to"], "window": "d"}}]})
    if reason is None:
        assert len(document.parse(body)["wiring"]["wires"]) == 3
        return
    with pytest.raises(Invalid) as caught:
        document.parse(body)
    [only] = caught.value.problems
    assert tuple(only.loc) == ("body", "wiring", "wires", 2, "to") and only.type == "value_error.incompatible_wire"
    assert reason in only.msg


def test_a_mapped_wire_between_topics_only_widgets_define_is_left_to_the_shell():
    body = layout_doc(*TWO, wiring={"wires": [wire("acme.picked", "acme.filter@3", [{"from": "x", "to": "y.z"}])]})
    assert document.parse(body)["wiring"]["wires"][0]["to"]["topic"] == "acme.filter@3"
    with pytest.raises(Invalid):  # without a map, two different topics never meet
        document.parse(layout_doc(*TWO, wiring={"wires": [wire("acme.picked", "acme.filter")]}))


async def test_saving_an_incompatible_wire_answers_422_naming_the_field(client):
    created = (await client.post("/api/v1/layouts", json=layout_doc(*TWO))).json()
    body = layout_doc(*TWO, wiring={"wires": [wire("page.selected", "page.selected@2")]})
    answer = await client.put(f"/api/v1/layouts/{created['id']}", json=body,
                              headers={"Authorization": f"Bearer {created['editKey']}", "If-Match": '"1"'})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "wiring", "wires", 0, "to"]
    assert (await client.post("/api/v1/layouts", json=body)).status_code == 422
