"""An article for reading inside Telegram ("Đọc toàn văn"): its pages, built but not sent.

A page is an album of the photos met in its text (at most ten, each with its caption), then
text messages, then, on the last pages, the attachments as documents. Text is split at
paragraph boundaries into messages within Telegram's 4096 (delivery.message.pack); only a
paragraph too long for one message is split inside, after a sentence when one ends late
enough, else at a word (render.split_text). A page holds a bounded number of messages, so a
long article never floods the chat: the last message of every page but the last carries the
buttons to the next page. Everything from the source is a text part, escaped once when the
HTML is written, so no markup of an article ever reaches Telegram; pure, like render.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from ..models import Article, Attachment, BodyBlock, body_text, bulleted
from ..text.dates import format_vn
from ..text.urls import absolute_url
from ..text.vntext import clean_line, clean_paragraphs, cut_at_word, fold
from ..texts import Lang, plain, text
from ..values import BlockKind
from .message import (
    Block,
    Message,
    Span,
    block_length,
    bold,
    italic,
    link,
    message,
    pack,
    template,
)
from .render import CAPTION_LIMIT, TEXT_LIMIT, cut_summary, split_text

ALBUM_LIMIT = 10  # photos in one sendMediaGroup
PAGE_MESSAGES = 4  # text messages and documents on one page, besides its album
CALLBACK_PATTERN = r"^r:"
_CALLBACK = re.compile(r"^r:(\d{1,15}):(\d{1,6})(:i)?$")
_ROOM = TEXT_LIMIT - 2  # a list item's "• " goes before a piece of its text
_BUTTON_TITLE = 48  # of an article's title on a button under a list
_FILE_NAME = 60
_TITLE = 1000  # characters of a title in the first message
_AUTHOR = 200  # characters of an author line or an attachment title
_CAPTION_READ = 4 * CAPTION_LIMIT  # of a caption looked at: a hostile one may be megabytes
_LEAD_COMPARED = 400  # characters of a lead compared with the body's start


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo of the article: its address and its caption (possibly empty)."""

    url: str
    caption: Message


@dataclass(frozen=True, slots=True)
class Document:
    """An attachment sent as a file: its address, the file's name, its title as caption, and
    the line sent instead when the file cannot be."""

    url: str
    name: str
    caption: str  # plain text
    fallback: Message


Piece = Message | Document


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a reading: an album, then messages; buttons under the last message."""

    number: int
    total: int
    album: tuple[Photo, ...]
    messages: tuple[Piece, ...]
    buttons: tuple[tuple[str, str], ...]  # (label, callback data); () on the last page

    @property
    def size(self) -> int:
        """Return how many messages the page is to Telegram (an album counts its photos)."""
        return len(self.album) + len(self.messages)


def reading_callback(article_id: int, page: int = 1) -> str:
    """Return the callback data of a button that sends page ``page`` of an article."""
    return f"r:{article_id}:{page}"


def parse_reading_callback(data: object) -> tuple[int, int, bool] | None:
    """Return (article id, page, is the page-number note) from a button's data, or None."""
    match = _CALLBACK.match(data) if isinstance(data, str) else None
    if match is None:
        return None
    return int(match[1]), int(match[2]), bool(match[3])


def read_button(article_id: int, lang: Lang) -> tuple[str, str]:
    """Return the "📖 Read in full" button under a post, as (label, callback data)."""
    return plain(text(lang, "read_full")), reading_callback(article_id)


def read_title_button(article: Article, lang: Lang) -> tuple[str, str]:
    """Return a button reading one article of a list, labelled with its title."""
    title = cut_at_word(clean_line(article.title), _BUTTON_TITLE) or "…"
    return plain(text(lang, "read_full_title", title=title)), reading_callback(article.id)


def build_reading(article: Article, lang: Lang) -> tuple[Page, ...]:
    """Return the article as pages to send in order; never empty."""
    blocks, photos_after = _text_and_photos(article, lang)
    # Messages packed from block indices, so each photo lands with the text it follows.
    groups = pack(list(range(len(blocks))), TEXT_LIMIT, lambda i: block_length(blocks[i]))
    messages: list[tuple[list[Photo], Piece]] = []
    for group in groups:
        photos = [photo for i in group for photo in photos_after.get(i, ())]
        messages.append((photos, message(*(blocks[i] for i in group))))
    documents = [_document(a, lang) for a in article.attachments]
    messages += [([], d) for d in documents if d is not None]
    return _paginate(article.id, lang, messages)


