"""Article selectors, inferred only where the defaults disagree with the listing.

A listing block shows what its article should read like: its title, its date, often the
first words of its lead and a thumbnail of its photo. Where the defaults read a page
otherwise (the site's name as title, no date or another one, a caption as lead, the banner
as photo), the element on the page that does show the listing's value gives a selector, kept
only if it reads every page given right. A lead element named as such (``sapo``, ``lead``,
``tom-tat``) is used the same way when the listing shows no summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ...models import Selectors
from ...text.dates import VN_TZ
from ...text.urls import absolute_url
from ...text.vntext import clean_line, fold
from ..articletext import clean_text
from ..extract import ArticlePage, parse_article
from ..htmlpage import Element, date_of, find_links, first_line, outside, select
from ..pagetext import parse_page, text_of
from .blocks import ListedArticle
from .css import candidates

FIELDS = ("title", "date", "lead", "image")
_PREFIX = 30  # folded characters of a listing summary that the lead must start with
_LEAD_NAMES = re.compile(r"sapo|lead|summary|tom-?tat|trich-?yeu|mo-?ta|intro|teaser|desc", re.I)
_LEAD_MIN = 40
_TITLE_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "b", "strong", "font", "span", "div", "td", "p"}
)
_SIZE_SUFFIX = re.compile(
    r"(?:[-_](?:\d+x\d+|thumb(?:nail)?|small|medium|large|resize[d]?))+$", re.I
)
_SIZE_PREFIX = re.compile(r"^(?:thumb(?:nail)?|small|medium|s|t)[-_]", re.I)
_CANDIDATES_MAX = 40


@dataclass(frozen=True)
class Page:
    """An article page as fetched, with what the listing showed of it (if it was listed)."""

    html: bytes
    url: str
    listed: ListedArticle | None = None


def article_selectors(pages: Sequence[Page]) -> Selectors:
    """Return selectors for the fields the defaults read wrong on these pages; none if right."""
    chosen: dict[str, str] = {}
    for field in FIELDS:
        css = _field_selector(field, pages)
        if css is not None:
            chosen[field] = css
    return Selectors(**chosen)


def _field_selector(field: str, pages: Sequence[Page]) -> str | None:
    """Return a selector for one field if the defaults need one and one reads every page."""
    agrees = _AGREES[field]
    for page in pages:
        default = parse_article(page.html, page.url, Selectors())
        expected = _expected(field, page)
        if expected is None or agrees(_value(field, default), expected):
            continue
        root = parse_page(page.html)
        if root is None:
            continue
        tried = 0
        for target in _TARGETS[field](root, expected, page.url):
            for css in _most_telling(root, candidates(target)):
                tried += 1
                if tried > _CANDIDATES_MAX:
                    return None
                if all(_reads(field, css, p) for p in pages):
                    return css
        return None
    return None


def _most_telling(root: Element, selectors: list[str]) -> list[str]:
    """Return selectors by how few elements they pick on the page, then by length.

    ``.field--name-field-tom-tat`` says more than ``.text-formatted``, which the body shares.
    """
    return sorted(selectors, key=lambda css: (len(select(root, css)), len(css)))


def _reads(field: str, css: str, page: Page) -> bool:
    """Tell whether css reads the field of page right (or, without evidence, reads something)."""
    read = parse_article(page.html, page.url, Selectors(**{field: css}))
    if field in read.unmatched:
        return _expected(field, page) is None and field == "image"  # a story without a photo
    expected = _expected(field, page)
    value = _value(field, read)
    return bool(value) if expected is None else _AGREES[field](value, expected)


def _expected(field: str, page: Page) -> object | None:
    """Return what the listing says the field should be (or what a lead element holds)."""
    listed = page.listed
    if field == "lead":
        if listed is not None and listed.summary:
            return listed.summary
        return _named_lead(page)
    if listed is None:
        return None
    return {"title": listed.title, "date": listed.published, "image": listed.thumbnail}[field]


def _named_lead(page: Page) -> str | None:
    """Return the text of an element named as the lead (class "sapo", "lead", ...), if any."""
    root = parse_page(page.html)
    if root is None:
        return None
    for el in root.iter():
        names = f"{el.get('class', '')} {el.get('id', '')}" if isinstance(el.tag, str) else ""
        if el.tag in ("meta", "link", "body", "html") or not _LEAD_NAMES.search(names):
            continue
        text = clean_text(text_of(el))
        if len(text) >= _LEAD_MIN and not outside(el) and not find_links(el):
            return text
    return None


def _value(field: str, page: ArticlePage) -> object:
    return {
        "title": page.title,
        "date": page.published,
        "lead": page.lead,
        "image": page.image_url,
    }[field]


def _same_title(value: object, expected: object) -> bool:
    shown = fold(clean_line(str(expected))).rstrip(" .…")
    return bool(value) and (fold(str(value)) == shown or fold(str(value)).startswith(shown))


def _same_date(value: object, expected: object) -> bool:
    if not isinstance(value, datetime) or not isinstance(expected, datetime):
        return False
    local, shown = value.astimezone(VN_TZ), expected.astimezone(VN_TZ)
    if shown.hour or shown.minute:  # the listing shows the time too
        return local.replace(second=0) == shown.replace(second=0)
    return local.date() == shown.date()


def _same_lead(value: object, expected: object) -> bool:
    return bool(value) and fold(str(value)).startswith(fold(str(expected))[:_PREFIX])


def _same_image(value: object, expected: object) -> bool:
    return bool(value) and image_stem(str(value)) == image_stem(str(expected))


def image_stem(url: str) -> str:
    """Return a photo's file name without extension and size marks (thumbnails compare equal)."""
    name = url.split("?", 1)[0].rstrip("/").rpartition("/")[2]
    stem = name.rpartition(".")[0] or name
    return _SIZE_PREFIX.sub("", _SIZE_SUFFIX.sub("", stem)).lower()


