"""The lab's ``componentId``: one custom element's markup, read by a strict small tokenizer.

The lab sends ``<kind-test-widget param_one="some param"></kind-test-widget>`` (or a bare
tag name). This reads exactly that shape and nothing else: one start tag, quoted
attribute values (or none), an optional matching end tag, no children, no comments, no
entities beyond ``&amp; &quot; &#39; &lt; &gt;``. No HTML parser and no DOM is involved;
anything outside the shape is refused with the reason, and markup is only ever written
back by ``render`` from the parsed values, escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attribute_name import attribute_name_problem

MAX_LENGTH = 2000
MAX_ATTRIBUTES = 32
_TAG = re.compile(r"[a-z][a-z0-9._-]*")
_NAME = re.compile(r"[^\s\"'<>/=\x00-\x1f\x7f]+")
_SPACE = re.compile(r"[ \t\n\r\f]*")
_ENTITIES = {"&amp;": "&", "&quot;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">"}
_ENTITY = re.compile(r"&[^;&\s]{0,8};?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class MarkupError(ValueError):
    """The text is not one element's markup in the accepted shape."""


@dataclass(frozen=True, slots=True)
class Component:
    """A tag name and its attribute values, in order of appearance."""

    tag: str
    attributes: tuple[tuple[str, str], ...] = ()


def parse_component(text: str) -> Component:
    """``kind-test-widget`` or ``<kind-test-widget a="b"></kind-test-widget>``; raises MarkupError."""
    if len(text) > MAX_LENGTH:
        raise MarkupError(f"longer than {MAX_LENGTH} characters")
    if _CONTROL.search(text):
        raise MarkupError("control characters are not allowed")
    text = text.strip()
    if not text.startswith("<"):
        if not _TAG.fullmatch(text):
            raise MarkupError("expected a tag name or <tag-name …></tag-name>")
        return Component(text)
    return _Reader(text).component()


def render(component: Component) -> str:
    """The markup for ``component``, every value escaped (never the text it came from)."""
    attributes = "".join(f' {name}="{_escape(value)}"' for name, value in component.attributes)
    return f"<{component.tag}{attributes}></{component.tag}>"


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def component(self) -> Component:
        self._expect("<")
        tag = self._match(_TAG, "a lowercase tag name right after '<'")
        attributes: dict[str, str] = {}
        while True:
            spaced = self._space()
            if self._take("/>"):
                self._end()
                return Component(tag, tuple(attributes.items()))
            if self._take(">"):
                break
            if not spaced:
                raise self._error("expected whitespace, '>' or '/>'")
            name, value = self._attribute()
            if name in attributes:
                raise MarkupError(f"attribute {name!r} appears twice")
            if len(attributes) >= MAX_ATTRIBUTES:
                raise MarkupError(f"more than {MAX_ATTRIBUTES} attributes")
            attributes[name] = value
        self._space()
        if self.at < len(self.text):
            self._expect("</", "only the matching end tag may follow the start tag (no content)")
            closing = self._match(_TAG, "the end tag's name")
            if closing != tag:
                raise MarkupError(f"end tag </{closing}> does not match <{tag}>")
            self._space()
            self._expect(">")
        self._end()
        return Component(tag, tuple(attributes.items()))

    def _attribute(self) -> tuple[str, str]:
        start = self.at
        name = self._match(_NAME, "an attribute name")
        if (why := attribute_name_problem(name)) is not None:
            raise MarkupError(f"attribute {name!r} at {start}: {why}")
        self._space()
        if not self._take("="):
            return name, ""
        self._space()
        quote = self.text[self.at : self.at + 1]
        if quote not in ('"', "'"):
            raise self._error(f"the value of {name!r} must be quoted")
        end = self.text.find(quote, self.at + 1)
        if end < 0:
            raise self._error(f"the value of {name!r} is not closed")
        raw = self.text[self.at + 1 : end]
        self.at = end + 1
        if "<" in raw or ">" in raw:
            raise MarkupError(f"the value of {name!r} may not contain '<' or '>' (write &lt; &gt;)")
        return name, _unescape(raw, name)

    def _space(self) -> bool:
        found = _SPACE.match(self.text, self.at)
        moved = found.end() > self.at
        self.at = found.end()
        return moved

    def _take(self, literal: str) -> bool:
        if self.text.startswith(literal, self.at):
            self.at += len(literal)
            return True
        return False

    def _expect(self, literal: str, what: str | None = None) -> None:
        if not self._take(literal):
            raise self._error(what or f"expected {literal!r}")

    def _match(self, pattern: re.Pattern, what: str) -> str:
        found = pattern.match(self.text, self.at)
        if found is None:
            raise self._error(f"expected {what}")
        self.at = found.end()
        return found.group()

    def _end(self) -> None:
        if self.at != len(self.text):
            raise self._error("unexpected text after the element")

    def _error(self, what: str) -> MarkupError:
        return MarkupError(f"{what} at character {self.at}")


def _unescape(raw: str, name: str) -> str:
    def one(found: re.Match) -> str:
        entity = found.group()
        if entity not in _ENTITIES:
            raise MarkupError(f"the value of {name!r} uses {entity!r}; only &amp; &quot; &#39; &lt; &gt; are understood")
        return _ENTITIES[entity]

    return _ENTITY.sub(one, raw)
