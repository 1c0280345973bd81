import pytest

from registry.domain.element_name import element_name_problem


@pytest.mark.parametrize("name", ["tessera-page-views", "x-a", "my-el.v2", "a_b-c", "a-"])
def test_valid_names(name):
    assert element_name_problem(name) is None


@pytest.mark.parametrize("name", ["pageviews", "Page-views", "1-abc", "-abc", "a b-c", "a-<script>", "", "x" * 101 + "-a"])
def test_invalid_names(name):
    assert element_name_problem(name) is not None


@pytest.mark.parametrize("name", ["font-face", "annotation-xml", "missing-glyph", "color-profile"])
def test_reserved_names(name):
    assert "reserved" in element_name_problem(name)
