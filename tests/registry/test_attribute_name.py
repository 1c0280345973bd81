"""registry/domain/attribute_name.py, and the manifest rule that applies it."""

import pytest

from registry.domain.attribute_name import attribute_name_problem
from registry.domain.manifest import parse_manifest
from registry.domain.origin import Announcer
from registry.domain.problems import ManifestInvalid


@pytest.mark.parametrize("name", ["site", "range-minutes", "param_one", "a.b"])
def test_plain_names_pass(name):
    assert attribute_name_problem(name) is None


@pytest.mark.parametrize(
    "name", ["style", "onclick", "onerror", "on", "slot", "is", "class", "id", "part", "popover", "autofocus",
             "tabindex", "theme", "data-api", "xmlns:x", "xlink:href", "Style", "a b", "", "1a", "x" * 65],
)
def test_names_that_change_the_page_are_refused(name):
    assert attribute_name_problem(name) is not None


@pytest.mark.parametrize("name", ["style", "onmouseover", "slot", "is"])
def test_a_manifest_may_not_configure_them(make_manifest, name):
    attributes = {"type": "object", "properties": {"site": {"type": "string"}, name: {"type": "string", "default": "x"}}}
    with pytest.raises(ManifestInvalid) as caught:
        parse_manifest(make_manifest(attributes=attributes), widget_id="page-views", announcer=Announcer("http://127.0.0.1:8100"))
    assert [p.loc for p in caught.value.problems] == [("body", "attributes", "properties", name)]
