"""How an article looks in Telegram: captions, messages and post lists within Telegram's limits.

A post is built from parts (delivery.message): everything from a source is a text part, so
no markup from a feed ever reaches Telegram, and the plain-text fallback is the same parts
without their markup. Limits are counted as Telegram counts them: the visible text after
entity parsing, in UTF-16 code units (an emoji counts 2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..models import Article
from ..text.dates import format_vn
from ..text.urls import absolute_url
from ..text.vntext import clean_line, clean_paragraphs, fold
from ..texts import Lang
from .links import NO_LINKS, ArticleLinks
from .message import (
    Block,
    Message,
    block_length,
    bold,
    link,
    message,
    pack,
    parse_html,
    read_html,
    template,
    units,
)

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096

MAX_ATTACHMENTS = 3  # shown as links; the rest are counted as "+N"
_ATTACHMENT_TITLE = 80
_CATEGORY_NAME = 60
_CATEGORY_LINE = 200
_LIST_TITLE = 300
_MIN_SUMMARY = 40  # a summary cut shorter than this says nothing: drop it instead
_SENTENCE_SHARE = 0.6  # a sentence end this far into the room beats a later word boundary

# vntext leaves bidi embeddings and isolates alone; in a title they reorder what follows.
_BIDI = re.compile(r"[\u061c\u202a-\u202e\u2066-\u2069]")

# Spans a summary should not be cut inside: dates, times and place names of notices.
_TIME = r"(?<!\d)\d{1,2}\s?(?:giờ|[gh](?![^\W\d_])|:)\s?(?:\d{1,2}(?:\s?phút)?)?"
_DATE = r"(?<!\d)\d{1,2}\s?[/.-]\s?\d{1,2}(?:\s?[/.-]\s?\d{2,4})?"
_PROTECTED = re.compile(
    rf"(?:(?:ngày|hôm|lúc|từ)\s+)?(?:{_TIME}(?:\s(?:sáng|trưa|chiều|tối|đêm))?|{_DATE})"
    r"|ngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2})?(?:\s+năm\s+\d{4})?"
    r"|tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?",
    re.IGNORECASE,
)
# Two protected spans with only this between them are one phrase: "7 giờ đến 11 giờ 30".
_JOINER = re.compile(r"[\s,–-]*(?:(?:đến|tới)[\s,–-]*)?", re.IGNORECASE)
_PLACE_WORDS = frozenset(
    {"tai", "ap", "xa", "huyen", "tinh", "phuong", "khom", "to", "so", "duong", "truong"}
    | {"thi tran", "khu pho", "hoi truong", "tru so", "nha van hoa", "uy ban", "ubnd"}
)
_TRAILING = ",.;:!?)»”\"'"


@dataclass(frozen=True)
class RenderedPost:
    """One article ready to send: a photo with ``message`` as caption, or a text message."""

    message: Message
    photo: str | None  # image URL or file_id; None for a text message
    link_preview_url: str | None  # for text messages: the page to preview

    @property
    def text(self) -> str:
        """Return the message as Telegram HTML."""
        return self.message.html


def visible_length(html_text: str) -> int:
    """Return the length of Telegram HTML after entity parsing, in UTF-16 code units."""
    return parse_html(html_text).length


def render_post(
    article: Article,
    lang: Lang,
    category_names: Mapping[str, str],
    links: ArticleLinks = NO_LINKS,
) -> RenderedPost:
    """Render an article as a photo with caption, or as a text message when it has no image.

    "Read more" goes to the original page, or to the archived copy once ``links`` knows the
    original is gone (then no preview: the copy is the bot itself).
    """
    photo = absolute_url(article.image_url)
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    url = links.read_more(article)
    title = _clean(article.title)
    summary = _summary_of(article, title)
    meta = _meta(article, lang, category_names)
    attachments = _attachments_block(article, lang)
    more = (link(url, *template(lang, "read_more")),) if url else ()

    def compose(title: str, summary: str, attachments: Block) -> Message:
        head = (bold(title), "\n", *meta) if title else meta
        return message(head, (summary,), attachments, more)

    body = compose(title, summary, attachments)
    if summary and body.length > limit:
        room = limit - compose(title, "", attachments).length - 2  # 2: "\n\n"
        summary = cut_summary(summary, room) if room >= _MIN_SUMMARY else ""
        body = compose(title, summary, attachments)
    if body.length > limit:
        attachments = ()
        body = compose(title, summary, attachments)
    if body.length > limit:
        # Only an enormous title gets here; cutting it keeps the message valid.
        room = limit - compose("", summary, attachments).length - 1  # 1: "\n"
        body = compose(_cut(title, room, protect=False), summary, attachments)
    preview = None if photo else links.original(article)
    return RenderedPost(body, photo=photo, link_preview_url=preview)


def render_plain(rendered: RenderedPost) -> str:
    """Return the message as plain text without markup, the "Read more" address written out."""
    limit = CAPTION_LIMIT if rendered.photo else TEXT_LIMIT
    body = rendered.message
    plain = body.plain("all")
    last = body.link_block()
    if last is None or units(plain) <= limit:
        return plain
    # The last link is "Read more": without markup its address is the only way to the article,
    # so the longest other block (the summary) gives up room for it.
    blocks = body.plain_blocks("last")
    others = [i for i in range(len(blocks)) if i != last]
    over = sum(units(block) + 2 for block in blocks) - 2 - limit
    if over > 0 and others:
        longest = max(others, key=lambda i: units(blocks[i]))
        room = units(blocks[longest]) - over
        if room >= _MIN_SUMMARY:
            blocks[longest] = _cut(blocks[longest], room, protect=True)
            over = 0
    return "\n\n".join(blocks) if over <= 0 else body.plain("none")


def render_post_list(
    articles: Sequence[Article],
    lang: Lang,
    category_names: Mapping[str, str],
    *,
    header: str | None = None,
    links: ArticleLinks = NO_LINKS,
) -> str:
    """Render articles as one message (title, date, link each), "and N more" when too many.

    ``header`` is Telegram HTML (from texts.text) replacing the "N new posts" heading.
    With a bot username in ``links`` each title opens the archived copy (see _list_item).
    """
    if not articles:
        return message(template(lang, "no_posts")).html
    head = _list_header(articles, lang, header)
    items = [_list_item(article, lang, category_names, links) for article in articles]
    whole = message(head, *items)
    if whole.length <= TEXT_LIMIT:
        return whole.html
    more = block_length(template(lang, "post_list_more", count=len(items))) + 2  # 2: "\n\n"
    shown = pack(items, TEXT_LIMIT - more, block_length, opening=head)[0]
    left = template(lang, "post_list_more", count=len(items) - len(shown) + 1)
    return message(*shown, left).html


def render_post_list_chunks(
    articles: Sequence[Article],
    lang: Lang,
    category_names: Mapping[str, str],
    *,
    header: str | None = None,
    links: ArticleLinks = NO_LINKS,
) -> list[Message]:
    """Render articles as list messages, split into several only where 4096 demands it."""
    if not articles:
        return [message(template(lang, "no_posts"))]
    items = [_list_item(article, lang, category_names, links) for article in articles]
    chunks = pack(
        items,
        TEXT_LIMIT,
        block_length,
        opening=_list_header(articles, lang, header),
        continued=template(lang, "post_list_continued"),
    )
    return [message(*chunk) for chunk in chunks]


def cut_summary(summary: str, room: int) -> str:
    """Return summary cut to ``room`` UTF-16 units at a sentence end, else outside dates/places."""
    return _cut(summary, room, protect=True)


def split_text(value: str, room: int) -> list[str]:
    """Return value in pieces of at most ``room`` UTF-16 units, for text too long for one
    message: each piece ends after a sentence when one ends late enough, else at a word."""
    pieces: list[str] = []
    start = 0
    while start < len(value):
        window = value[start : start + room + 1]  # a character is at least one unit
        fits = _prefix_fitting(window, room)
        if fits == len(window):
            pieces.append(window)
            break
        cut = _sentence_end(window, fits, []) or _word_end(window, fits, [], lowest=fits // 2)
        pieces.append(window[: cut or fits].rstrip())
        start += cut or fits
        while start < len(value) and value[start].isspace():
            start += 1
    return [piece for piece in pieces if piece]


def _clean(value: str) -> str:
    return clean_line(_BIDI.sub(" ", value))


def _summary_of(article: Article, title: str) -> str:
    # A feed without a lead still has a body whose first paragraph reads like one.
    source = article.summary if article.summary.strip() else article.body.split("\n\n", 1)[0]
    summary = clean_paragraphs(_BIDI.sub(" ", source)).replace("\n\n", "\n")
    return "" if fold(summary) == fold(title) else summary


def _category_line(article: Article, category_names: Mapping[str, str]) -> str:
    names = dict.fromkeys(_clean(category_names.get(key, key)) for key in article.categories)
    line = " · ".join(_cut(name, _CATEGORY_NAME, protect=False) for name in names if name)
    return _cut(line, _CATEGORY_LINE, protect=False)


def _meta(article: Article, lang: Lang, category_names: Mapping[str, str]) -> Block:
    date = format_vn(article.published)
    categories = _category_line(article, category_names)
    if categories:
        return template(lang, "post_meta", date=date, categories=categories)
    return template(lang, "post_date", date=date)


def _attachments_block(article: Article, lang: Lang) -> Block:
    links = []
    for attachment in article.attachments:
        url = absolute_url(attachment.url)
        if url:
            name = _clean(attachment.title) or _clean(url.rsplit("/", 1)[-1]) or url
            links.append(link(url, _cut(name, _ATTACHMENT_TITLE, protect=False)))
    if not links:
        return ()
    parts = [*template(lang, "attachments")]
    for shown in links[:MAX_ATTACHMENTS]:
        parts += ["\n• ", shown]
    if len(links) > MAX_ATTACHMENTS:
        parts += ["\n", *template(lang, "more_attachments", count=len(links) - MAX_ATTACHMENTS)]
    return tuple(parts)


def _list_header(articles: Sequence[Article], lang: Lang, header: str | None) -> Block:
    if header is None:
        return template(lang, "post_list_header", count=len(articles))
    return read_html(header)


def _list_item(
    article: Article, lang: Lang, category_names: Mapping[str, str], links: ArticleLinks
) -> Block:
    # The title opens the archived copy, which outlives the portal; the original page
    # stays one tap away while it still answers.
    title = _cut(_clean(article.title), _LIST_TITLE, protect=False) or "…"
    archive, original = links.archive(article), links.original(article)
    url = archive or original
    meta = _meta(article, lang, category_names)
    if archive and original:
        meta = (*meta, " · ", link(original, *template(lang, "original_page")))
    return ("• ", link(url, title) if url else title, "\n", *meta)


def _cut(value: str, room: int, *, protect: bool) -> str:
    """Return value cut to ``room`` UTF-16 units with an ellipsis, preferring clean boundaries."""
    if units(value) <= room:
        return value
    if room < 3:
        return "…"[: max(room, 0)]
    fits = _prefix_fitting(value, room - 2)  # 2: room for " …"
    spans = _protected_spans(value) if protect else []
    cut = _sentence_end(value, fits, spans) if protect else None
    if cut is not None:
        return value[:cut] if value[cut - 1] == "…" else value[:cut] + " …"
    # A few more words lost beat half a date or place name lost, so any boundary outside
    # them will do; only text that is one long phrase is cut inside it, or hard.
    cut = _word_end(value, fits, spans, lowest=1 if protect else fits // 2)
    if cut is None and spans:
        cut = _word_end(value, fits, [], lowest=fits // 2)
    head = value[:cut] if cut is not None else value[:fits]
    return head.rstrip(" ,;:-–—\n") + "…"


def _prefix_fitting(value: str, units: int) -> int:
    used = 0
    for index, char in enumerate(value):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return index
    return len(value)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in spans)


def _sentence_end(value: str, fits: int, spans: list[tuple[int, int]]) -> int | None:
    lowest = max(int(fits * _SENTENCE_SHARE), 1)
    for cut in range(fits, lowest - 1, -1):
        at_break = cut < len(value) and value[cut] == "\n"
        at_stop = value[cut - 1] in ".!?…" and (cut == len(value) or value[cut].isspace())
        if (at_break or at_stop) and not _inside(cut, spans):
            return cut
    return None


def _word_end(value: str, fits: int, spans: list[tuple[int, int]], lowest: int) -> int | None:
    # A single very long word has no boundary worth keeping: the caller cuts it hard.
    for cut in range(fits, max(lowest, 1) - 1, -1):
        if cut < len(value) and value[cut].isspace() and not _inside(cut, spans):
            return cut
    return None


def _protected_spans(value: str) -> list[tuple[int, int]]:
    """Return the (start, end) spans of dates, times and place phrases in value, merged."""
    spans = [m.span() for m in _PROTECTED.finditer(value)] + _place_spans(value)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (
            start <= merged[-1][1] or _JOINER.fullmatch(value, merged[-1][1], start) is not None
        ):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _place_spans(value: str) -> list[tuple[int, int]]:
    """Return spans such as "tại Hội trường UBND xã Nam Thái" or "ấp 3": a place word, names."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", value)]
    spans = []
    index = 0
    while index < len(tokens):
        width = _place_word_at(tokens, index)
        # "… của huyện. Câu …": a place word that ends a clause names no place.
        if not width or tokens[index + width - 1][2][-1] in _TRAILING:
            index += max(width, 1)
            continue
        start, end = tokens[index][0], None
        index += width
        while index < len(tokens):
            bare = tokens[index][2].lstrip("(«“")
            inner = _place_word_at(tokens, index)
            if bare[:1].isupper() or bare[:1].isdigit():
                end = tokens[index][1]
                index += 1
            elif inner:
                index += inner
            else:
                break
            if tokens[index - 1][2][-1] in _TRAILING:
                break
        if end is not None:
            spans.append((start, end))
    return spans


def _place_word_at(tokens: list[tuple[int, int, str]], index: int) -> int:
    """Return how many tokens form a place word at index (0 if none)."""
    for width in (3, 2, 1):
        words = [t[2] for t in tokens[index : index + width]]
        # A comma inside "xã, huyện" ends the phrase: it is a list, not one place.
        joined = len(words) == width and not any(w[-1] in _TRAILING for w in words[:-1])
        if joined and fold(" ".join(words)).strip(_TRAILING) in _PLACE_WORDS:
            return width
    return 0
