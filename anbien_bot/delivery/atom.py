"""Atom 1.0 feeds (RFC 4287) of the stored archive: one of everything and one per category.

Built with lxml, which the bot already has for reading pages: every text and attribute it
writes is escaped, so nothing a portal wrote (``</content>``, ``]]>``, ``<script>``) can end
an element early. What XML cannot carry at all (control characters, lone surrogates) is
removed first; lxml would refuse it rather than write a broken document. An entry's content is
the article's blocks as HTML (type="html": that HTML, escaped once more as XML text), and
every address in it goes through absolute_url, so only http(s) links and images are written.

Ids are tag: URIs (RFC 4151) made from the article's id in the store, which never changes,
and not from the address the feed is served at, which may.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby

from lxml import etree

from ..models import Article, BodyBlock, bulleted
from ..text.urls import absolute_url
from ..texts import plain, text
from ..values import BlockKind
from .render import split_text

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ALL = "all"  # the key of the feed of every category: /feeds/all.atom
_TAG = "tag:anbien-bot,2025:"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The feed of an empty archive has changed since no moment in particular: a fixed one keeps
# its ETag the same from one request to the next.
_NEVER = datetime(2025, 1, 1, tzinfo=UTC)
# What XML 1.0 cannot carry (its Char production): C0 controls but tab and newlines, lone
# surrogates, U+FFFE and U+FFFF. Portals' pages carry stray ones, pasted from word processors.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# An entry's HTML grows block by block up to this many characters; a 2 MB article is cut
# there with a link to the rest, so fifty of them still make a feed a reader can fetch.
CONTENT_LIMIT = 200_000
# Elements holding one block's text, cut at a sentence or word end when they do not fit;
# a figure or a table row is whole or left out.
_TEXT_TAGS = frozenset({"p", "h3", "li"})


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What a feed says of itself: which one it is, its title, where it lives, who writes it."""

    key: str  # ALL or a category key
    title: str
    self_url: str
    author: str  # the portal's name
    category_names: Mapping[str, str]
    # The article's address inside the bot (a Telegram deep link), when the bot knows it.
    in_bot: Callable[[int], str | None] | None = None


def feed_id(key: str) -> str:
    """Return the Atom id of a feed: the same for its key wherever it is served."""
    return f"{_TAG}feed/{key}"


def entry_id(article_id: int) -> str:
    """Return the Atom id of a stored article's entry, in every feed that carries it."""
    return f"{_TAG}article/{article_id}"


def last_changed(articles: Sequence[Article]) -> datetime:
    """Return when a feed of these articles last changed: the newest one's arrival.

    An old article stored late (a backfill, a repost under one more category) changes the feed
    when it is stored, not when it was published.
    """
    if not articles:
        return _NEVER
    return max(max(a.published, a.first_seen) for a in articles).replace(microsecond=0)


