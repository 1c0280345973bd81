import pytest

from registry.domain.element_name import element_claim_problem, element_name_problem


@pytest.mark.parametrize("name", ["tessera-page-views", "x-a", "my-el.v2", "a_b-c", "a-"])
def test_valid_names(name):
    assert element_name_problem(name) is None


@pytest.mark.parametrize("name", ["pageviews", "Page-views", "1-abc", "-abc", "a b-c", "a-<script>", "", "x" * 101 + "-a"])
def test_invalid_names(name):
    assert element_name_problem(name) is not None


@pytest.mark.parametrize("name", ["font-face", "annotation-xml", "missing-glyph", "color-profile"])
def test_reserved_names(name):
    assert "reserved" in element_name_problem(name)


@pytest.mark.parametrize("name", ["tessera-widget-frame", "tessera-catalogue"])
def test_the_shells_own_elements_belong_to_no_widget(name):
    assert "shell" in element_claim_problem(name, "web-analytics", frozenset({"web-analytics"}))


def test_the_tessera_prefix_belongs_to_the_platform_teams():
    platform = frozenset({"web-analytics"})
    assert element_claim_problem("tessera-page-views", "web-analytics", platform) is None
    assert "reserved" in element_claim_problem("tessera-toolbar", "seo", platform)
    assert element_claim_problem("seo-toolbar", "seo", platform) is None
