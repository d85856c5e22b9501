"""Where an article page keeps its title, date, lead, photo and author, found without
selectors on the layouts Vietnamese portals share (its files: pagefiles.py).

The title is the heading nearest above the article's text (the page's ``<title>`` and its
only ``<h1>`` often name the site or the section); the date is the page's metadata, else the
short date line beside the title, else the first line further down that gives nothing but a
date ("Cập nhật lúc 08:30 Thứ Ba, 02/06/2020", "05-06-2020 | Lượt xem: 120") or a notice's
place and date; the lead is the element named as one (``sapo``, ``summary``, ``tom-tat``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from lxml import etree

from ..text.dates import parse_vietnamese_datetime
from ..text.vntext import clean_line, fold
from .articletext import (
    clean_text,
    is_date_line,
    is_place_date,
    is_related_heading,
    signed_name,
    strip_furniture,
)
from .htmlpage import Element, find_links, first_line, iso_date, outside
from .pagetext import is_icon, is_photo, text_of

Metas = dict[str, list[str]]

# "Tiêu đề | Cổng thông tin điện tử xã Đông Thái": the site's name after the title.
_SITE_SUFFIX = re.compile(r"\s+[|\-–—]\s+(?:cổng|trang)\s+thông\s+tin\b.*$", re.I)
_TITLE_CLASS = re.compile(r"title|tieu-?_?de|headline", re.I)
_HEADING_TAGS = frozenset({"h1", "h2", "h3"})
_LEAD_CLASS = re.compile(
    r"sapo|summary|tom-?tat|tomtat|\blead\b|[-_]lead|intro|teaser|excerpt|abstract|chapeau"
    r"|mo-?ta\b|trich-?yeu|desc\b|description",
    re.I,
)
_TITLE_MIN, _TITLE_MAX = 8, 300
_LEAD_MIN, _LEAD_MAX = 40, 1500
_NEAR_TITLE = 8  # text nodes after the title that may hold its date line
_DATE_NODE_MAX = 80  # a date line is short; a date inside a long sentence is the news's own
_DATE_START = re.compile(
    r"^(?:ngày\s+đăng|đăng\s+ngày|(?:ngày\s+)?cập\s+nhật|thời\s+gian\s+đăng|(?:thứ\s+\w+|chủ\s+nhật)"
    r"\s*,|\(?\s*\d{1,2}\s*[:/.h-]\s*\d)",
    re.I,
)
_SCAN_NODES = 600  # how far below the title a date line is looked for
_SCAN_ELEMENTS = 3000  # how far from the title a lead or photo is looked for
_AUTHOR_PREFIX = re.compile(r"^(?:viết\s+bởi|tác\s+giả|người\s+viết|bài\s+viết)\s*:?\s*", re.I)

# Two queries: a union of both is several times slower than either (it sorts in page order).
_heading_tags = etree.XPath("//h1 | //h2 | //h3")
_titled = etree.XPath(
    "//*[@itemprop='headline' or contains(@class, 'title') or contains(@class, 'tieu')"
    " or contains(@class, 'headline')]"
)
_TEXT = "text()[normalize-space()][not(parent::script or parent::style)]"
_following_text = etree.XPath(f"following::{_TEXT}[position() <= $n]")
_before_text = etree.XPath(f"preceding::{_TEXT}[position() <= 3]")
_structured_dates = etree.XPath("//*[@datetime or @itemprop='datePublished']")


def metas_of(root: Element) -> Metas:
    """Return the content of the page's meta tags by their (lowercased) name or property."""
    found: Metas = {}
    for meta in root.iter("meta"):
        name = meta.get("property") or meta.get("name") or meta.get("itemprop")
        if name and (content := meta.get("content")):
            found.setdefault(name.lower(), []).append(content)
    return found


def meta(metas: Metas, *names: str) -> list[str]:
    """Return the content of the meta tags with these names, in the order asked."""
    return [value for name in names for value in metas.get(name.lower(), ())]


def find_title(root: Element, metas: Metas, main: Element) -> tuple[str, Element | None]:
    """Return the article's title and the element showing it (None if no element does).

    og:title wins, without a site name a heading shows it lacks; else the heading nearest
    above the article's text; else the document's title without the site's name.
    """
    shared = next(filter(None, (clean_line(clean_text(v)) for v in meta(metas, "og:title"))), "")
    if shared:
        key = fold(shared)
        for el in _headings(root):
            text = fold(clean_line(el.text_content()))
            if not text or not key.startswith(text) or len(text) * 2 <= len(key):
                continue  # cheap test first: most headings are not the title
            if _is_title_like(el) and key.startswith(fold(line := first_line([el]))):
                return line, el
        return shared, _showing(root, shared)
    nearest = _nearest_above(main)
    if nearest is None:
        nearest = next((el for el in _headings(root) if _is_title_like(el)), None)
    if nearest is not None:
        return first_line([nearest]), nearest
    document = " ".join(t.text_content() for t in root.iter("title"))
    title = _SITE_SUFFIX.sub("", clean_line(clean_text(document)))
    return title, _showing(root, title) if title else None


def _headings(root: Element) -> Iterator[Element]:
    """Yield the page's headings (h1 to h3), then the elements named as titles."""
    yield from _heading_tags(root)
    yield from _titled(root)


def _is_heading(el: Element) -> bool:
    """Tell whether an element is a heading or named as a title, as _headings finds them."""
    if el.tag in _HEADING_TAGS or el.get("itemprop") == "headline":
        return True
    names = el.get("class")
    return bool(names) and _TITLE_CLASS.search(names) is not None


