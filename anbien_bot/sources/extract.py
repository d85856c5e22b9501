"""The parts of an article page out of portal HTML, and the article as an Entry.

An admin's CSS selectors (:class:`~anbien_bot.models.Selectors`) are tried first, then defaults
that fit most Vietnamese government portals. Nothing here fetches: pages arrive as bytes or
text and come back as plain data, so the same code serves polling and the admin's preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

from lxml import etree

from ..models import Attachment, Entry, Selectors
from ..text.dates import parse_vietnamese_datetime
from ..text.urls import absolute_url, canonical_url
from ..text.vntext import clean_line, fold
from .articletext import (
    arrange,
    author_name,
    clean_text,
    main_element,
    parse_page,
    read_blocks,
    text_of,
)
from .htmlpage import (
    Element,
    ExtractError,
    date_of,
    find_links,
    first_line,
    iso_date,
    outside,
    reading,
    select,
)
from .listing import ListingItem

# The article-page selectors, in the order ArticlePage.unmatched names them.
_ARTICLE_FIELDS = ("title", "date", "lead", "body", "image", "caption", "author", "attachments")
_DEFAULT_ID = re.compile(r"/TinTuc/\d+/(\d+)(?:/|\.html?$|$)", re.I)
_ICON = re.compile(r"logo|icon|spacer|blank\.|pixel|loading|avatar|emoticon|\.svg$", re.I)
_GENERIC_LINK = frozenset({"tải về", "tải xuống", "download", "xem", "tại đây", "xem chi tiết"})
_LEAD_META_MIN = 60  # a site-wide description ("Cổng thông tin điện tử ...") is shorter
# "Tiêu đề | Cổng thông tin điện tử xã Đông Thái": the site's name after the title.
_SITE_SUFFIX = re.compile(r"\s+[|\-–—]\s+(?:cổng|trang)\s+thông\s+tin\b.*$", re.I)
_NEAR_TITLE = 200  # how much text after the title may still hold its date line

_NEAR = "[normalize-space()][not(parent::script or parent::style)]"
_after = etree.XPath(f"following::text(){_NEAR}[position() <= 8]")
_before = etree.XPath(f"preceding::text(){_NEAR}[position() <= 3]")
_labels = etree.XPath(
    "//body//text()[contains(., 'đính kèm') or contains(., 'Đính kèm') or contains(., 'ĐÍNH KÈM')]"
)


@dataclass(frozen=True)
class ArticlePage:
    """An article page's parts as plain text; ``unmatched`` names selectors that found nothing."""

    url: str
    title: str = ""
    published: datetime | None = None
    lead: str = ""
    body: str = ""
    image_url: str | None = None
    images: tuple[tuple[str, str], ...] = ()  # (absolute url, caption)
    author: str = ""
    attachments: tuple[Attachment, ...] = ()
    unmatched: tuple[str, ...] = ()


def parse_article(html: bytes | str, page_url: str, selectors: Selectors) -> ArticlePage:
    """Return the parts of an article page; raise ExtractError if it is not HTML at all."""
    with reading():
        root = parse_page(html)
        if root is None:
            raise ExtractError("the page is empty")
        return _article(root, page_url, selectors)


def article_key(url: str, id_pattern: str | None = None) -> str:
    """Return the article's stable identity: its numeric id if the URL has one, else the URL."""
    try:
        pattern = re.compile(id_pattern) if id_pattern else _DEFAULT_ID
    except re.error as exc:
        raise ValueError(f"id_pattern {id_pattern!r} is not a regular expression: {exc}") from None
    match = pattern.search(url)
    found = (match.group(1) if pattern.groups else match.group(0)) if match else None
    return found or canonical_url(url) or url


def to_entry(page: ArticlePage, key: str, fallback: ListingItem | None = None) -> Entry:
    """Return the page as an Entry, filling a missing title or date from its listing item."""
    return Entry(
        key=key,
        url=page.url,
        title=page.title or (fallback.title if fallback else ""),
        summary=page.lead or page.body.partition("\n\n")[0],
        image_url=page.image_url,
        published=page.published or (fallback.published if fallback else None),
        body=page.body,
        author=page.author,
        attachments=page.attachments,
    )


