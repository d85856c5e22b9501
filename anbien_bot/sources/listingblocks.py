"""The list of articles on a listing page, told apart from menus and sidebars by its shape.

A listing page links to many articles: its own list, and the "Tin mới", "Tin xem nhiều" and
"Tin nổi bật" boxes of its sidebars, which carry other categories' news in the same URL shape.
Without an item selector the list is found as the repeated block that says the most: links
to article-shaped URLs are put in groups of items with the same markup (an item is the
largest element around a link that holds no other article), the group whose items carry the
most text (a summary, a date, a photo) wins, and every article link inside the element that
holds that group's items is the listing's. Nothing here fetches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..text.urls import absolute_url, host_of
from ..text.vntext import clean_line
from .articleurls import looks_like_article
from .htmlpage import Element, find_links, outside
from .pagetext import is_icon, is_photo

_LINKS_MAX = 3000  # a hostile page is not read past this many links
_ITEM_DEPTH = 5  # how far above its link an item may reach
_ITEM_TEXT_MAX = 300  # past this, more text says nothing more about being the main list
_PHOTO_BONUS = 100
# Headings of the boxes that carry other news: a list under one of them is not the listing.
_BOX_HEADING = re.compile(
    r"^(?:các\s+)?(?:tin|bài(?:\s+viết)?)\s+(?:mới(?:\s+nhất|\s+cập\s+nhật)?|xem\s+nhiều|"
    r"đọc\s+nhiều|nổi\s+bật|tiêu\s+điểm|khác|liên\s+quan|hot)(?:\s+nhất)?\s*:?$|"
    r"^(?:xem|đọc)\s+nhiều(?:\s+nhất)?$",
    re.I,
)
_SIDE_BOX_FACTOR = 0.3
_DIGITS = re.compile(r"\d+")


@dataclass
class ArticleGroup:
    """Article links whose items share one markup, and how much their items say."""

    signature: tuple
    items: list[Element]  # the item elements, in page order
    links: list[Element]
    score: float = 0.0
    boxed: bool = False  # under a sidebar box's heading ("Tin mới nhất")


def article_links(root: Element, page_url: str) -> list[Element]:
    """Return the listing's article links in page order (repeats of one article included)."""
    candidates = _candidates(root, page_url)
    if not candidates:
        return []
    groups = article_groups(candidates)
    best = max(groups, key=lambda g: g.score)
    region = _common_ancestor(best.items)
    if len(best.items) == 1:
        region = _widened(region, candidates, groups)
    return [a for a, _ in candidates if region is a or region in a.iterancestors()]


def article_groups(candidates: list[tuple[Element, str]]) -> list[ArticleGroup]:
    """Return the article links grouped by the markup of their items, each group scored."""
    items = _items(candidates)
    groups: dict[tuple, ArticleGroup] = {}
    # Once per item: one item may hold many links (a page repeating one link thousands of
    # times is one item of thousands of children).
    signatures: dict[Element, tuple] = {}
    for a, _ in candidates:
        item = items[a]
        signature = signatures.get(item)
        if signature is None:
            signature = signatures[item] = _signature(item)
            groups.setdefault(signature, ArticleGroup(signature, [], [])).items.append(item)
        groups[signature].links.append(a)
    for group in groups.values():
        group.score = sum(_weight(item) for item in group.items)
        group.boxed = _under_box_heading(_common_ancestor(group.items), group.items)
        if group.boxed:
            group.score *= _SIDE_BOX_FACTOR
    return list(groups.values())


def _widened(item: Element, candidates: list[tuple[Element, str]], groups: list) -> Element:
    """Return the list around a lone best item (a featured item, the last page's one photo
    item): its nearest ancestor holding another article, unless that holds a sidebar box."""
    boxed = {a for g in groups if g.boxed for a in g.links}
    links = [a for a, _ in candidates]
    for ancestor in _ancestors(item):
        inside = [a for a in links if ancestor in a.iterancestors()]
        if any(a not in item.iter() for a in inside):
            return item if any(a in boxed for a in inside) else ancestor
    return item


def _candidates(root: Element, page_url: str) -> list[tuple[Element, str]]:
    """Return (link, URL) for the links to article-shaped pages of the listing's own site."""
    host = host_of(page_url)
    found = []
    for a in find_links(root)[:_LINKS_MAX]:
        url = absolute_url(a.get("href", ""), page_url)
        if url is None or host_of(url) != host or "tag" in a.get("rel", "").split():
            continue
        if looks_like_article(url, page_url) and not outside(a):
            found.append((a, url))
    return found


def _items(candidates: list[tuple[Element, str]]) -> dict[Element, Element]:
    """Return each link's item: its largest ancestor (a few levels up) with no other article."""
    below: dict[Element, set[str]] = {}
    for a, url in candidates:
        for ancestor in _ancestors(a):
            below.setdefault(ancestor, set()).add(url)
    items = {}
    for a, url in candidates:
        item = a
        for ancestor in _ancestors(a):
            if below[ancestor] != {url}:
                break
            item = ancestor
        items[a] = item
    return items


def _ancestors(a: Element) -> Iterable[Element]:
    for depth, ancestor in enumerate(a.iterancestors()):
        if depth >= _ITEM_DEPTH or ancestor.tag in ("body", "html"):
            return
        yield ancestor


def _signature(item: Element) -> tuple:
    """Return what items of one list share: their tags and classes, their parents' and
    grandparents', and the shape of their children two levels down (numbers dropped from
    classes: "row-0", "column-1")."""
    parent = item.getparent()
    grandparent = parent.getparent() if parent is not None else None
    shape = tuple(
        (c.tag, tuple(g.tag for g in c if isinstance(g.tag, str)))
        for c in item
        if isinstance(c.tag, str)
    )
    return (_mark(item), _mark(parent), _mark(grandparent), shape)


def _mark(el: Element | None) -> tuple[str, str]:
    if el is None:
        return ("", "")
    return (el.tag, _DIGITS.sub("", " ".join(sorted(el.get("class", "").split()))))


def _weight(item: Element) -> float:
    """Return how much an item says: its text (a title alone is short), and a photo."""
    text = len(clean_line(item.text_content()))
    photos = (img for img in item.iter("img") if not is_icon(img))
    photo = _PHOTO_BONUS if any(is_photo(img.get("src", "")) for img in photos) else 0
    return min(text, _ITEM_TEXT_MAX) + photo


def _common_ancestor(elements: list[Element]) -> Element:
    """Return the innermost element holding all of elements (itself if only one)."""
    first, *rest = elements
    if not rest:
        return first
    chain = [first, *first.iterancestors()]
    depth = 0
    for el in rest:
        ancestors = {el, *el.iterancestors()}
        while chain[depth] not in ancestors:
            depth += 1
    return chain[depth]


def _under_box_heading(el: Element, items: list[Element]) -> bool:
    """Tell whether a list sits right under a sidebar box's heading ("Tin mới nhất"): before
    it, or first in it."""
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if first is not None and first not in items and not any(i in first.iter() for i in items):
        heading = clean_line(first.text_content())
        if heading and _BOX_HEADING.match(heading):
            return True
    for ancestor in (el, *list(el.iterancestors())[:2]):
        previous = ancestor.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None:
            heading = clean_line(previous.text_content())
            if heading and _BOX_HEADING.match(heading):
                return True
    return False
