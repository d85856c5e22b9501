"""An article's text as readers want it: paragraphs without portal furniture, captions kept
with their photos, and the author line lifted out of the body.

Vietnamese government portals wrap every article in the same widgets (``Xem với cỡ chữAA``,
print and e-mail links, view counters, breadcrumbs) and end it with ``./.`` and a line such as
``Tin và ảnh: Thanh Vũ``. Everything here works on plain lines and on the blocks
:func:`~anbien_bot.sources.pagetext.read_blocks` reads from a page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import BodyBlock
from ..text.dates import parse_vietnamese_datetime
from ..text.urls import absolute_url
from ..text.vntext import clean_line, fold
from ..values import BlockKind
from .pagetext import Block, is_photo

# The font-size widget: "Xem với cỡ chữAA", "Cỡ chữ: A- A A+". A lone "A" after it is part of
# the widget unless a lower-case letter follows (a title that starts "An Biên ...").
_A_BUTTONS = r"(?:A[+-]?(?![^\W\dA_])\s*){0,3}"
_FONT_WIDGET = re.compile(
    rf"xem\s+với\s+cỡ\s+chữ\s*:?\s*{_A_BUTTONS}|(?:kích\s+thước|cỡ)\s+chữ\s*:?\s*(?:A[+-]?\s*)+"
    r"(?![^\W\d_])",
    re.I,
)
# Only with its number or colon: "hàng nghìn lượt xem" in a sentence is text, not a counter.
_VIEW_COUNTER = re.compile(
    r"(?:số\s+)?(?:lượt\s+xem|lượt\s+đọc|lượt\s+truy\s+cập|số\s+lần\s+xem)"
    r"\s*(?::\s*[\d.,]*|\s+\d[\d.,]*(?!\w))",
    re.I,
)
# The words of print, e-mail, share and back-to-top rows: a line of nothing else is furniture.
_WIDGET_LINE = (
    "in bài viết trang bản gửi email e mail chia sẻ quay lại trở về đầu lên phóng to thu nhỏ "
    "bình luận ý kiến bạn đọc facebook zalo twitter tweet share print chủ a aa aaa"
)
_WIDGET_WORDS = frozenset(_WIDGET_LINE.split())
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_BREADCRUMB = re.compile(r"^trang\s+chủ\s*(?:[>»›/|]|$)", re.I)
_RELATED_HEADING = re.compile(
    r"^(?:các\s+)?(?:tin|bài(?:\s+viết)?)\s+(?:liên\s+quan|khác|cùng\s+chuyên\s+mục|đã\s+đưa"
    r"|mới\s+hơn|cũ\s+hơn|cùng\s+loại)(?:\s*[:.]|\s*$)|^xem\s+thêm\s*(?::.*)?$"
    r"|^có\s+liên\s+quan\s*:?$",
    re.I,
)
# "./." closes most portal articles; "/." is the same mark with its first dot swallowed.
_END_MARK = re.compile(r"\s*\.?\s*/\s*\.\s*$")
_CAPTION_PREFIX = re.compile(
    r"^[(\[]?\s*(?:quang\s+cảnh|ảnh(?:\s+minh\s+họa)?)\s*(?:[:.-]|[)\]]\s*$|$)", re.I
)
_AUTHOR = re.compile(
    r"^(?:tin\s+và\s+ảnh|tin\s*,\s*ảnh|bài\s+và\s+ảnh|bài\s*,\s*ảnh|tin\s*/\s*ảnh|tin\s+bài"
    r"|tin|bài|ảnh|bài\s+viết|nhóm\s+pv|tác\s+giả)\s*:\s*(?P<name>[^:]{2,60})$",
    re.I,
)
# The words a line that only gives a date may hold besides numbers: labels, "at", weekdays,
# month names, "(GMT+7)", the morning and afternoon marks.
_DATE_WORDS = frozenset(
    {"ngày", "đăng", "cập", "nhật", "lúc", "thời", "gian", "xuất", "bản", "thứ", "chủ", "cn"}
    | {"hai", "ba", "tư", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "một", "tháng"}
    | {"giêng", "chạp", "gmt", "utc", "sa", "ch", "am", "pm", "h", "g"}
)
# "Ngày đăng: 21/01/2021 - Lượt xem: 87 - Tác giả: …": a page's line about the article, not of it.
_META_LINE = re.compile(
    r"^(?:ngày\s+đăng|đăng\s+ngày|ngày\s+cập\s+nhật|cập\s+nhật(?:\s+lúc)?)\s*:?\s*[\d(]", re.I
)
# "An Biên, ngày 07 tháng 8 năm 2025": where and when an official notice was signed.
_PLACE_DATE = re.compile(
    r"^[^\d,]{2,40},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*\.?$", re.I
)
# A byline with no prefix is a short name: "Minh Trí", "Ngọc Ánh (CDC Kiên Giang)".
_BARE_NAME = re.compile(r"^[^\W\d_][^\d:;!?…]{1,48}(?:[^\W\d_]|\))$")
_BARE_NAME_WORDS = 8
# What CMSs put where no one signed: their default accounts ("quantri" is "quản trị" as a login).
_PLACEHOLDER_AUTHORS = frozenset(
    {"super user", "administrator", "admin", "quản trị viên", "quản trị", "quantri", "webmaster"}
)
_CAPTION_MAX = 300  # a caption is a sentence or two; a longer line after a photo is text
_AUTHOR_MAX = 80
_FURNITURE_MAX = 160  # widget rows and breadcrumbs are short; paragraphs are not furniture
_LEAD_MIN_CHARS = 40
_PARAGRAPH_MIN = 100  # a header's lines (site name, breadcrumb, title, date) are shorter


@dataclass(frozen=True, slots=True)
class ArticleText:
    """The readable parts of an article body."""

    paragraphs: tuple[str, ...] = ()
    images: tuple[tuple[str, str], ...] = ()  # (src as written, caption)
    author: str = ""
    lead: str = ""  # the first real paragraph: not a caption, not furniture
    # The body in reading order: the paragraphs (of their kinds) and the photos with their
    # captions, a photo's url as written in the page.
    blocks: tuple[BodyBlock, ...] = ()


def strip_furniture(line: str) -> str:
    """Return one line without the font-size widget and view counters."""
    line = clean_line(line)
    lowered = line.lower()
    # The patterns are slow on long paragraphs; their key words are rare, so look first.
    if "chữ" in lowered:
        line = _FONT_WIDGET.sub(" ", line)
    if "lượt" in lowered or "lần" in lowered:
        line = _VIEW_COUNTER.sub(" ", line)
    return " ".join(line.split())


def is_furniture(line: str) -> bool:
    """Tell whether a whole line is portal furniture: widgets, breadcrumbs, lone buttons."""
    if len(line) > _FURNITURE_MAX:
        return False
    words = _WORD.findall(line.lower())
    return bool(_BREADCRUMB.match(line)) or all(word in _WIDGET_WORDS for word in words)


def clean_text(text: str) -> str:
    """Return free text (a lead, a caption) as clean lines without furniture or end marks."""
    lines = (strip_furniture(line) for line in text.splitlines())
    kept = [_END_MARK.sub(".", line) for line in lines if line and not is_furniture(line)]
    return "\n\n".join(line for line in kept if line and line != ".")


def author_name(line: str) -> str:
    """Return the name in an author line ("Tin và ảnh: Thanh Vũ" → "Thanh Vũ"), else ""."""
    match = _AUTHOR.match(clean_line(line).strip("()[] "))
    if match is None or len(line) > _AUTHOR_MAX:
        return ""
    return match["name"].strip(" .,;-–—*")


def signed_name(name: str) -> str:
    """Return a name as a byline, or "" if it is a CMS account rather than a person or office.

    People and offices are written capitalised ("Minh Khoa", "Văn phòng UBND xã"); a login
    ("quantri", "bientap01") is not, and the CMS's own accounts are placeholders.
    """
    name = clean_line(name).strip(" .,;-–—")
    if not name or not name[0].isupper() or name.lower() in _PLACEHOLDER_AUTHORS:
        return ""
    return name


def is_caption(line: str) -> bool:
    """Tell whether a line reads as a photo caption ("Quang cảnh: …", "Ảnh: …")."""
    return _CAPTION_PREFIX.match(line) is not None


def is_date_line(line: str) -> bool:
    """Tell whether a line only gives a date: "Cập nhật lúc 10:12 ngày 28/05/2024", "(10:59 |
    29/05/2020)", "Thứ Hai, 20 Tháng 11 2023 09:30"."""
    if len(line) > 80 or _DIGIT.search(line) is None:
        return False
    words = [w for w in _WORD.findall(line.lower()) if not w.isdigit()]
    if not all(w in _DATE_WORDS for w in words):
        return False
    return parse_vietnamese_datetime(line) is not None