def build_feed(feed: FeedInfo, articles: Sequence[Article]) -> bytes:
    """Return the Atom document of a feed of these articles, given newest first."""
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set(_XML_LANG, "vi")
    _add(root, "id", feed_id(feed.key))
    _add(root, "title", feed.title)
    _add(root, "updated", rfc3339(last_changed(articles)))
    _link(root, "self", feed.self_url, "application/atom+xml")
    _add(_add(root, "author"), "name", feed.author)
    _add(root, "generator", "anbien-bot")
    for article in articles:
        _entry(root, feed, article)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def rfc3339(moment: datetime) -> str:
    """Return an aware moment as RFC 3339 in UTC, to the second: 2025-06-30T03:15:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def xml_text(value: str) -> str:
    """Return text without the characters XML cannot carry."""
    return _NOT_XML.sub("", value)


def _entry(root: etree._Element, feed: FeedInfo, article: Article) -> None:
    entry = _add(root, "entry")
    _add(entry, "id", entry_id(article.id))
    _add(entry, "title", article.title.strip() or article.url)
    # The store keeps no time of an edit at the source: an entry is as new as it was published.
    _add(entry, "published", rfc3339(article.published))
    _add(entry, "updated", rfc3339(article.published))
    url = absolute_url(article.url)
    if url:
        _link(entry, "alternate", url, "text/html")
    in_bot = feed.in_bot(article.id) if feed.in_bot is not None else None
    if in_bot:
        _link(entry, "related", in_bot, "text/html")
    if article.author.strip():
        _add(_add(entry, "author"), "name", article.author.strip())
    for key in article.categories:
        category = _add(entry, "category")
        category.set("term", key)
        category.set("label", xml_text(feed.category_names.get(key, key)))
    if article.summary.strip():
        _add(entry, "summary", article.summary.strip()).set("type", "text")
    _add(entry, "content", article_html(article, in_bot)).set("type", "html")


def _add(parent: etree._Element, name: str, value: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}")
    if value is not None:
        element.text = xml_text(value)
    return element


def _link(parent: etree._Element, rel: str, href: str, kind: str) -> None:
    link = _add(parent, "link")
    link.set("rel", rel)
    link.set("type", kind)
    link.set("href", xml_text(href))


# -- the article as HTML -----------------------------------------------------------------------


def article_html(article: Article, in_bot: str | None = None) -> str:
    """Return the article's body as an HTML fragment: its blocks in order, then attachments.

    An article stored before bodies were kept whole has its photo and body paragraphs. A body
    over CONTENT_LIMIT ends with the start of the block that does not fit, then a link to the
    rest: in the bot (in_bot) when it is known, since the portal's page may not last.
    """
    parts: list[str] = []
    size = 0
    for element in _body(article):
        piece = _html(element)
        if size + len(piece) > CONTENT_LIMIT:
            start = _start_of(element, CONTENT_LIMIT - size)
            if start is not None:
                parts.append(_html(start))
            parts.append(_html(_more(article, in_bot)))
            break
        parts.append(piece)
        size += len(piece)
    attachments = _attachments(article)
    if attachments is not None:
        parts.append(_html(attachments))
    return "\n".join(parts)


def _body(article: Article) -> Iterator[etree._Element]:
    blocks = article.blocks or _old_blocks(article)
    shown = {b.url for b in blocks if b.kind is BlockKind.IMAGE}
    lead = absolute_url(article.image_url)
    if lead and article.image_url not in shown and lead not in shown:
        yield _figure(lead, "")
    # Items of a list and rows of a table arrive one block each: consecutive ones are one list.
    # A numbered list's items carry their numbers and are lines of their own, not bulleted.
    for (kind, listed), run in groupby(blocks, key=lambda b: (b.kind, bulleted(b))):
        if listed:
            yield _tree("ul", [_tree("li", b.text) for b in run])
        elif kind is BlockKind.ROW:
            yield _tree("table", [_row(b.text) for b in run])
        else:
            for block in run:
                element = _block(block)
                if element is not None:
                    yield element


def _old_blocks(article: Article) -> tuple[BodyBlock, ...]:
    """Return the paragraphs of a body kept as text only (or its summary, without one)."""
    body = article.body.strip() or article.summary.strip()
    return tuple(
        BodyBlock(BlockKind.PARAGRAPH, p.strip()) for p in body.split("\n\n") if p.strip()
    )


def _block(block: BodyBlock) -> etree._Element | None:
    if block.kind is BlockKind.IMAGE:
        src = absolute_url(block.url)
        return _figure(src, block.text.strip()) if src else None
    if not block.text.strip():
        return None
    if block.kind is BlockKind.HEADING:
        return _lines("h3", block.text)
    if block.kind is BlockKind.QUOTE:
        return _tree("blockquote", [_lines("p", block.text)])
    return _lines("p", block.text)


def _figure(src: str, caption: str) -> etree._Element:
    image = etree.Element("img", src=xml_text(src), alt=xml_text(caption))
    figure = _tree("figure", [image])
    if caption:
        figure.append(_tree("figcaption", caption))
    return figure


def _row(line: str) -> etree._Element:
    return _tree("tr", [_tree("td", cell.strip()) for cell in line.split(" | ")])


def _lines(tag: str, value: str) -> etree._Element:
    """Return an element of text whose single line breaks stay breaks (<br>)."""
    element = etree.Element(tag)
    lines = value.strip().split("\n")
    element.text = xml_text(lines[0])
    for line in lines[1:]:
        etree.SubElement(element, "br").tail = xml_text(line)
    return element


def _tree(tag: str, content: str | list[etree._Element]) -> etree._Element:
    element = etree.Element(tag)
    if isinstance(content, str):
        element.text = xml_text(content)
    else:
        element.extend(content)
    return element


def _start_of(element: etree._Element, room: int) -> etree._Element | None:
    """Return as much of a body element as fits in room characters of HTML, or None.

    A list or table keeps its whole items or rows while they fit, then the start of the item
    that does not; text is cut after a sentence, else at a word (render.split_text).
    """
    if element.tag in ("ul", "table", "blockquote"):
        kept = etree.Element(element.tag)
        room -= len(_html(kept))
        for child in list(element):
            piece = len(_html(child))
            if piece > room:
                start = _start_of(child, room)
                if start is not None:
                    kept.append(start)
                break
            kept.append(child)
            room -= piece
        return kept if len(kept) else None
    if element.tag not in _TEXT_TAGS:
        return None
    value = "\n".join([element.text or "", *(br.tail or "" for br in element)])
    # Escaping (&amp;) and <br> make the HTML longer than the text: each try that does not
    # fit cuts that much more, and each is shorter than the one before.
    budget = room - len(_html(etree.Element(element.tag)))
    while budget > 0:
        text_part = split_text(value[: budget + 1], budget)[:1]
        if not text_part:
            return None
        start = _lines(element.tag, text_part[0])
        over = len(_html(start)) - room
        if over <= 0:
            return start
        budget = len(text_part[0]) - over
    return None


def _more(article: Article, in_bot: str | None) -> etree._Element:
    """Return the paragraph that ends a body cut at CONTENT_LIMIT: a link to the rest."""
    url = in_bot or absolute_url(article.url)
    label = "… " + plain(text("vi", "read_more"))
    if url is None:
        return _tree("p", label)
    anchor = _tree("a", label)
    anchor.set("href", url)
    return _tree("p", [anchor])


def _attachments(article: Article) -> etree._Element | None:
    items = []
    for attachment in article.attachments:
        url = absolute_url(attachment.url)
        if url:
            anchor = _tree("a", attachment.title.strip() or url.rsplit("/", 1)[-1] or url)
            anchor.set("href", url)
            items.append(_tree("li", [anchor]))
    if not items:
        return None
    return _tree("div", [_tree("p", plain(text("vi", "attachments"))), _tree("ul", items)])


def _html(element: etree._Element) -> str:
    return etree.tostring(element, method="html", encoding="unicode")
