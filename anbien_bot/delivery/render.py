"""How an article looks in Telegram: HTML captions and messages within Telegram's limits.

Everything from a source is treated as plain text and escaped here, so no markup from a feed
ever reaches Telegram. Limits are counted as Telegram counts them: the visible text after
entity parsing, in UTF-16 code units (an emoji counts 2).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from ..models import Article
from ..text.dates import format_vn
from ..text.vntext import clean_line, clean_paragraphs, fold
from ..texts import Lang, text

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096

MAX_ATTACHMENTS = 3  # shown as links; the rest are counted as "+N"
_ATTACHMENT_TITLE = 80
_CATEGORY_NAME = 60
_CATEGORY_LINE = 200
_LIST_TITLE = 300
_MIN_SUMMARY = 40  # a summary cut shorter than this says nothing: drop it instead
_SENTENCE_SHARE = 0.6  # a sentence end this far into the room beats a later word boundary

_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r'<a href="([^"]*)">|</a>|<[^>]*>')
# vntext leaves bidi embeddings and isolates alone; in a title they reorder what follows.
_BIDI = re.compile(r"[\u061c\u202a-\u202e\u2066-\u2069]")
_URL_SAFE = "/?#[]@!$&'()*+,;=:%~-._"

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
    """One article ready to send: a photo with ``text`` as caption, or a text message."""

    text: str  # Telegram HTML
    photo: str | None  # image URL or file_id; None for a text message
    link_preview_url: str | None  # for text messages: the page to preview


def visible_length(html_text: str) -> int:
    """Return the length of html_text after entity parsing, in UTF-16 code units."""
    return _units(html.unescape(_TAG.sub("", html_text)))


def render_post(article: Article, lang: Lang, category_names: Mapping[str, str]) -> RenderedPost:
    """Render an article as a photo with caption, or as a text message when it has no image."""
    photo = safe_url(article.image_url)
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    url = safe_url(article.url)
    title = _clean(article.title)
    summary = _summary_of(article, title)
    meta = _meta(article, lang, category_names)
    attachments = _attachments_block(article, lang)
    link = f'<a href="{html.escape(url)}">{text(lang, "read_more")}</a>' if url else ""

    def compose(title: str, summary: str, attachments: str) -> str:
        head = f"<b>{_esc(title)}</b>\n{meta}" if title else meta
        blocks = (head, _esc(summary), attachments, link)
        return "\n\n".join(block for block in blocks if block)

    body = compose(title, summary, attachments)
    if summary and visible_length(body) > limit:
        room = limit - visible_length(compose(title, "", attachments)) - 2  # 2: "\n\n"
        summary = cut_summary(summary, room) if room >= _MIN_SUMMARY else ""
        body = compose(title, summary, attachments)
    if visible_length(body) > limit:
        attachments = ""
        body = compose(title, summary, attachments)
    if visible_length(body) > limit:
        # Only an enormous title gets here; cutting it keeps the message valid.
        room = limit - visible_length(compose("", summary, attachments)) - 1  # 1: "\n"
        body = compose(_cut(title, room, protect=False), summary, attachments)
    return RenderedPost(text=body, photo=photo, link_preview_url=None if photo else url)


def render_plain(rendered: RenderedPost) -> str:
    """Return the message as plain text without tags, the "Read more" address written out."""
    limit = CAPTION_LIMIT if rendered.photo else TEXT_LIMIT
    hrefs = [html.unescape(m.group(1)) for m in _LINK.finditer(rendered.text) if m.group(1)]
    plain = _plain(rendered.text, hrefs, set(range(len(hrefs))))
    if not hrefs or _units(plain) <= limit:
        return plain
    # The last link is "Read more": without markup its address is the only way to the article,
    # so the longest other block (the summary) gives up room for it.
    last = hrefs[-1]
    blocks = _plain(rendered.text, hrefs, {len(hrefs) - 1}).split("\n\n")
    others = [i for i, block in enumerate(blocks) if last not in block]
    over = sum(_units(block) + 2 for block in blocks) - 2 - limit
    if over > 0 and others:
        longest = max(others, key=lambda i: _units(blocks[i]))
        room = _units(blocks[longest]) - over
        if room >= _MIN_SUMMARY:
            blocks[longest] = _cut(blocks[longest], room, protect=True)
            over = 0
    return "\n\n".join(blocks) if over <= 0 else _plain(rendered.text, hrefs, set())


def render_post_list(
    articles: Sequence[Article],
    lang: Lang,
    category_names: Mapping[str, str],
    *,
    header: str | None = None,
) -> str:
    """Render articles as one message (title, date, link each), "and N more" when too many.

    ``header`` is Telegram HTML (from texts.text) replacing the "N new posts" heading.
    """
    if not articles:
        return text(lang, "no_posts")
    head = header if header is not None else text(lang, "post_list_header", count=len(articles))
    items = [_list_item(article, lang, category_names) for article in articles]
    whole = "\n\n".join([head, *items])
    if visible_length(whole) <= TEXT_LIMIT:
        return whole
    reserve = visible_length(text(lang, "post_list_more", count=len(items))) + 2
    used = visible_length(head) + reserve
    shown = [head]
    for item in items:
        used += visible_length(item) + 2
        if used > TEXT_LIMIT:
            break
        shown.append(item)
    shown.append(text(lang, "post_list_more", count=len(items) - len(shown) + 1))
    return "\n\n".join(shown)


def render_post_list_chunks(
    articles: Sequence[Article],
    lang: Lang,
    category_names: Mapping[str, str],
    *,
    header: str | None = None,
) -> list[str]:
    """Render articles as list messages, split into several only where 4096 demands it."""
    if not articles:
        return [text(lang, "no_posts")]
    head = header if header is not None else text(lang, "post_list_header", count=len(articles))
    chunks: list[list[str]] = [[head]]
    used = visible_length(head)
    for article in articles:
        item = _list_item(article, lang, category_names)
        size = visible_length(item) + 2
        if used + size > TEXT_LIMIT:
            continued = text(lang, "post_list_continued")
            chunks.append([continued])
            used = visible_length(continued)
        chunks[-1].append(item)
        used += size
    return ["\n\n".join(chunk) for chunk in chunks]


def cut_summary(summary: str, room: int) -> str:
    """Return summary cut to ``room`` UTF-16 units at a sentence end, else outside dates/places."""
    return _cut(summary, room, protect=True)


def safe_url(url: str | None) -> str | None:
    """Return url percent-encoded for Telegram if it is absolute http(s), else None."""
    if not url:
        return None
    url = _BIDI.sub("", clean_line(url))
    try:
        parts = urlsplit(url)
        host = parts.netloc.encode("idna").decode("ascii") if parts.netloc else ""
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    path, query, fragment = (quote(p, safe=_URL_SAFE) for p in parts[2:])
    return urlunsplit((parts.scheme.lower(), host, path, query, fragment))


def _clean(value: str) -> str:
    return clean_line(_BIDI.sub(" ", value))


def _esc(value: str) -> str:
    return html.escape(value, quote=False)


def _units(value: str) -> int:
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def _summary_of(article: Article, title: str) -> str:
    # A feed without a lead still has a body whose first paragraph reads like one.
    source = article.summary if article.summary.strip() else article.body.split("\n\n", 1)[0]
    summary = clean_paragraphs(_BIDI.sub(" ", source)).replace("\n\n", "\n")
    return "" if fold(summary) == fold(title) else summary


def _category_line(article: Article, category_names: Mapping[str, str]) -> str:
    names = dict.fromkeys(_clean(category_names.get(key, key)) for key in article.categories)
    line = " · ".join(_cut(name, _CATEGORY_NAME, protect=False) for name in names if name)
    return _cut(line, _CATEGORY_LINE, protect=False)


def _meta(article: Article, lang: Lang, category_names: Mapping[str, str]) -> str:
    date = format_vn(article.published)
    categories = _category_line(article, category_names)
    if categories:
        return text(lang, "post_meta", date=date, categories=categories)
    return text(lang, "post_date", date=date)


def _attachments_block(article: Article, lang: Lang) -> str:
    links = []
    for attachment in article.attachments:
        url = safe_url(attachment.url)
        if url:
            name = _clean(attachment.title) or _clean(url.rsplit("/", 1)[-1]) or url
            name = _cut(name, _ATTACHMENT_TITLE, protect=False)
            links.append(f'• <a href="{html.escape(url)}">{_esc(name)}</a>')
    if not links:
        return ""
    lines = [text(lang, "attachments"), *links[:MAX_ATTACHMENTS]]
    if len(links) > MAX_ATTACHMENTS:
        lines.append(text(lang, "more_attachments", count=len(links) - MAX_ATTACHMENTS))
    return "\n".join(lines)


def _list_item(article: Article, lang: Lang, category_names: Mapping[str, str]) -> str:
    title = _cut(_clean(article.title), _LIST_TITLE, protect=False) or "…"
    url = safe_url(article.url)
    line = f'• <a href="{html.escape(url)}">{_esc(title)}</a>' if url else f"• {_esc(title)}"
    return f"{line}\n{_meta(article, lang, category_names)}"


def _plain(body: str, hrefs: list[str], keep: set[int]) -> str:
    out: list[str] = []
    pos = 0
    index = current = -1
    for match in _LINK.finditer(body):
        out.append(html.unescape(body[pos : match.start()]))
        pos = match.end()
        if match.group(1):
            index += 1
            current = index
        elif match.group(0) == "</a>" and current in keep:
            out.append(f" ({hrefs[current]})")
    out.append(html.unescape(body[pos:]))
    return "".join(out)


def _cut(value: str, room: int, *, protect: bool) -> str:
    """Return value cut to ``room`` UTF-16 units with an ellipsis, preferring clean boundaries."""
    if _units(value) <= room:
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