def _text_and_photos(article: Article, lang: Lang) -> tuple[list[Block], dict[int, list[Photo]]]:
    """Return the text blocks in order, and the photos met after each block (by its index)."""
    blocks: list[Block] = [_header(article, lang)]
    photos: dict[int, list[Photo]] = {}
    body = article.blocks or _paragraphs(article)
    lead = _lead(article, body)
    if lead:
        blocks += [(italic(piece),) for piece in split_text(lead, _ROOM)]
    for block in body:
        if block.kind is BlockKind.IMAGE:
            url = absolute_url(block.url)
            if url:
                photos.setdefault(len(blocks) - 1, []).append(Photo(url, _caption(block.text)))
            continue
        blocks += _text_blocks(block)
    author = cut_at_word(clean_line(article.author), _AUTHOR)
    if author:
        blocks.append((italic(author),))
    url = absolute_url(article.url)
    if url:
        blocks.append(("🔗 ", link(url, *template(lang, "reading_source"))))
    return blocks, photos


def _header(article: Article, lang: Lang) -> Block:
    title = cut_at_word(clean_line(article.title), _TITLE) or "…"
    return (bold(title), "\n", *template(lang, "post_date", date=format_vn(article.published)))


def _paragraphs(article: Article) -> tuple[BodyBlock, ...]:
    """Return the body of an article stored before blocks: its photo, then its paragraphs."""
    found = [BodyBlock(BlockKind.IMAGE, "", article.image_url)] if article.image_url else []
    found += [BodyBlock(BlockKind.PARAGRAPH, p) for p in article.body.split("\n\n")]
    return tuple(found)


def _lead(article: Article, body: tuple[BodyBlock, ...]) -> str:
    """Return the lead when the body does not already open with it, else ""."""
    lead = clean_paragraphs(article.summary[:TEXT_LIMIT])
    if not lead:
        return ""
    start = body_text(body[:3])[: len(lead) + _LEAD_COMPARED]
    return "" if fold(lead)[:_LEAD_COMPARED] in fold(clean_paragraphs(start)) else lead


def _text_blocks(block: BodyBlock) -> list[Block]:
    """Return one body block as message blocks, split into pieces that fit one message."""
    value = clean_paragraphs(block.text)
    if block.kind is not BlockKind.PARAGRAPH:
        value = value.replace("\n\n", "\n")
    if not value:
        return []
    pieces = split_text(value, _ROOM)
    kind = block.kind
    if kind is BlockKind.HEADING:
        return [(bold(piece),) for piece in pieces]
    if bulleted(block):
        return [("• " if i == 0 else "", piece) for i, piece in enumerate(pieces)]
    if kind is BlockKind.QUOTE:
        return [(Span("blockquote", (piece,)),) for piece in pieces]
    return [(piece,) for piece in pieces]  # paragraphs and table rows: plain lines


def _caption(value: str) -> Message:
    caption = clean_paragraphs(value[:_CAPTION_READ])
    return message((cut_summary(caption, CAPTION_LIMIT),) if caption else None)


def _document(attachment: Attachment, lang: Lang) -> Document | None:
    url = absolute_url(attachment.url)
    if not url:
        return None
    title = cut_at_word(clean_line(attachment.title), _AUTHOR)
    stem = PurePosixPath(unquote(urlsplit(url).path)).name
    name = re.sub(r"[^\w.-]+", "-", stem).strip("-.")[-_FILE_NAME:] or "tep"
    fallback = message(("📎 ", link(url, title or name)))
    return Document(url, name, cut_summary(title, CAPTION_LIMIT), fallback)


def _paginate(
    article_id: int, lang: Lang, messages: list[tuple[list[Photo], Piece]]
) -> tuple[Page, ...]:
    """Return the messages grouped in pages: PAGE_MESSAGES each, one album of their photos."""
    pages: list[tuple[list[Photo], list[Piece]]] = [([], [])]
    for photos, piece in messages:
        album, pieces = pages[-1]
        if len(pieces) == PAGE_MESSAGES or (pieces and len(album) + len(photos) > ALBUM_LIMIT):
            pages.append(([], []))  # a message's photos go on the page of its text
        for photo in photos:
            if len(pages[-1][0]) == ALBUM_LIMIT:
                pages.append(([], []))  # more photos than one album: they go on with the text
            pages[-1][0].append(photo)
        pages[-1][1].append(piece)
    total = len(pages)
    built = []
    for number, (album, pieces) in enumerate(pages, 1):
        buttons: tuple[tuple[str, str], ...] = ()
        if number < total:
            buttons = (
                (plain(text(lang, "reading_next")), reading_callback(article_id, number + 1)),
                (f"{number}/{total}", reading_callback(article_id, number) + ":i"),
            )
            if not pieces:  # an album carries no buttons: a line of its own does
                pieces.append(message(template(lang, "reading_page", page=number, pages=total)))
        built.append(Page(number, total, tuple(album), tuple(pieces), buttons))
    return tuple(built)
