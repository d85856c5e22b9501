"""The parts of an article page out of portal HTML, and the article as an Entry.

An admin's CSS selectors (:class:`~anbien_bot.models.Selectors`) are tried first, then defaults
that fit most Vietnamese government portals. Nothing here fetches: pages arrive as bytes or
text and come back as plain data, so the same code serves polling and the admin's preview.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..models import Attachment, BodyBlock, Entry, Selectors
from ..text.urls import absolute_url
from ..text.vntext import fold
from ..values import BlockKind
from .articletext import arrange, author_name, clean_text, resolved
from .articleurls import article_key as article_key  # where ingest and preview find it
from .htmlpage import (
    Element,
    ExtractError,
    date_of,
    find_links,
    first_line,
    reading,
    select,
)
from .listing import ListingItem
from .mainblock import main_element
from .pagefields import (
    Metas,
    find_date,
    find_lead,
    find_title,
    meta,
    metas_of,
    photo_above,
    structured_author,
)
from .pagefiles import attachment_block, attachments, file_lines, file_links
from .pagetext import is_photo, parse_page, read_blocks, text_of

# The article-page selectors, in the order ArticlePage.unmatched names them.
_ARTICLE_FIELDS = ("title", "date", "lead", "body", "image", "caption", "author", "attachments")
_LEAD_META_MIN = 60  # a site-wide description ("Cổng thông tin điện tử ...") is shorter


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
    blocks: tuple[BodyBlock, ...] = ()  # the body in reading order: body_text(blocks) == body


def parse_article(html: bytes | str, page_url: str, selectors: Selectors) -> ArticlePage:
    """Return the parts of an article page; raise ExtractError if it is not HTML at all."""
    with reading():
        root = parse_page(html, page_url)
        if root is None:
            raise ExtractError("the page is empty")
        return _article(root, page_url, selectors)


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
        blocks=page.blocks,
    )


def needs_page(entry: Entry) -> bool:
    """Tell whether a feed item is thin enough to be completed from its article page."""
    return not entry.image_url or not entry.summary


def completed(entry: Entry, page: ArticlePage) -> Entry:
    """Return a feed item completed from its article page, once that page has been read.

    The page's lead and byline win over the feed's: a feed's description may be a teaser cut
    mid-sentence, a summary written apart or a photo's caption, and its author the account
    that posted it, while the page shows residents its lead and who wrote it. What the feed
    gives of its own (its photo, text, files, date) stays; the page fills what it lacks, and
    gives the whole body (its blocks) to an item that has no text of its own.
    """
    whole = not entry.blocks and not entry.body
    return replace(
        entry,
        summary=page.lead or entry.summary,
        image_url=entry.image_url or page.image_url,
        published=entry.published or page.published,
        body=page.body if whole else entry.body,
        author=page.author or entry.author,
        attachments=entry.attachments or page.attachments,
        blocks=page.blocks if whole else entry.blocks,
    )


def _article(root: Element, page_url: str, selectors: Selectors) -> ArticlePage:
    """Return the parts of a parsed article page: the admin's selectors first, then defaults."""
    picked = {name: select(root, getattr(selectors, name)) for name in _ARTICLE_FIELDS}
    pick = picked.__getitem__
    metas = metas_of(root)
    bodies = _outermost(pick("body")) or [main_element(root)]
    title_el = next((el for el in pick("title") if first_line([el])), None)
    chosen_title = first_line([title_el]) if title_el is not None else ""
    if chosen_title:
        title = chosen_title
    else:
        title, title_el = find_title(root, metas, bodies[0])

    block = None if pick("attachments") else attachment_block(root, bodies)
    skip = [el for el in (*pick("author"), *pick("attachments")) if not _holds_any(el, bodies)]
    skip += [block] if block is not None else []
    # Files found in the text are listed apart: their lines ("Tệp đính kèm", one per file)
    # are not read as text too.
    links = _links_in(pick("attachments")) or file_links(bodies)
    skip += file_lines(root, bodies, links)
    left_out = set(skip)  # looked up once per element of the page
    blocks = [b for body in bodies for b in read_blocks(body, left_out, pick("caption"))]
    text = arrange(blocks, title)

    chosen_date = next(filter(None, map(date_of, pick("date"))), None)
    chosen_lead = next(filter(None, (clean_text(text_of(el)) for el in pick("lead"))), "")
    chosen_image = next(filter(None, (_image_of(el, page_url) for el in pick("image"))), None)
    chosen_author = next(filter(None, map(_author_of, pick("author"))), "")
    blocks = resolved(text.blocks, page_url)
    images = tuple((b.url, b.text) for b in blocks if b.kind is BlockKind.IMAGE)
    shared = (absolute_url(v, page_url) for v in meta(metas, "og:image", "twitter:image"))
    image_url = chosen_image or next((u for u in shared if u and is_photo(u)), None)
    if image_url is None and (above := photo_above(title_el, bodies[0])):
        image_url = absolute_url(above, page_url)
    links += find_links(block) if block is not None else []
    results = (chosen_title, chosen_date, chosen_lead, pick("body"), chosen_image)
    results += (pick("caption"), chosen_author, pick("attachments"))
    return ArticlePage(
        url=page_url,
        title=title,
        published=chosen_date or find_date(root, metas, title_el),
        lead=chosen_lead or _default_lead(root, metas, title, title_el, bodies[0], text.lead),
        body="\n\n".join(text.paragraphs),
        image_url=image_url or (images[0][0] if images else None),
        images=images,
        author=chosen_author or text.author or structured_author(root),
        attachments=attachments(links, page_url),
        unmatched=tuple(
            name
            for name, result in zip(_ARTICLE_FIELDS, results, strict=True)
            if getattr(selectors, name) and not result
        ),
        blocks=blocks,
    )


def _default_lead(
    root: Element,
    metas: Metas,
    title: str,
    title_el: Element | None,
    main: Element,
    first_paragraph: str,
) -> str:
    """Return the lead: the layout's lead element, the page's description, the first paragraph."""
    element = find_lead(title_el, main)
    if element is not None and (lead := clean_text(text_of(element))):
        return " ".join(lead.split("\n\n"))
    return _meta_lead(metas, title, first_paragraph) or first_paragraph


def _outermost(elements: list[Element]) -> list[Element]:
    """Return elements without those nested inside another one of them."""
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _holds_any(el: Element, inner: list[Element]) -> bool:
    """Tell whether el is, or contains, any of the inner elements."""
    return any(el is i or el in i.iterancestors() for i in inner)


def _meta_lead(metas: Metas, title: str, first_paragraph: str) -> str:
    """Return the page's description as a lead, unless it is the site's or a cut paragraph."""
    for value in meta(metas, "og:description", "description"):
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


def _links_in(elements: list[Element]) -> list[Element]:
    """Return the elements that are links, and the links inside the others."""
    return [a for el in elements for a in ([el] if el.get("href") else find_links(el))]
