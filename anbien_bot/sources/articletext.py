"""An article's text as readers want it: paragraphs without portal furniture, captions kept
with their photos, and the author line lifted out of the body.

Vietnamese government portals wrap every article in the same widgets (``Xem với cỡ chữAA``,
print and e-mail links, view counters, breadcrumbs) and end it with ``./.`` and a line such as
``Tin và ảnh: Thanh Vũ``. :func:`parse_page` reads page bytes in whatever charset,
:func:`main_element` finds the block that holds the article when no selector says, and
:func:`read_blocks` walks an element into lines and photos without recursion (pages nest
deeply); the rest works on plain lines.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import lxml.html
from lxml import etree

from ..text.vntext import clean_line, fold

# Elements whose text is never article text; their tail still is.
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas"}
    | {"select", "option", "button", "input", "textarea", "head", "title", "nav", "audio"}
    | {"video", "map"}
)
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd"}
    | {"mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "u"}
    | {"var", "wbr", "label"}
)
# Text inside these belongs to the block around them when paragraphs are weighed.
_INLINE_OWNERS = frozenset(_INLINE_TAGS - {"a"})
_CONTAINERS = frozenset({"div", "td", "section", "article", "main"})
# Text in these is never the article's: links, scripts, menus, headers, footers, sidebars.
_NOT_CONTENT = frozenset(
    {"a", "script", "style", "nav", "header", "footer", "aside", "noscript", "select", "head"}
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_CAPTION_CLASS = re.compile(r"caption|chuthich|chu-thich|image-desc|img-desc|photo-desc", re.I)
_FURNITURE_CLASS = re.compile(
    r"breadcrumb|share|social|print|font-?size|text-?size|zoom-?text|tool-?font|view-?count"
    r"|related|lienquan|lien-quan|comment|rating|toolbar|pagination|pager",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

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
_BREADCRUMB = re.compile(r"^trang\s+chủ\s*(?:[>»›/|]|$)", re.I)
_RELATED_HEADING = re.compile(
    r"^(?:các\s+)?(?:tin|bài(?:\s+viết)?)\s+(?:liên\s+quan|khác|cùng\s+chuyên\s+mục|đã\s+đưa)"
    r"(?:\s*[:.]|\s*$)|^xem\s+thêm\s*:?$",
    re.I,
)
# "./." closes most portal articles; "/." is the same mark with its first dot swallowed.
_END_MARK = re.compile(r"\s*\.?\s*/\s*\.\s*$")
_CAPTION_PREFIX = re.compile(r"^[(\[]?\s*(?:quang\s+cảnh|ảnh(?:\s+minh\s+họa)?)\s*[:.-]", re.I)
_AUTHOR = re.compile(
    r"^(?:tin\s+và\s+ảnh|tin\s*,\s*ảnh|bài\s+và\s+ảnh|bài\s*,\s*ảnh|tin\s*/\s*ảnh|tin\s+bài"
    r"|tin|bài|ảnh|bài\s+viết|nhóm\s+pv|tác\s+giả)\s*:\s*(?P<name>[^:]{2,60})$",
    re.I,
)
_DATE_LINE = re.compile(
    r"^(?:(?:ngày\s+đăng|đăng\s+ngày|cập\s+nhật|ngày\s+cập\s+nhật|thời\s+gian|ngày)\s*:?)?"
    r"[\s,]*(?:(?:thứ\s+\w+|chủ\s+nhật)[\s,]*)?[\d\s:/|().,h-]+(?:\(?gmt\s*\+\s*7\)?)?$",
    re.I,
)
_AUTHOR_MAX = 80
_FURNITURE_MAX = 160  # widget rows and breadcrumbs are short; paragraphs are not furniture
_SNIPPET = 20  # shorter text pieces are dates, counters and labels more often than prose
_BLOCKS_MAX = 5000  # far more than any article; a hostile page stops being read here
_LEAD_MIN_CHARS = 40


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of text or one photo, in page order; ``caption`` marks a caption element."""

    text: str = ""
    image: str = ""  # the img's src as written in the page, unresolved
    caption: bool = False


@dataclass(frozen=True, slots=True)
class ArticleText:
    """The readable parts of an article body."""

    paragraphs: tuple[str, ...] = ()
    images: tuple[tuple[str, str], ...] = ()  # (src as written, caption)
    author: str = ""
    lead: str = ""  # the first real paragraph: not a caption, not furniture


