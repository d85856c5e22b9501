"""The link from a listing page to its next (older) page, and a selector for it if needed.

The defaults know ``rel="next"``, a "next" class and the usual labels ("Trang sau", "»").
Portals also write "Trang kế", ">>", a class such as ``next-page``, a title attribute, or
only numbers with the current one marked: the next is then the number after the mark
(``.paging span.current + a``). Whatever is found is checked the way the poller reads it.
"""

from __future__ import annotations

import re

from ...models import Selectors
from ...text.urls import absolute_url, canonical_url, host_of
from ...text.vntext import clean_line, fold
from ..htmlpage import Element, find_links
from ..listing import next_page_url
from .css import own_selectors, quoted

_LABELS = frozenset(
    {
        "trang sau",
        "trang tiep",
        "trang ke",
        "trang ke tiep",
        "ke tiep",
        "tiep",
        "tiep theo",
        "sau",
        "next",
        "den trang sau",
        ">",
        ">>",
        "»",
        "›",
        "››",
        "»»",
    }
)
_NEXT_NAME = re.compile(r"next|sau|tiep|\bke\b", re.I)
_CURRENT_NAME = re.compile(r"active|current|selected|dang-xem", re.I)
_MARK_TAGS = frozenset({"span", "b", "strong", "font", "li", "em", "u"})


def find_next(
    root: Element, html: bytes, page_url: str, item_css: str | None
) -> tuple[str, str | None] | None:
    """Return the next page's URL and, where the defaults miss it, a selector for its link."""
    default = next_page_url(html, page_url, Selectors(item=item_css))
    if default is not None:
        return default, None
    here, host = canonical_url(page_url), host_of(page_url)
    for link, selectors in _candidates(root):
        url = absolute_url(link.get("href", ""), page_url)
        if url is None or canonical_url(url) == here or host_of(url) != host:
            continue
        for css in selectors:
            if next_page_url(html, page_url, Selectors(item=item_css, next_page=css)) == url:
                return url, css
    return None


def _candidates(root: Element) -> list[tuple[Element, list[str]]]:
    """Return links that may lead to the next page, each with selectors to try for it."""
    found = []
    for a in find_links(root):
        href = a.get("href", "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        selectors = _named(a) + _labelled(a)
        if selectors:
            found.append((a, selectors))
    numbered = _after_current(root)
    if numbered is not None:
        found.append(numbered)
    return found


def _named(a: Element) -> list[str]:
    """Return selectors for a link whose class (or its list item's) says "next"."""
    found = []
    for name in a.get("class", "").split():
        if _NEXT_NAME.search(name):
            found.append(f"a.{name}")
    parent = a.getparent()
    if parent is not None and parent.tag == "li":
        found += [f"li.{name} a" for name in parent.get("class", "").split() if "next" in name]
    return found


def _labelled(a: Element) -> list[str]:
    """Return selectors for a link whose title, label or text reads "next page"."""
    found = []
    for attribute in ("title", "aria-label"):
        value = a.get(attribute, "")
        if fold(clean_line(value)) in _LABELS:
            found.append(f"a[{attribute}={quoted(value)}]")
    text = clean_line(a.text_content())
    if fold(text) in _LABELS:
        outer = _pager_selectors(a)
        found += [f"{o} a:contains({quoted(text)})" for o in outer]
        found.append(f"a:contains({quoted(text)})")
    return found


def _after_current(root: Element) -> tuple[Element, list[str]] | None:
    """Return the link right after the marked current page number, with selectors for it."""
    for mark in root.iter(*_MARK_TAGS):
        text = clean_line(mark.text_content())
        if not text.isdigit() or mark.get("href") is not None or find_links(mark):
            continue
        named = _CURRENT_NAME.search(mark.get("class", ""))
        following = mark.getnext()
        if mark.tag == "li":
            link = next(iter(find_links(following)), None) if following is not None else None
        else:
            link = following if following is not None and following.tag == "a" else None
        if link is None or clean_line(link.text_content()) != str(int(text) + 1):
            continue
        if not named and mark.tag not in ("span", "b", "strong", "font"):
            continue
        # The mark's own "current" class says most, though it is no name elsewhere.
        marks = [
            f"{mark.tag}.{n}" for n in mark.get("class", "").split() if _CURRENT_NAME.search(n)
        ]
        marks += [s for s in own_selectors(mark) if "." in s or "#" in s] + [mark.tag]
        tail = " + li a" if mark.tag == "li" else " + a"
        outer = _pager_selectors(mark)
        selectors = [f"{o} {m}{tail}" for o in outer for m in marks]
        return link, selectors + [f"{m}{tail}" for m in marks]
    return None


def _pager_selectors(el: Element) -> list[str]:
    """Return selectors for the nearest ancestors of el that have names (the pager)."""
    found: list[str] = []
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html") or len(found) >= 4:
            break
        found += own_selectors(ancestor)[:2]
    return found