def _article(root: Element, page_url: str, selectors: Selectors) -> ArticlePage:
    """Return the parts of a parsed article page."""
    picked = {name: select(root, getattr(selectors, name)) for name in _ARTICLE_FIELDS}
    pick = picked.__getitem__
    metas = _metas(root)
    title_el = next((el for el in pick("title") if first_line([el])), None)
    chosen_title = first_line([title_el]) if title_el is not None else ""
    heading = _heading(root)
    title = chosen_title or _default_title(root, metas, heading)
    if title_el is None:
        title_el = _title_element(root, title, heading)

    bodies = _outermost(pick("body")) or [main_element(root)]
    block = None if pick("attachments") else _attachment_block(root, bodies)
    skip = [el for el in (*pick("author"), *pick("attachments")) if not _holds_any(el, bodies)]
    skip += [block] if block is not None else []
    blocks = [b for body in bodies for b in read_blocks(body, skip, pick("caption"))]
    text = arrange(blocks, title)

    chosen_date = next(filter(None, map(date_of, pick("date"))), None)
    chosen_lead = next(filter(None, (clean_text(text_of(el)) for el in pick("lead"))), "")
    chosen_image = next(filter(None, (_image_of(el, page_url) for el in pick("image"))), None)
    chosen_author = next(filter(None, map(_author_of, pick("author"))), "")
    images = tuple(
        (url, caption)
        for src, caption in text.images
        if not _ICON.search(src) and (url := absolute_url(src, page_url))
    )
    shared = (absolute_url(v, page_url) for v in _meta(metas, "og:image", "twitter:image"))
    image_url = chosen_image or next(filter(None, shared), images[0][0] if images else None)
    links = _links_in(pick("attachments")) or _pdf_links(bodies)
    links += find_links(block) if block is not None else []
    results = (chosen_title, chosen_date, chosen_lead, pick("body"), chosen_image)
    results += (pick("caption"), chosen_author, pick("attachments"))
    return ArticlePage(
        url=page_url,
        title=title,
        published=chosen_date or _default_date(metas, title_el),
        lead=chosen_lead or _meta_lead(metas, title, text.lead) or text.lead,
        body="\n\n".join(text.paragraphs),
        image_url=image_url,
        images=images,
        author=chosen_author or text.author,
        attachments=_attachments(links, page_url),
        unmatched=tuple(
            name
            for name, result in zip(_ARTICLE_FIELDS, results, strict=True)
            if getattr(selectors, name) and not result
        ),
    )


def _metas(root: Element) -> dict[str, list[str]]:
    """Return the content of the page's meta tags by their (lowercased) name or property."""
    found: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        name = meta.get("property") or meta.get("name") or meta.get("itemprop")
        if name and (content := meta.get("content")):
            found.setdefault(name.lower(), []).append(content)
    return found


def _meta(metas: dict[str, list[str]], *names: str) -> list[str]:
    """Return the content of the meta tags with these names, in the order asked."""
    return [value for name in names for value in metas.get(name.lower(), ())]


def _outermost(elements: list[Element]) -> list[Element]:
    """Return elements without those nested inside another one of them."""
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _holds_any(el: Element, inner: list[Element]) -> bool:
    """Tell whether el is, or contains, any of the inner elements."""
    return any(el is i or el in i.iterancestors() for i in inner)


def _default_title(root: Element, metas: dict[str, list[str]], heading: Element | None) -> str:
    """Return og:title, else the page's own h1, else the document title without the site."""
    document_title = " ".join(t.text_content() for t in root.iter("title"))
    return (
        next(filter(None, (clean_text(v) for v in _meta(metas, "og:title"))), "")
        or (first_line([heading]) if heading is not None else "")
        or _SITE_SUFFIX.sub("", clean_line(clean_text(document_title)))
    )


def _heading(root: Element) -> Element | None:
    """Return the first h1 that is not the site's logo or a menu entry (a link and no more)."""
    for h1 in root.iter("h1"):
        text = clean_line(h1.text_content())
        links = clean_line(" ".join(a.text_content() for a in find_links(h1)))
        if text and text != links and not outside(h1):
            return h1
    return None