def parse_page(html: bytes | str) -> lxml.html.HtmlElement | None:
    """Return the parsed page (bytes in any charset, or text), or None if it holds no markup."""
    data = html.encode("utf-8", "replace") if isinstance(html, str) else _as_utf8(html)
    # A fresh parser per page: ingest parses big pages in worker threads, and lxml parsers
    # must not be shared between threads.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except etree.ParserError:
        return None


def _as_utf8(data: bytes) -> bytes:
    """Return page bytes as UTF-8: valid UTF-8 wins, then the page's own charset."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace").encode("utf-8")
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    # Invalid UTF-8 without a charset is most often a page cut short mid-letter.
    match = _CHARSET.search(data[:4096])
    charset = match[1].decode("ascii", "replace") if match else "utf-8"
    try:
        return data.decode(charset, "replace").encode("utf-8")
    except LookupError:
        return data.decode("utf-8", "replace").encode("utf-8")


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


def is_caption(line: str) -> bool:
    """Tell whether a line reads as a photo caption ("Quang cảnh: …", "Ảnh: …")."""
    return _CAPTION_PREFIX.match(line) is not None


def is_related_heading(line: str) -> bool:
    """Tell whether a line heads a "Tin liên quan" list, after which no article text follows."""
    return _RELATED_HEADING.match(line) is not None


def read_blocks(
    root: etree._Element,
    skip: Collection[etree._Element] = (),
    captions: Collection[etree._Element] = (),
) -> list[Block]:
    """Return root's text as paragraphs and photos in page order, leaving scripts and widgets.

    Elements in ``skip`` are left out (their tail is kept); text inside ``captions`` (or a
    figcaption, or an element whose class says caption) is marked as caption.
    """
    blocks: list[Block] = []
    buffer: list[str] = []
    depth = 0  # how many caption elements the walk is inside

    def flush() -> None:
        if buffer:
            line = clean_line("".join(buffer))
            buffer.clear()
            if line:
                blocks.append(Block(text=line, caption=depth > 0))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if len(blocks) >= _BLOCKS_MAX:
            break
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el is not root and _skipped(el, tag, skip):
                walker.skip_subtree()
                continue
            if tag == "img":
                flush()
                src = (el.get("data-src") or el.get("src") or "").strip()
                if src:
                    blocks.append(Block(image=src))
                continue
            if tag not in _INLINE_TAGS:
                flush()
            if el in captions or _is_caption_element(el, tag):
                flush()
                depth += 1
            if el.text:
                buffer.append(el.text)
            continue
        # A left-out element or a photo has no content to close; only its tail is text.
        if tag != "img" and (el is root or not _skipped(el, tag, skip)):
            if tag not in _INLINE_TAGS:
                flush()
            if el in captions or _is_caption_element(el, tag):
                flush()
                depth -= 1
        if el is not root and el.tail:
            buffer.append(el.tail)
    flush()
    return blocks


def text_of(el: etree._Element) -> str:
    """Return the readable text of an element, one line per paragraph, without scripts."""
    return "\n".join(b.text for b in read_blocks(el) if b.text)


def main_element(root: etree._Element) -> etree._Element:
    """Return the element that holds the most paragraph text outside links, menus and sidebars.

    Each paragraph's length counts for the block that holds it (a div with its own text
    counts for itself), 0.9 of it for the parent and 0.45 for the grandparent, so the
    container of many paragraphs outweighs any single one.
    """
    scores: dict[etree._Element, float] = {}

    def credit(owner: etree._Element | None, size: int) -> None:
        while owner is not None and owner.tag in _INLINE_OWNERS:
            owner = owner.getparent()
        if owner is None:
            return
        if owner.tag in _CONTAINERS:
            scores[owner] = scores.get(owner, 0.0) + size
        for weight, ancestor in zip((0.9, 0.45), owner.iterancestors(), strict=False):
            scores[ancestor] = scores.get(ancestor, 0.0) + weight * size

    body = root.find("body")
    start = body if body is not None else root
    # One walk that skips menus and links whole is several times faster than an XPath
    # over every text node.
    walker = etree.iterwalk(start, events=("start",))
    for _, el in walker:
        if el.tail and el is not start and (size := _weight(el.tail)):
            credit(el.getparent(), size)
        if not isinstance(el.tag, str) or el.tag in _NOT_CONTENT:
            walker.skip_subtree()
        elif el.text and (size := _weight(el.text)):
            credit(el, size)
    return max(scores, key=scores.__getitem__) if scores else start


def _weight(text: str) -> int:
    """Return how much a piece of text counts: snippets (dates beside sidebar links) barely."""
    size = len(text.strip())
    return size if size >= _SNIPPET else size // 4


def _skipped(el: etree._Element, tag: str, skip: Collection[etree._Element]) -> bool:
    """Tell whether an element's own content is left out of the text."""
    if not tag or tag in _SKIPPED_TAGS or el in skip or el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}"
    return names != " " and _FURNITURE_CLASS.search(names) is not None