def is_place_date(line: str) -> bool:
    """Tell whether a line is a notice's place and date ("An Biên, ngày 07 tháng 8 năm 2025")."""
    return _PLACE_DATE.match(line) is not None


def is_related_heading(line: str) -> bool:
    """Tell whether a line heads a "Tin liên quan" list, after which no article text follows."""
    return _RELATED_HEADING.match(line) is not None


def arrange(blocks: Sequence[Block], title: str = "") -> ArticleText:
    """Return blocks as an article: furniture dropped, captions on photos, author lifted out.

    A line right after a photo is its caption when its markup or wording says so (a caption
    element, "Ảnh: …", or a short italic, centred or cell-under-the-photo line).
    """
    items = _drop_header(_text_and_photos(blocks), title)
    items, author = _lift_author(items)
    # [kind, text, src] in reading order; a photo's text is its caption, filled in later.
    body: list[list] = []
    last_photo: list | None = None
    after_photo = False
    for block in items:
        if block.image:
            last_photo = [BlockKind.IMAGE, "", block.image]
            body.append(last_photo)
            after_photo = True
            continue
        text = block.text
        looks = is_caption(text) or (block.hint and len(text) <= _CAPTION_MAX)
        if (block.caption or (after_photo and looks)) and last_photo and not last_photo[1]:
            last_photo[1] = _END_MARK.sub(".", text)
        elif not block.caption:
            text = _END_MARK.sub(".", text)
            if text and text != ".":
                body.append([block.kind, text, ""])
        after_photo = False
    blocks = tuple(BodyBlock(kind, text, src) for kind, text, src in body)
    paragraphs = [b.text for b in blocks if b.kind is not BlockKind.IMAGE]
    lead = next((p for p in paragraphs if _is_lead(p, title)), "")
    return ArticleText(
        paragraphs=tuple(paragraphs),
        images=tuple((b.url, b.text) for b in blocks if b.kind is BlockKind.IMAGE),
        author=author,
        lead=lead or (paragraphs[0] if paragraphs and not is_caption(paragraphs[0]) else ""),
        blocks=blocks,
    )