def _title_element(root: Element, title: str, heading: Element | None) -> Element | None:
    """Return the element showing the title (else the page's h1): its date line is beside it."""
    key = fold(title)
    if heading is not None and fold(first_line([heading])) == key:
        return heading
    # text_content() is fast but keeps script text: fine for telling headings apart.
    candidates = root.xpath("//h1 | //h2 | //h3 | //*[contains(@class, 'title')]") if title else []
    return next((el for el in candidates if fold(clean_line(el.text_content())) == key), heading)


def _default_date(metas: dict[str, list[str]], title_el: Element | None) -> datetime | None:
    """Return the date in the page's metadata, else the date line next to the title."""
    for value in _meta(metas, "article:published_time", "datePublished", "dc.date.issued"):
        if found := iso_date(value) or parse_vietnamese_datetime(value):
            return found
    if title_el is None:
        return None
    after = " ".join(_after(title_el))[:_NEAR_TITLE]
    before = " ".join(reversed(_before(title_el)))
    return parse_vietnamese_datetime(after) or parse_vietnamese_datetime(before)


def _meta_lead(metas: dict[str, list[str]], title: str, first_paragraph: str) -> str:
    """Return the page's description as a lead, unless it is the site's or a cut paragraph."""
    for value in _meta(metas, "og:description", "description"):
        text = clean_text(value)
        if len(text) < _LEAD_META_MIN or fold(text) == fold(title):
            continue
        # A description cut short from the first paragraph: the whole paragraph is better.
        if first_paragraph and fold(first_paragraph).startswith(fold(text.rstrip(" .…"))):
            return first_paragraph
        return text
    return ""


def _image_of(el: Element, page_url: str) -> str | None:
    """Return the photo a selector points at: an img, a meta tag, a link, or an img inside."""
    candidates = [el.get(name) for name in ("data-src", "src", "content", "href")]
    candidates += [img.get("data-src") or img.get("src") for img in el.iter("img")]
    return next(filter(None, (absolute_url(src, page_url) for src in candidates if src)), None)


def _author_of(el: Element) -> str:
    """Return the name in an author element, with or without a "Tin và ảnh:" prefix."""
    line = first_line([el])
    return author_name(line) or line.strip(" .,;-–—*")


def _attachment_block(root: Element, bodies: list[Element]) -> Element | None:
    """Return the "Tệp đính kèm" block with its links, unless it is the whole body or more."""
    page_text = root.text_content()
    if "ính kèm" not in page_text and "ÍNH KÈM" not in page_text:
        return None  # most pages have none, and the XPath below is slow
    for label in _labels(root):
        if len(label.strip()) > 40:
            continue  # a sentence that mentions attachments, not a heading
        block = label.getparent()
        block = block.getparent() if label.is_tail else block
        for _ in range(4):
            if block is None or _holds_any(block, bodies):
                break
            if block.tag != "a" and find_links(block):
                return block
            block = block.getparent()
    return None


def _links_in(elements: list[Element]) -> list[Element]:
    """Return the elements that are links, and the links inside the others."""
    return [a for el in elements for a in ([el] if el.get("href") else find_links(el))]


def _pdf_links(bodies: list[Element]) -> list[Element]:
    """Return the links to PDFs (signed decisions included) inside the article body."""
    return [
        a
        for body in bodies
        for a in find_links(body)
        if a.get("href", "").lower().partition("?")[0].endswith(".pdf")
    ]


def _attachments(links: list[Element], page_url: str) -> tuple[Attachment, ...]:
    """Return links as attachments with absolute URLs, each file once."""
    found: dict[str, Attachment] = {}
    for a in links:
        url = absolute_url(a.get("href", ""), page_url)
        if url is None or url in found:
            continue
        title = first_line([a]) or clean_line(clean_text(a.get("title", "")))
        if not title or title.lower() in _GENERIC_LINK:
            name = a.get("href", "").partition("?")[0].rstrip("/").rpartition("/")[2]
            title = clean_line(unquote(name))
        found[url] = Attachment(title=title, url=url)
    return tuple(found.values())
