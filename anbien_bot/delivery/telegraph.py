"""An article as a Telegraph page: its nodes, within the content limit Telegraph counts.

Telegraph takes a page's body as an array of nodes (a text, or an element of a fixed set of
tags with ``href``/``src`` attributes and children) and refuses one whose JSON encoding, as
sent, is over 64 KB (CONTENT_TOO_BIG). The bot sends it as ``encode_content`` writes it
(compact, UTF-8 unescaped), so the limit is counted on exactly those bytes. A longer article
is cut between two blocks and ends with a link to the whole article read in the bot.

Everything from a source is a text node (never markup) and every address goes through
text.urls, so a hostile page can neither add a tag nor a ``javascript:`` link. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import Article, BodyBlock, bulleted
from ..text.dates import format_vn
from ..text.urls import absolute_url
from ..text.vntext import clean_line, clean_paragraphs, fold
from ..texts import Lang, plain, text
from ..values import BlockKind
from .message import bold, link, message, template
from .render import RenderedPost

Node = str | dict[str, Any]  # Telegraph's Node: a text, or {"tag", "attrs", "children"}

CONTENT_LIMIT = 64 * 1024  # bytes of the content's JSON, as Telegraph counts them
TITLE_LIMIT = 256  # characters
# The tags Telegraph keeps; createPage refuses any other.
ALLOWED_TAGS = frozenset(
    {"a", "aside", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h3", "h4"}
    | {"hr", "i", "iframe", "img", "li", "ol", "p", "pre", "s", "strong", "u", "ul", "video"}
)
_MAX_ATTACHMENTS = 100  # listed at the end of a page, within a quarter of its size
_ATTACHMENT_NAME = 300  # characters
_SAME_LEAD = 60  # folded characters a summary and the first paragraph share when it is the lead
_TEXT_TAGS = {
    BlockKind.PARAGRAPH: "p",
    BlockKind.HEADING: "h3",
    BlockKind.QUOTE: "blockquote",
    BlockKind.ROW: "p",  # a table's row, its cells already joined with " | "
    BlockKind.ITEM: "li",  # gathered into a "ul" with its neighbours
}


@dataclass(frozen=True, slots=True)
class Page:
    """What createPage gets for one article: a title and its content."""

    title: str
    content: tuple[Node, ...]
    cut: bool = False  # the article goes on past this page (its last node links to it)

    @property
    def encoded(self) -> str:
        """Return the content as it is sent to Telegraph."""
        return encode_content(self.content)


def encode_content(nodes: Sequence[Node]) -> str:
    """Return nodes as the JSON string the bot sends (compact, non-ASCII kept as UTF-8)."""
    return json.dumps(list(nodes), ensure_ascii=False, separators=(",", ":"))


def content_size(nodes: Sequence[Node]) -> int:
    """Return the size of nodes as Telegraph counts it: bytes of their JSON in UTF-8."""
    return len(encode_content(nodes).encode("utf-8"))


def element(tag: str, *children: Node, **attrs: str) -> dict[str, Any]:
    """Return a Telegraph element (tag must be one Telegraph allows)."""
    assert tag in ALLOWED_TAGS, tag
    node: dict[str, Any] = {"tag": tag}
    if attrs:
        node["attrs"] = attrs
    if children:
        node["children"] = list(children)
    return node


def build_page(
    article: Article,
    *,
    reading_link: str | None,
    lang: Lang = "vi",
    limit: int = CONTENT_LIMIT,
) -> Page:
    """Return the article as a Telegraph page whose content is at most ``limit`` bytes.

    ``reading_link`` is where the whole article is read in the bot (its deep link); a cut
    page ends with it, or with the original's address when there is none. A page is cut
    between two blocks, unless the block that does not fit would leave more than half the
    page empty: then its text is cut at a word (a 2 MB paragraph still gives a page).
    """
    title = clean_line(article.title)[:TITLE_LIMIT] or "…"
    units = list(_body_units(article))
    tail = _tail(article, lang, limit // 4)
    whole = _Content()
    for unit in units:
        whole.add(unit)
    if whole.size + _adding(tail, whole) <= limit:
        return Page(title, (*whole.nodes, *tail))
    ending = [*tail, _cut_note(article, reading_link, lang, limit // 4)]
    body = _Content()
    body.add(units[0])  # the date: always there, so the ending always follows something
    room = limit - _adding(ending, body)
    for unit in units[1:]:
        if body.add(unit, room):
            continue
        if room - body.size > room // 2:
            cut = _cut_unit(unit, body, room)
            if cut is not None:
                body.add(cut)
        break
    return Page(title, (*body.nodes, *ending), cut=True)


def telegraph_message(title: str, page_url: str, lang: Lang) -> RenderedPost:
    """Return the message that opens an article's reading with its Telegraph page.

    Sent as a text message whose link preview is the page, so Telegram shows its Instant View.
    """
    body = message(template(lang, "telegraph_reading"), (link(page_url, bold(clean_line(title))),))
    return RenderedPost(body, photo=None, link_preview_url=page_url)


# -- the body ---------------------------------------------------------------------------------

Unit = tuple[bool, Node]  # (is a list item, node): list items gather into one "ul"


def _body_units(article: Article) -> Iterator[Unit]:
    """Yield the article's body in reading order: date, lead, blocks (or old text), byline."""
    yield False, element("p", element("i", format_vn(article.published)))
    blocks = article.blocks or _old_blocks(article)
    lead = clean_paragraphs(article.summary).replace("\n\n", " ")
    first = next((b.text for b in blocks if b.kind is not BlockKind.IMAGE and b.text), "")
    if lead and fold(clean_line(first))[:_SAME_LEAD] != fold(lead)[:_SAME_LEAD]:
        yield False, element("p", element("strong", lead))
    photo = absolute_url(article.image_url)
    if photo and not any(b.kind is BlockKind.IMAGE for b in blocks):
        yield False, element("figure", element("img", src=photo))
    for block in blocks:
        node = _block_node(block)
        if node is not None:
            yield bulleted(block), node
    author = clean_line(article.author)
    if author:
        yield False, element("p", element("i", author))