def resolved(blocks: Sequence[BodyBlock], page_url: str) -> tuple[BodyBlock, ...]:
    """Return arranged blocks with each photo's absolute URL, leaving out logos and icons and
    photos whose address cannot be one (a data: or javascript: URI)."""
    kept: list[BodyBlock] = []
    for block in blocks:
        if block.kind is BlockKind.IMAGE:
            url = absolute_url(block.url, page_url) if is_photo(block.url) else None
            if url is None:
                continue
            block = BodyBlock(BlockKind.IMAGE, block.text, url)
        kept.append(block)
    return tuple(kept)


def _text_and_photos(blocks: Sequence[Block]) -> list[Block]:
    """Return the blocks with furniture gone, up to a related-news heading."""
    items: list[Block] = []
    for block in blocks:
        if block.image:
            items.append(block)
            continue
        line = strip_furniture(block.text)
        if not line or is_furniture(line) or is_date_line(line) or _META_LINE.match(line):
            continue
        if is_related_heading(line):
            break
        # Built directly: dataclasses.replace costs more than the rest of this loop.
        items.append(Block(line, "", block.caption, block.hint, block.signed, block.kind))
    return items


def _drop_header(items: list[Block], title: str) -> list[Block]:
    """Return items after the title line when a body selector also caught the page header.

    A header holds no paragraph: past one, a line that reads like the title is the article's
    own (the office signing a notice, "UBND xã Đông Yên", when the page's title is its name).
    """
    if not title:
        return items
    key = fold(title)
    for index, block in enumerate(items[:8]):
        if block.text and fold(block.text) == key:
            return items[index + 1 :]
        if len(block.text) >= _PARAGRAPH_MIN:
            break
    return items


def _lift_author(items: list[Block]) -> tuple[list[Block], str]:
    """Return items without the closing author line, and the author's name.

    The line is "Tin và ảnh: Thanh Vũ" and the like among the last three lines, else a bare
    name set apart (bold or right-aligned) as the very last line.
    """
    # A line right after a photo is its caption ("Ảnh: …"), never the author line.
    texts = [
        i
        for i, block in enumerate(items)
        if block.text and not block.caption and not (i and items[i - 1].image)
    ]
    for index in reversed(texts[-3:]):
        text = items[index].text
        name = author_name(text)
        if name:
            return items[:index] + items[index + 1 :], name
        # "... nông thôn mới./. Tin và ảnh: Thanh Vũ" when the portal ran the lines together.
        head, mark, tail = text.rpartition("/.")
        name = author_name(tail) if mark else ""
        if name:
            kept = Block(text=head + "/.", kind=items[index].kind)
            return [*items[:index], kept, *items[index + 1 :]], name
    if texts and texts[-1] == len(items) - 1 and _is_bare_name(items[-1]):
        return items[:-1], items[-1].text
    return items, ""


def _is_bare_name(block: Block) -> bool:
    """Tell whether a closing line is a byline without a prefix: short, a name, set apart."""
    text = block.text
    return (
        block.signed
        and _BARE_NAME.match(text) is not None
        and len(text.split()) <= _BARE_NAME_WORDS
        and not is_related_heading(text)
    )


def _is_lead(paragraph: str, title: str) -> bool:
    """Tell whether a paragraph can stand as the article's lead."""
    return (
        len(paragraph) >= _LEAD_MIN_CHARS
        and not is_caption(paragraph)
        and not paragraph.isupper()
        and not is_place_date(paragraph)
        and fold(paragraph) != fold(title)
    )
