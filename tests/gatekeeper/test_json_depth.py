import json

import pytest

from gatekeeper.json_depth import TooDeep, check_depth, depth_of


@pytest.mark.parametrize(
    ("document", "depth"),
    [
        (1, 0),
        ("[[[{", 0),
        ([], 1),
        ({"a": [1, {"b": []}]}, 4),
        ({"s": "]]]}}}\\\"[[["}, 1),
        ([[[[[]]]]], 5),
    ],
)
def test_depth_of_counts_only_structure(document, depth):
    assert depth_of(json.dumps(document).encode()) == depth


def test_a_document_past_the_limit_is_refused():
    deep = b"[" * 1000 + b"]" * 1000
    with pytest.raises(TooDeep) as raised:
        check_depth(deep, limit=32)
    assert raised.value.limit == 32
    assert "32" in str(raised.value)


def test_many_brackets_side_by_side_are_not_deep():
    wide = json.dumps([[i] for i in range(500)]).encode()
    check_depth(wide, limit=32)


def test_exactly_the_limit_is_allowed():
    check_depth(b"[" * 32 + b"]" * 32, limit=32)
    with pytest.raises(TooDeep):
        check_depth(b"[" * 33 + b"]" * 33, limit=32)
