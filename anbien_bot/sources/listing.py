"""Links to articles on a portal's listing pages, and the way to the next (older) page.

An admin's item and next-page selectors are tried first; without them, a link counts as an
article if it stays on the listing's site, has an article-shaped path and sits outside the
menus and sidebars. Nothing here fetches: pages arrive as bytes or text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from ..models import Selectors
from ..text.urls import absolute_url, canonical_url, host_of
from ..text.vntext import clean_line
from .articletext import clean_text, parse_page
from .htmlpage import Element, date_of, find_links, first_line, outside, reading, select

# Without an item selector, a listing link is an article if its path carries a numeric id or
# a long slug; menus, category pages and files do not.
_ARTICLE_PATH = re.compile(
    r"/\d{3,}(?:/|\.html?$|$)|[-_]\d{3,}\.html?$|/node/\d+|/[^/]*-[^/]*-[^/]*-[^/]+/?$"
)
_FILE_PATH = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp[34])$", re.I)
_NEXT_LABELS = frozenset({"trang sau", "trang tiếp", "tiếp", "tiếp theo", "sau", "next", "»", "›"})
_ITEMS_MAX = 500


@dataclass(frozen=True)
class ListingItem:
    """A link to an article as a listing page shows it."""

    url: str
    title: str = ""
    published: datetime | None = None


def parse_listing(html: bytes | str, page_url: str, selectors: Selectors) -> list[ListingItem]:
    """Return the article links of a listing page in page order, each once."""
    with reading():
        root = parse_page(html)
    if root is None:
        return []
    if selectors.item:
        found = [(el, _link_of(el)) for el in select(root, selectors.item)]
    else:
        found = [(a, a) for a in islice(_default_items(root, page_url), _ITEMS_MAX)]
    # A real listing has dozens of links; thousands mean a hostile page, not more news.
    hrefs = {el: link.get("href") for el, link in found[:_ITEMS_MAX] if link is not None}
    items: dict[str, ListingItem] = {}
    for el, link in found[:_ITEMS_MAX]:
        url = absolute_url(link.get("href", ""), page_url) if link is not None else None
        if url is None:
            continue
        boxes = list(_own_boxes(el, hrefs))
        title = first_line(_in_boxes(boxes, selectors.item_title)) or first_line([link])
        title = title or clean_line(clean_text(link.get("title", "")))
        dated = _in_boxes(boxes, selectors.item_date) if selectors.item_date else boxes
        published = next(filter(None, map(date_of, dated)), None)
        seen = items.get(key := canonical_url(url))
        if seen is None:
            items[key] = ListingItem(url=url, title=title, published=published)
        elif not seen.title and title:  # an image link came first, its title link second
            items[key] = ListingItem(seen.url, title, seen.published or published)
    return list(items.values())


def next_page_url(html: bytes | str, page_url: str, selectors: Selectors) -> str | None:
    """Return the URL of the listing's next (older) page, or None on the last page."""
    with reading():
        root = parse_page(html)
    if root is None:
        return None
    if selectors.next_page:
        candidates = [_link_of(el) for el in select(root, selectors.next_page)]
    else:
        candidates = root.xpath("//link[@rel='next'] | //a[@rel='next']")
        candidates += [
            a
            for a in find_links(root)
            if clean_line(a.text_content()).lower() in _NEXT_LABELS
            or "next" in a.get("class", "").lower().split()
        ]
    here = canonical_url(page_url)
    for el in candidates:
        url = absolute_url(el.get("href", ""), page_url) if el is not None else None
        if url and canonical_url(url) != here:
            return url
    return None


def _link_of(el: Element) -> Element | None:
    """Return el if it is a link, else the first link inside it."""
    return el if el.get("href") is not None else next(iter(find_links(el)), None)


def _default_items(root: Element, page_url: str) -> Iterable[Element]:
    """Yield the links of a listing that look like articles on the listing's own site."""
    host = host_of(page_url)
    for a in find_links(root):
        url = absolute_url(a.get("href", ""), page_url)
        if url is None or host_of(url) != host:
            continue
        path = "/" + url.split("://", 1)[1].partition("/")[2].partition("?")[0]
        if _ARTICLE_PATH.search(path) and not _FILE_PATH.search(path) and not outside(a):
            yield a


def _own_boxes(el: Element, hrefs: dict[Element, str | None]) -> Iterable[Element]:
    """Yield el and up to three ancestors that hold no item linking elsewhere."""
    href = hrefs[el]
    yield el
    for ancestor in list(el.iterancestors())[:3]:
        if any(d in hrefs and hrefs[d] != href for d in ancestor.iterdescendants()):
            return
        yield ancestor


def _in_boxes(boxes: list[Element], css: str | None) -> list[Element]:
    """Return what css matches in the innermost box that has a match."""
    return next(filter(None, (select(box, css) for box in boxes)), []) if css else []