def _is_caption_element(el: etree._Element, tag: str) -> bool:
    """Tell whether an element holds a caption by its markup."""
    if tag in ("figcaption", "caption"):
        return True
    names = el.get("class")
    return bool(names) and _CAPTION_CLASS.search(names) is not None


def arrange(blocks: Sequence[Block], title: str = "") -> ArticleText:
    """Return blocks as an article: furniture dropped, captions on photos, author lifted out."""
    items = _drop_header(_text_and_photos(blocks), title)
    items, author = _lift_author(items)
    paragraphs: list[str] = []
    images: list[list[str]] = []
    after_photo = False
    for text, image, caption in items:
        if image:
            images.append([image, ""])
            after_photo = True
            continue
        if (caption or (after_photo and is_caption(text))) and images and not images[-1][1]:
            images[-1][1] = _END_MARK.sub(".", text)
        elif not caption:
            text = _END_MARK.sub(".", text)
            if text and text != ".":
                paragraphs.append(text)
        after_photo = False
    lead = next((p for p in paragraphs if _is_lead(p, title)), "")
    return ArticleText(
        paragraphs=tuple(paragraphs),
        images=tuple((src, cap) for src, cap in images),
        author=author,
        lead=lead or (paragraphs[0] if paragraphs and not is_caption(paragraphs[0]) else ""),
    )


def _text_and_photos(blocks: Sequence[Block]) -> list[tuple[str, str, bool]]:
    """Return (text, image, caption) items with furniture gone, up to a related-news heading."""
    items: list[tuple[str, str, bool]] = []
    for block in blocks:
        if block.image:
            items.append(("", block.image, False))
            continue
        line = strip_furniture(block.text)
        if not line or is_furniture(line) or _DATE_LINE.match(line):
            continue
        if is_related_heading(line):
            break
        items.append((line, "", block.caption))
    return items


def _drop_header(items: list[tuple[str, str, bool]], title: str) -> list[tuple[str, str, bool]]:
    """Return items after the title line when a body selector also caught the page header."""
    if not title:
        return items
    key = fold(title)
    for index, (text, _, _) in enumerate(items[:8]):
        if text and fold(text) == key:
            return items[index + 1 :]
    return items


def _lift_author(
    items: list[tuple[str, str, bool]],
) -> tuple[list[tuple[str, str, bool]], str]:
    """Return items without the closing author line, and the author's name."""
    # A line right after a photo is its caption ("Ảnh: …"), never the author line.
    texts = [
        i
        for i, (text, _, caption) in enumerate(items)
        if text and not caption and not (i and items[i - 1][1])
    ]
    for index in reversed(texts[-3:]):
        text = items[index][0]
        name = author_name(text)
        if name:
            return items[:index] + items[index + 1 :], name
        # "... nông thôn mới./. Tin và ảnh: Thanh Vũ" when the portal ran the lines together.
        head, mark, tail = text.rpartition("/.")
        name = author_name(tail) if mark else ""
        if name:
            return [*items[:index], (head + "/.", "", False), *items[index + 1 :]], name
    return items, ""


def _is_lead(paragraph: str, title: str) -> bool:
    """Tell whether a paragraph can stand as the article's lead."""
    return (
        len(paragraph) >= _LEAD_MIN_CHARS
        and not is_caption(paragraph)
        and not paragraph.isupper()
        and fold(paragraph) != fold(title)
    )
