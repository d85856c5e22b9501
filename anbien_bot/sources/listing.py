"""Links to articles on a portal's listing pages, and the way to the next (older) page.

An admin's item and next-page selectors are tried first; without them, a link counts as an
article if it stays on the listing's site, has an article-shaped path and sits outside the
menus and sidebars. An item's date is the one its own date element shows before any date in
its title or summary. Nothing here fetches: pages arrive as bytes or text, and a ListingWalk
only decides which page comes next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice

from ..models import Selectors
from ..text.dates import parse_vietnamese_datetime
from ..text.urls import absolute_url, canonical_url
from ..text.vntext import clean_line
from .articletext import clean_text
from .htmlpage import Element, date_of, find_links, first_line, reading, select
from .listingblocks import article_links
from .pagetext import parse_page

# What a next-page link says, in its text or title, once arrows and spaces are set aside.
_NEXT_LABELS = frozenset(
    {"trang sau", "trang tiếp", "trang kế", "tiếp", "tiếp theo", "kế tiếp", "sau", "next"}
    | {"đi đến trang sau", "next page", "»", "›", ">>", ">", "→", "››"}
)
_ARROWS = "»›>→ \xa0"
_PAGE_NUMBER = re.compile(r"^\[?(\d{1,4})\]?$")
_ITEMS_MAX = 500
_BOX_LEVELS = 3  # how far above its link an item's date and title are looked for
_BOX_LINKS_MAX = 4  # an item links to its article a few times; a box holding more is a list
# Class or id names of the element showing an item's date ("news-date", "views-field-created",
# "entry-date", "ngay-dang", "post-time"); a <time> element or a datetime attribute also counts.
_DATE_NAMES = re.compile(r"date|time\b|ngay|created|posted|publish|thoi-?gian", re.I)
# Elements of an item holding its title or summary, whose dates are what the article is about.
_WORDING_TAGS = frozenset({"a", "p", "script", "style", "noscript"})
_SUMMARY_NAMES = re.compile(r"sapo|summary|desc|teaser|excerpt|intro|lead|tom-?tat|mo-?ta", re.I)


@dataclass(frozen=True)
class ListingItem:
    """A link to an article as a listing page shows it."""

    url: str
    title: str = ""
    published: datetime | None = None


def parse_listing(html: bytes | str, page_url: str, selectors: Selectors) -> list[ListingItem]:
    """Return the article links of a listing page in page order, each once."""
    with reading():
        root = parse_page(html, page_url)
    if root is None:
        return []
    if selectors.item:
        found = [(el, _link_of(el)) for el in select(root, selectors.item)]
    else:
        found = [(a, a) for a in islice(article_links(root, page_url), _ITEMS_MAX)]
    # A real listing has dozens of links; thousands mean a hostile page, not more news.
    hrefs = {el: link.get("href") for el, link in found[:_ITEMS_MAX] if link is not None}
    held = _links_held(hrefs)
    items: dict[str, ListingItem] = {}
    for el, link in found[:_ITEMS_MAX]:
        url = absolute_url(link.get("href", ""), page_url) if link is not None else None
        if url is None:
            continue
        seen = items.get(key := canonical_url(url))
        if seen is not None and seen.title:
            continue  # the same article linked again (its photo, "xem tiếp"): nothing to add
        boxes = list(_own_boxes(el, hrefs, held))
        title = first_line(_in_boxes(boxes, selectors.item_title)) or first_line([link])
        title = title or clean_line(clean_text(link.get("title", "")))
        if selectors.item_date:
            published = next(
                filter(None, map(date_of, _in_boxes(boxes, selectors.item_date))), None
            )
        else:
            published = _item_date(boxes)
        if seen is None:
            items[key] = ListingItem(url=url, title=title, published=published)
        elif not seen.title and title:  # an image link came first, its title link second
            items[key] = ListingItem(seen.url, title, seen.published or published)
    return list(items.values())


def next_page_url(html: bytes | str, page_url: str, selectors: Selectors) -> str | None:
    """Return the URL of the listing's next (older) page, or None on the last page."""
    here = canonical_url(page_url)
    return next(
        (u for u in next_page_urls(html, page_url, selectors) if canonical_url(u) != here), None
    )


def next_page_urls(html: bytes | str, page_url: str, selectors: Selectors) -> list[str]:
    """Return every URL the page offers as its next page, best first (the page itself too)."""
    with reading():
        root = parse_page(html)
    if root is None:
        return []
    if selectors.next_page:
        candidates = [_link_of(el) for el in select(root, selectors.next_page)]
    else:
        candidates = root.xpath("//link[@rel='next'] | //a[@rel='next']")
        candidates += [a for a in find_links(root) if _says_next(a)]
        candidates += _after_current_page(root)
    hrefs = (el.get("href", "").strip() for el in candidates if el is not None)
    # "#" is how many portals draw a next button that goes nowhere (on the last page).
    urls = (absolute_url(href, page_url) for href in hrefs if not href.startswith("#"))
    return list(dict.fromkeys(url for url in urls if url))


