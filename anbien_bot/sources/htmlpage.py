"""What listing and article extraction both read in a parsed portal page.

Reading a hostile page safely, the elements an admin's CSS selector picks, its links, whether
an element is page furniture, and the first line and the date an element shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from ..text.dates import VN_TZ, parse_vietnamese_datetime
from ..text.vntext import clean_line
from .articletext import clean_text
from .pagetext import text_of

Element = lxml.html.HtmlElement

# A class or id word naming page furniture ("sidebar", "region-sidebar-first", "gva_menu"),
# but not one describing the page ("has-breadcrumb", "no-sidebar").
_OUTSIDE_CONTENT = re.compile(
    r"(?:^|\s)(?!(?:has|no|with|without|is)-)[\w-]*?(?:^|\b|[-_])"
    r"(?:sidebar|side-bar|menu|footer|navbar|breadcrumbs?|banner)(?=$|[\s_-])",
    re.I,
)
_OUTSIDE_CAMEL = re.compile(r"[a-z0-9](?:Sidebar|Menu|Footer|Navbar|Breadcrumbs?|Banner)(?![a-z])")

find_links = etree.XPath(".//a[@href]")


class ExtractError(Exception):
    """A page that could not be read as HTML at all."""


@contextmanager
def reading() -> Iterator[None]:
    """Turn whatever a hostile page makes lxml raise into ExtractError."""
    try:
        yield
    except (etree.LxmlError, RecursionError, ValueError) as exc:
        raise ExtractError(f"the page could not be read: {exc}") from exc


@lru_cache(maxsize=256)
def _compiled_css(css: str) -> CSSSelector | None:
    """Return the compiled selector, or None if css is not valid."""
    try:
        return CSSSelector(css, translator="html")
    except (SelectorError, etree.XPathError, ValueError):
        return None


def select(root: etree._Element, css: str | None) -> list[Element]:
    """Return the elements css matches under root; none if css is missing or not valid."""
    compiled = _compiled_css(css) if css else None
    try:
        return [el for el in compiled(root) if isinstance(el.tag, str)] if compiled else []
    except etree.XPathError:
        return []


def first_line(elements: Iterable[Element]) -> str:
    """Return the first non-empty text of elements as one clean line."""
    return next(filter(None, (clean_line(clean_text(text_of(el))) for el in elements)), "")


def outside(el: Element) -> bool:
    """Tell whether el sits in a menu, sidebar, or the page's header or footer (an article's
    own <header>, holding its title, is not the page's)."""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("nav", "aside"):
            return True
        if ancestor.tag in ("header", "footer") and not any(
            a.tag in ("article", "main") for a in ancestor.iterancestors()
        ):
            return True
        if ancestor.tag in ("body", "html"):
            break  # their classes describe the whole page ("right-sidebar")
        names = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if names != " " and (_OUTSIDE_CONTENT.search(names) or _OUTSIDE_CAMEL.search(names)):
            return True
    return False


def date_of(el: Element) -> datetime | None:
    """Return the date an element shows, or holds in a datetime/content attribute.

    A ``datetime`` attribute with a time of day wins over the text (``<time
    datetime="2025-07-22T16:45+07:00">22/07/2025</time>`` was posted at 16:45); a date alone
    there says less than a text that gives the time too.
    """
    stamp = el.get("datetime")
    if stamp and ":" in stamp and (exact := iso_date(stamp) or parse_vietnamese_datetime(stamp)):
        return exact
    if found := parse_vietnamese_datetime(text_of(el)):
        return found
    values = (el.get(name) for name in ("datetime", "content", "title"))
    return next(
        filter(None, (iso_date(v) or parse_vietnamese_datetime(v) for v in values if v)), None
    )


def iso_date(value: str) -> datetime | None:
    """Return an ISO 8601 timestamp as aware UTC (Vietnam time if it names no offset)."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)).astimezone(UTC)
