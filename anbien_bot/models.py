"""Plain data passed between the layers: what a source yields and what the store keeps, and
how a chat wants its posts and where the planner puts them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .values import BlockKind


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file linked from an article, such as the signed PDF of a decision."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class BodyBlock:
    """One block of an article's body in reading order: text of a kind, or a photo.

    For a photo (``BlockKind.IMAGE``) ``url`` is its absolute address and ``text`` its caption
    (possibly empty); every other kind has text and no url.
    """

    kind: BlockKind
    text: str
    url: str = ""


# How a list item writes its own number: "1. ", "2) ", "a) ", "Điều 3", "Bước 2".
_NUMBER_MARK = re.compile(
    r"\d{1,6}[.)]\s|[a-zđ]\)\s|(?:điều|khoản|mục|bước|phần|chương)\s+\d+\b", re.I
)


def numbered(text: str) -> bool:
    """Tell whether a list item's text starts with its own number ("1. Bước một")."""
    return _NUMBER_MARK.match(text) is not None


def bulleted(block: BodyBlock) -> bool:
    """Tell whether a block is shown as a list item with a bullet: an item that does not carry
    its own number (a numbered list's items carry theirs, sources/pagetext.py; "1. Bước một"
    shows as it is, never "• 1. Bước một")."""
    return block.kind is BlockKind.ITEM and not numbered(block.text)


def body_text(blocks: tuple[BodyBlock, ...]) -> str:
    """Return the plain text of a body's blocks: its text blocks, a blank line between."""
    return "\n\n".join(b.text for b in blocks if b.kind is not BlockKind.IMAGE and b.text)


@dataclass(frozen=True, slots=True)
class Entry:
    """One article as a source gives it, already normalised to plain text and UTC.

    ``key`` is the article's stable identity within its source (a numeric portal id,
    a guid or a canonical URL): an article whose title changes keeps its key.
    """

    key: str
    url: str
    title: str
    summary: str = ""
    image_url: str | None = None
    published: datetime | None = None  # aware, UTC
    body: str = ""  # plain text; body_text(blocks) when the source gave blocks
    author: str = ""
    attachments: tuple[Attachment, ...] = ()
    blocks: tuple[BodyBlock, ...] = ()  # the whole body in order; () when only text is known


@dataclass(frozen=True, slots=True)
class Article:
    """An article as the store keeps it, with every category it was filed under."""

    id: int
    url: str
    title: str
    summary: str
    image_url: str | None
    published: datetime  # aware, UTC
    first_seen: datetime  # aware, UTC
    categories: tuple[str, ...] = ()
    body: str = ""
    author: str = ""
    attachments: tuple[Attachment, ...] = field(default=())
    blocks: tuple[BodyBlock, ...] = ()  # () for an article stored before bodies were kept whole


@dataclass(frozen=True, slots=True)
class Selectors:
    """CSS selectors an admin writes for an HTML source; None means "use the defaults"."""

    item: str | None = None  # on the listing: links to articles
    item_title: str | None = None  # on the listing, inside or beside an item
    item_date: str | None = None
    next_page: str | None = None  # on the listing: the link to the next (older) page
    title: str | None = None  # on the article page from here on
    date: str | None = None
    lead: str | None = None
    body: str | None = None
    image: str | None = None
    caption: str | None = None
    author: str | None = None
    attachments: str | None = None


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window, in minutes after midnight Vietnam time, when ordinary posts wait."""

    start: int
    end: int  # the window may cross midnight: 22:00–06:00 is (1320, 360)

    def label(self) -> str:
        """Return the window as "22:00–06:00"."""
        return f"{_clock(self.start)}–{_clock(self.end)}"


@dataclass(frozen=True, slots=True)
class Timing:
    """How a chat wants ordinary posts: instantly or in a digest, and its quiet hours."""

    digest_hour: int | None = None  # None: each post as it comes
    quiet: QuietHours | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """Where an outbox row goes: its priority (values.Priority, or a digest's) and the moment
    it may be sent."""

    priority: int
    not_before: datetime


@dataclass(frozen=True, slots=True)
class Fanout:
    """The planner's answer for one new post, which the store writes as outbox rows.

    The post goes to its categories' subscribers and to the ``alerted`` chats, once each; a
    chat's row takes the slot of its timing, or ``default`` when it chose none.
    """

    default: Slot
    slots: Mapping[Timing, Slot] = field(default_factory=dict)
    alerted: tuple[int, ...] = ()  # chats whose keyword alerts the post matches


def _clock(minutes: int) -> str:
    """Return minutes after midnight as "HH:MM"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class SearchHits:
    """One slice of a search's results, best first, and what the whole search found."""

    articles: tuple[Article, ...]
    total: int  # matches found, at most text.search.MAX_RESULTS
    categories: tuple[str, ...] = ()  # category keys among the first matches, most first