_AGREES: dict[str, Callable[[object, object], bool]] = {
    "title": _same_title,
    "date": _same_date,
    "lead": _same_lead,
    "image": _same_image,
}


def _deepest(elements: list[Element]) -> list[Element]:
    """Return elements without those that contain another of them (the tightest first)."""
    chosen = set(elements)
    inner = [el for el in elements if not any(d in chosen for d in el.iterdescendants())]
    outer = [el for el in elements if el not in inner]
    return inner + outer


def _title_targets(root: Element, expected: object, page_url: str) -> list[Element]:
    found = [
        el
        for el in root.iter(*_TITLE_TAGS)
        if _same_title(first_line([el]), expected)
        and len(clean_line(el.text_content())) < 2 * len(str(expected)) + 20
        and not find_links(el)
    ]
    return _deepest(found)


def _date_targets(root: Element, expected: object, page_url: str) -> list[Element]:
    found = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag not in ("html", "head", "body", "title", "script", "style")
        and len(el.text_content()) < 120
        and not find_links(el)
        and _same_date(date_of(el), expected)
    ]
    return _deepest(found)


def _lead_targets(root: Element, expected: object, page_url: str) -> list[Element]:
    """Return the elements whose text starts like the lead, in page order: a named block
    (``.sapo``) before the ``<strong>`` inside it."""
    limit = 3 * len(str(expected)) + 300
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag not in ("html", "body", "meta", "title")
        and len(el.text_content()) < limit
        and _same_lead(clean_text(text_of(el)), expected)
    ]


def _image_targets(root: Element, expected: object, page_url: str) -> list[Element]:
    stem = image_stem(str(expected))
    return [
        img
        for img in root.iter("img")
        if (src := absolute_url(img.get("data-src") or img.get("src"), page_url))
        and image_stem(src) == stem
    ]


_TARGETS: dict[str, Callable[[Element, object, str], list[Element]]] = {
    "title": _title_targets,
    "date": _date_targets,
    "lead": _lead_targets,
    "image": _image_targets,
}