def _is_title_like(el: Element) -> bool:
    """Tell whether an element can show an article's title: a heading of a sentence's length
    that is not a link (a menu or a related article), a lead, or a section's label."""
    if not isinstance(el.tag, str) or el.tag in ("html", "body", "title", "meta"):
        return False
    names = f"{el.get('class', '')} {el.get('id', '')}"
    if _LEAD_CLASS.search(names) or outside(el):
        return False
    text = first_line([el])
    if not _TITLE_MIN <= len(text) <= _TITLE_MAX or text.isupper() or is_related_heading(text):
        return False
    links = clean_line(" ".join(a.text_content() for a in find_links(el)))
    return links != text


def _nearest_above(main: Element) -> Element | None:
    """Return the title-like heading nearest above the article's first paragraph: inside
    the main block before its text, else the last one before the block."""
    last = None
    for el in main.iter():
        if not isinstance(el.tag, str):
            continue
        if _is_heading(el) and _is_title_like(el):
            last = el
        elif (
            el.text
            and len(el.text.strip()) >= _LEAD_MIN
            and (last is None or last not in el.iterancestors())
        ):
            break
    if last is not None:
        return last
    for steps, el in enumerate(_preceding(main)):
        if steps > _SCAN_ELEMENTS:
            return None
        if isinstance(el.tag, str) and _is_heading(el) and _is_title_like(el):
            return el
    return None


def _preceding(el: Element) -> Iterator[Element]:
    """Yield the elements before el in reverse page order (its ancestors included)."""
    node: Element | None = el
    while node is not None:
        for sibling in node.itersiblings(preceding=True):
            yield from reversed(list(sibling.iter()))
        node = node.getparent()
        if node is not None:
            yield node


def _following(el: Element) -> Iterator[Element]:
    """Yield the elements after el in page order, its own descendants first."""
    yield from el.iterdescendants()
    node: Element | None = el
    while node is not None:
        for sibling in node.itersiblings():
            yield sibling
            yield from sibling.iterdescendants()
        node = node.getparent()


def _showing(root: Element, title: str) -> Element | None:
    """Return the element whose text is the title, so that its date line can be found."""
    key = fold(title)
    for el in _headings(root):
        if fold(clean_line(el.text_content())) == key:
            return el
    return None


def find_date(root: Element, metas: Metas, title_el: Element | None) -> datetime | None:
    """Return when the article was published, by the evidence the page gives, best first."""
    for value in meta(metas, "article:published_time", "datePublished", "dc.date.issued"):
        if found := iso_date(value) or parse_vietnamese_datetime(value):
            return found
    for el in _structured_dates(root):
        value = el.get("datetime") or el.get("content") or ""
        if not outside(el) and (found := iso_date(value) or parse_vietnamese_datetime(value)):
            return found
    if title_el is None:
        return None
    near = [str(t).strip() for t in _following_text(title_el, n=_NEAR_TITLE)]
    # A date line is short, or long only past its date ("Ngày đăng: … - Tác giả: … - Nguồn: …").
    short = " ".join(
        t[:_DATE_NODE_MAX] for t in near if len(t) <= _DATE_NODE_MAX or _DATE_START.match(t)
    )
    before = " ".join(reversed([str(t) for t in _before_text(title_el)]))
    return (
        parse_vietnamese_datetime(short)
        or parse_vietnamese_datetime(before)
        or _date_line_below(title_el)
    )


def _date_line_below(title_el: Element) -> datetime | None:
    """Return the date of the first line below the title that gives only a date (or a
    notice's place and date), up to a related-news list."""
    for node in _following_text(title_el, n=_SCAN_NODES):
        line = strip_furniture(str(node))
        if not line or len(line) > _DATE_NODE_MAX:
            continue
        if is_related_heading(line):
            return None
        parent = node.getparent()
        if parent is not None and outside(parent):
            continue
        if is_date_line(line) or is_place_date(line):
            return parse_vietnamese_datetime(line)
    return None


def find_lead(title_el: Element | None, main: Element) -> Element | None:
    """Return the element a layout names as the lead ("sapo", "summary", "tom-tat"): the
    first after the title, before the article's text ends, with a paragraph's worth of text."""
    end = _end_of(main)
    around = set(main.iterancestors())
    elements = _following(title_el) if title_el is not None else main.iter()
    for steps, el in enumerate(elements):
        if el is end or steps > _SCAN_ELEMENTS:
            return None  # past the article: summaries there are other articles'
        names = el.get("class") if isinstance(el.tag, str) else None
        if not names or el is main or el in around:
            continue
        if not _LEAD_CLASS.search(names.replace("with-summary", "")):
            continue
        paragraphs = clean_text(text_of(el)).split("\n\n")
        fits = len(paragraphs) <= 2 and _LEAD_MIN <= len(paragraphs[0]) <= _LEAD_MAX
        if fits and not outside(el):
            return el
    return None


def _end_of(el: Element) -> Element | None:
    """Return the first element after el and all it holds, in page order."""
    node: Element | None = el
    while node is not None:
        following = node.getnext()
        if following is not None:
            return following
        node = node.getparent()
    return None


def photo_above(title_el: Element | None, main: Element) -> str | None:
    """Return the src of the photo between the title and the article's text (a CMS's image
    field shown above the body), if there is one."""
    if title_el is None or title_el is main or main in title_el.iterancestors():
        return None
    for steps, el in enumerate(_following(title_el)):
        if el is main or steps > _SCAN_ELEMENTS:
            return None
        if el.tag == "img" and not is_icon(el) and not outside(el):
            src = (el.get("data-src") or el.get("src") or "").strip()
            if src and is_photo(src):
                return src
    return None


def structured_author(root: Element) -> str:
    """Return the author a page marks up (schema.org's author), unless it is a placeholder."""
    for el in root.xpath("//*[@itemprop='author']"):
        if name := signed_name(_AUTHOR_PREFIX.sub("", first_line([el]))):
            return name
    return ""
