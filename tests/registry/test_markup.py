"""registry/domain/markup.py: the lab's componentId read by a strict tokenizer."""

import pytest

from registry.domain.markup import Component, MarkupError, parse_component, render


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind-test-widget", Component("kind-test-widget")),
        ("<pinot-graph></pinot-graph>", Component("pinot-graph")),
        ('<kind-test-widget param_one="some param"></kind-test-widget>', Component("kind-test-widget", (("param_one", "some param"),))),
        ("<a-b x='say \"hi\"' flag/>", Component("a-b", (("x", 'say "hi"'), ("flag", "")))),
        ('  <a-b  x = "1&amp;2 &lt;3&gt;" ></a-b >  ', Component("a-b", (("x", "1&2 <3>"),))),
        ("<a-b>", Component("a-b")),
    ],
)
def test_accepted_shapes(text, expected):
    assert parse_component(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "<a-b x=1></a-b>",  # unquoted
        '<a-b x="1"></a-c>',  # mismatched end tag
        '<a-b x="1" x="2"></a-b>',  # duplicate
        '<a-b x="<script>"></a-b>',
        '<a-b x="&nbsp;"></a-b>',  # unknown entity
        '<a-b x="1"y="2"></a-b>',  # no space between attributes
        "<a-b><!-- c --></a-b>",
        "<a-b></a-b><a-b></a-b>",
        '<a-b x="1',  # unterminated
        "<A-B></A-B>",
        "<a-b\x00></a-b>",
        "<a-b onload=\"x\"></a-b>",
        "<a-b style=\"x\"></a-b>",
        "<a-b is=\"x\"></a-b>",
        "hello world",
        "<" + "a-b" * 1000 + ">",
    ],
)
def test_refused_shapes(text):
    with pytest.raises(MarkupError):
        parse_component(text)


def test_render_escapes_what_it_writes():
    markup = render(Component("a-b", (("x", '"><script>alert(1)</script>'), ("y", "&"))))
    assert markup == '<a-b x="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" y="&amp;"></a-b>'
    assert parse_component(markup) == Component("a-b", (("x", '"><script>alert(1)</script>'), ("y", "&")))
