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