class ListingWalk:
    """The listing pages a walk has read, so that none is fetched twice.

    A next-page link back to a page already read (page 2 leading back to page 1, a page to
    itself, a page number past the end redirected to the first) ends the walk there, and
    ``cycle`` says where: otherwise a walk of N pages reads the same two pages N times.
    """

    def __init__(self) -> None:
        self._read: dict[str, int] = {}  # canonical URL -> number of the page read there
        self.pages = 0
        self.cycle: str | None = None

    def is_new(self, url: str) -> bool:
        """Tell whether url (a listing URL or a next page) has not been read yet."""
        return canonical_url(url) not in self._read

    def read(self, asked: str, reached: str) -> bool:
        """Record a page read at asked (reached after redirects); False if it was read before."""
        earlier = self._read.get(canonical_url(reached))
        if earlier is not None:
            self.cycle = (
                self.cycle or f"listing page {self.pages + 1} ({asked}) is page {earlier} again"
            )
            return False
        self.pages += 1
        self._read.setdefault(canonical_url(asked), self.pages)
        self._read.setdefault(canonical_url(reached), self.pages)
        return True

    def next_page(self, html: bytes | str, page_url: str, selectors: Selectors) -> str | None:
        """Return the next page not read yet; None on the last page or at a cycle."""
        offered = next_page_urls(html, page_url, selectors)
        fresh = next((url for url in offered if self.is_new(url)), None)
        if fresh is None and offered:
            back = self._read[canonical_url(offered[0])]
            to = "itself" if back == self.pages else f"page {back}"
            self.cycle = (
                self.cycle or f"listing page {self.pages} links back to {to} ({offered[0]})"
            )
        return fresh


def _link_of(el: Element) -> Element | None:
    """Return el if it is a link, else the first link inside it."""
    return el if el.get("href") is not None else next(iter(find_links(el)), None)


def _says_next(a: Element) -> bool:
    """Tell whether a link reads as "next page" by its text, title or class."""
    text = clean_line(a.text_content()).lower()
    if text in _NEXT_LABELS or text.strip(_ARROWS) in _NEXT_LABELS:
        return True
    title = clean_line(a.get("title", "")).lower()
    return title in _NEXT_LABELS or "next" in a.get("class", "").lower().split()


def _after_current_page(root: Element) -> list[Element]:
    """Return the link to page N+1 beside a pager's current page N (a number, not a link)."""
    found = []
    for a in find_links(root):
        number = _PAGE_NUMBER.match(clean_line(a.text_content()))
        if number is None or int(number[1]) < 2:
            continue
        current = a.getprevious()
        if current is None and (parent := a.getparent()) is not None:
            item = parent.getprevious()  # <li><span>1</span></li><li><a>2</a></li>
            current = item[-1] if item is not None and len(item) else None
        if current is None or current.tag == "a" or current.get("href") is not None:
            continue
        shown = _PAGE_NUMBER.match(clean_line(current.text_content()))
        if shown is not None and int(shown[1]) == int(number[1]) - 1:
            found.append(a)
    return found


def _links_held(hrefs: dict[Element, str | None]) -> dict[Element, tuple[set, int]]:
    """Return, for each element a few levels above an item, the hrefs of the items inside it
    and how many there are: one pass, so that a page repeating one link thousands of times
    is read in linear time."""
    near = {a for el in hrefs for a in list(el.iterancestors())[:_BOX_LEVELS]}
    held: dict[Element, tuple[set, int]] = {}
    for el, href in hrefs.items():
        for ancestor in el.iterancestors():
            if ancestor in near:
                inside, count = held.get(ancestor, (set(), 0))
                inside.add(href)
                held[ancestor] = (inside, count + 1)
    return held


def _own_boxes(
    el: Element, hrefs: dict[Element, str | None], held: dict[Element, tuple[set, int]]
) -> Iterable[Element]:
    """Yield el and up to three ancestors that hold no item linking elsewhere (and no more
    than an item's few links to its article: photo, title, "xem tiếp")."""
    href = hrefs[el]
    yield el
    for ancestor in list(el.iterancestors())[:_BOX_LEVELS]:
        inside, count = held.get(ancestor, (set(), 0))
        if inside - {href} or count > _BOX_LINKS_MAX:
            return
        yield ancestor


def _item_date(boxes: list[Element]) -> datetime | None:
    """Return the date of the item in boxes (innermost first) that best says when it was posted.

    Its own date element wins, then a date printed beside its title, and only then one in its
    title or summary: a notice's title names the day it is about ("Lịch tiếp công dân ngày
    Thứ Ba 02/06/2020"), not the day it was posted.
    """
    own = (el for box in boxes for el in box.iterdescendants() if _shows_date(el))
    beside = (" ".join(_beside(box)) for box in boxes)
    found = chain(map(date_of, own), map(parse_vietnamese_datetime, beside), map(date_of, boxes))
    return next(filter(None, found), None)


def _shows_date(el: Element) -> bool:
    """Tell whether el looks like an item's date element (and holds no link, as titles do)."""
    if not isinstance(el.tag, str) or find_links(el):
        return False
    named = _DATE_NAMES.search(f"{el.get('class', '')} {el.get('id', '')}")
    return el.tag == "time" or el.get("datetime") is not None or named is not None


def _beside(box: Element) -> Iterator[str]:
    """Yield the texts of box in page order, leaving out its links, paragraphs and summary."""
    stack: list[Element | str] = [box]
    while stack:  # a loop, not recursion: hostile pages nest deeply
        item = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        if _is_wording(item):
            continue  # its tail is the parent's text and was stacked with it
        yield item.text or ""
        for child in reversed(item):
            stack.append(child.tail or "")
            stack.append(child)


def _is_wording(el: Element) -> bool:
    """Tell whether el holds an item's title or summary rather than what surrounds them."""
    if not isinstance(el.tag, str) or el.tag in _WORDING_TAGS:
        return True
    return bool(_SUMMARY_NAMES.search(f"{el.get('class', '')} {el.get('id', '')}"))


def _in_boxes(boxes: list[Element], css: str | None) -> list[Element]:
    """Return what css matches in the innermost box that has a match."""
    return next(filter(None, (select(box, css) for box in boxes)), []) if css else []