def _old_blocks(article: Article) -> tuple[BodyBlock, ...]:
    """Return the paragraphs of an article stored before bodies were kept whole."""
    paragraphs = clean_paragraphs(article.body).split("\n\n")
    return tuple(BodyBlock(BlockKind.PARAGRAPH, p) for p in paragraphs if p)


def _block_node(block: BodyBlock) -> Node | None:
    caption = clean_line(block.text)
    if block.kind is BlockKind.IMAGE:
        src = absolute_url(block.url)
        if src is None:
            return element("p", element("i", caption)) if caption else None
        img = element("img", src=src)
        return element("figure", img, element("figcaption", caption)) if caption else img
    if not caption:
        return None
    # A numbered item shows its own number on a line of its own, not in a bulleted list.
    numbered = block.kind is BlockKind.ITEM and not bulleted(block)
    return element("p" if numbered else _TEXT_TAGS[block.kind], caption)


def _tail(article: Article, lang: Lang, room: int) -> list[Node]:
    """Return what ends every page, within room bytes: the attachments, then the original's
    address (a hostile page's thousand attachments or endless address are left out)."""
    original = _link(article.url, plain(text(lang, "page_original")), room)
    nodes: list[Node] = [element("p", original)] if original else []
    room -= _adding(nodes, _Content())
    heading = element("h4", plain(text(lang, "page_attachments")))
    items: list[Node] = []
    for attachment in article.attachments[:_MAX_ATTACHMENTS]:
        name = clean_line(attachment.title)[:_ATTACHMENT_NAME]
        item = _link(attachment.url, name, room)
        if item is None:
            continue
        items.append(element("li", item))
        if _adding([heading, element("ul", *items)], _Content()) > room:
            items.pop()
            break
    return [heading, element("ul", *items), *nodes] if items else nodes


def _link(url: str | None, words: str, room: int) -> Node | None:
    """Return a link to url if it is a safe address that fits in room bytes, else None."""
    safe = absolute_url(url)
    if safe is None:
        return None
    node = element("a", words or safe, href=safe)
    return node if _size(node) <= room else None


def _cut_note(article: Article, reading_link: str | None, lang: Lang, room: int) -> Node:
    """Return the note that ends a cut page, linking where the whole article is read."""
    note = plain(text(lang, "page_cut"))
    target = _link(reading_link, plain(text(lang, "page_read_in_bot")), room) or _link(
        article.url, plain(text(lang, "page_original")), room
    )
    return element("aside", note, " ", target) if target else element("aside", note)


# -- counting ---------------------------------------------------------------------------------


def _size(node: Node) -> int:
    return len(json.dumps(node, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


_EMPTY_LIST = _size(element("ul"))  # {"tag":"ul"}: its children add ,"children":[...]
_CHILDREN = len(',"children":[]')


class _Content:
    """A content array being filled, with its exact encoded size."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.size = 2  # []
        self._list: dict[str, Any] | None = None  # the "ul" items are being added to

    def growth(self, unit: Unit) -> int:
        """Return how many bytes adding unit would add."""
        is_item, node = unit
        if is_item and self._list is not None:
            return _size(node) + 1  # 1: the comma between two items
        wrapper = _EMPTY_LIST + _CHILDREN if is_item else 0
        return wrapper + _size(node) + bool(self.nodes)

    def add(self, unit: Unit, room: int | None = None) -> bool:
        """Add a unit if the content stays within room bytes; return whether it was added."""
        grows = self.growth(unit)
        if room is not None and self.size + grows > room:
            return False
        self.size += grows
        is_item, node = unit
        if not is_item:
            self.nodes.append(node)
            self._list = None
        elif self._list is not None:
            self._list["children"].append(node)
        else:
            self._list = element("ul", node)
            self.nodes.append(self._list)
        return True


def _adding(nodes: Sequence[Node], content: _Content) -> int:
    """Return what appending nodes adds to content's size, the commas between them included."""
    commas = len(nodes) if content.nodes else max(len(nodes) - 1, 0)
    return sum(_size(n) for n in nodes) + commas


def _cut_unit(unit: Unit, content: _Content, room: int) -> Unit | None:
    """Return a text unit cut at a word to fit content within room bytes (None if it cannot)."""
    is_item, node = unit
    children = node.get("children", []) if isinstance(node, dict) else []
    if len(children) != 1 or not isinstance(children[0], str):
        return None  # a photo, or a lead in bold: left out whole
    words: str = children[0]

    def cut(length: int) -> Unit:
        return is_item, {**node, "children": [_cut_words(words, length)]}

    def fits(length: int) -> bool:
        return length < len(words) and content.size + content.growth(cut(length)) <= room

    length = _largest(fits)
    return cut(length) if fits(length) else None


def _largest(fits: Callable[[int], bool]) -> int:
    """Return the largest n from 0 for which fits(n) holds, fits being monotonic."""
    low, high = 0, 1
    while fits(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def _cut_words(words: str, length: int) -> str:
    """Return words cut to about length characters at a word boundary, with an ellipsis."""
    head = words[: max(length - 1, 0)]
    space = head.rfind(" ")
    return (head[:space] if space > length // 2 else head).rstrip() + "…"
