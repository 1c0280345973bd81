import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


JSON = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab\n', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=4), inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(document=JSON, limit=st.integers(0, 8), ascii_only=st.booleans())
def test_check_depth_agrees_with_the_byte_by_byte_count(document, limit, ascii_only):
    body = json.dumps(document, ensure_ascii=ascii_only).encode()
    deep = depth_of(body) > limit
    try:
        check_depth(body, limit)
    except TooDeep:
        assert deep
    else:
        assert not deep


def test_unclosed_brackets_are_deep():
    with pytest.raises(TooDeep):
        check_depth(b"[" * 100, limit=64)
    with pytest.raises(TooDeep):
        check_depth(b"]]]" + b"{" * 70, limit=64)


def test_strings_without_brackets_drop_their_quotes_in_one_pass():
    """A large body whose strings hold no brackets takes the fast path; a bracket inside a
    string, or a string left open, still takes the exact one."""
    batch = json.dumps([{"site": "a", "props": {"k": "v"}, "n": i} for i in range(200)]).encode()
    check_depth(batch, limit=3)
    with pytest.raises(TooDeep):
        check_depth(batch, limit=2)
    bracketed = json.dumps([{"t": "[[[[[[" * 10, "u": '"]]]]'}] * 50).encode()
    assert depth_of(bracketed) == 2
    check_depth(bracketed, limit=2)
    with pytest.raises(TooDeep):
        check_depth(b'"",' * 20 + b"[" * 40 + b'"' + b"]" * 40, limit=8)  # the last string never closes
    check_depth(b'["",' + b'"[[[[[[[[[[",' * 20 + b'""]', limit=1)
