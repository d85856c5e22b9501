"""The block of a page that holds its article, found by where its paragraph text is, for a
page no selector describes."""

from __future__ import annotations

import re

from lxml import etree

from .pagetext import INLINE_TAGS

# Text inside these belongs to the block around them when paragraphs are weighed.
_INLINE_OWNERS = frozenset(INLINE_TAGS - {"a"})
_CONTAINERS = frozenset({"div", "td", "section", "article", "main"})
# Text in these is never the article's: links, scripts, menus, headers, footers, sidebars.
_NOT_CONTENT = frozenset(
    {"a", "script", "style", "nav", "header", "footer", "aside", "noscript", "select", "head"}
)
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_SNIPPET = 20  # shorter text pieces are dates, counters and labels more often than prose


def main_element(root: etree._Element) -> etree._Element:
    """Return the element that holds the most paragraph text outside links, menus and sidebars.

    Each paragraph's length counts for the block that holds it (a div with its own text
    counts for itself), 0.9 of it for the parent and 0.45 for the grandparent, so the
    container of many paragraphs outweighs any single one.
    """
    scores: dict[etree._Element, float] = {}

    def credit(owner: etree._Element | None, size: int) -> None:
        while owner is not None and owner.tag in _INLINE_OWNERS:
            owner = owner.getparent()
        if owner is None:
            return
        if owner.tag in _CONTAINERS:
            scores[owner] = scores.get(owner, 0.0) + size
        for weight, ancestor in zip((0.9, 0.45), owner.iterancestors(), strict=False):
            scores[ancestor] = scores.get(ancestor, 0.0) + weight * size

    body = root.find("body")
    start = body if body is not None else root
    # One walk that skips menus and links whole is several times faster than an XPath
    # over every text node.
    walker = etree.iterwalk(start, events=("start",))
    for _, el in walker:
        if el.tail and el is not start and (size := _weight(el.tail)):
            credit(el.getparent(), size)
        if not isinstance(el.tag, str) or el.tag in _NOT_CONTENT:
            walker.skip_subtree()
        elif el.text and (size := _weight(el.text)):
            credit(el, size)
    return max(scores, key=scores.__getitem__) if scores else start


def _weight(text: str) -> int:
    """Return how much a piece of text counts: its letters, and snippets (labels beside
    sidebar links) barely; dates and counters ("(10:15 | 28/05/2020)") not at all."""
    size = len(_NOT_LETTERS.sub("", text))
    return size if size >= _SNIPPET else size // 4
