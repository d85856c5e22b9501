"""A portal page's text as it sits in the markup: paragraphs, headings, list items, quotes,
table rows and photos in page order with what their markup says of them.

:func:`read_blocks` walks an element into lines and photos without recursion (pages nest
deeply); mainblock.main_element finds the block that holds the article when no selector
says. Pages are parsed by pagebytes.parse_page, which extract and listing find here.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from lxml import etree

from ..models import numbered
from ..text.vntext import clean_line
from ..values import BlockKind
from .pagebytes import parse_page as parse_page

# Elements whose text is never article text; their tail still is.
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas"}
    | {"select", "option", "button", "input", "textarea", "head", "title", "nav", "audio"}
    | {"video", "map"}
)
INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd"}
    | {"mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "u"}
    | {"var", "wbr", "label"}
)
_CAPTION_CLASS = re.compile(r"caption|chuthich|chu-thich|image-desc|img-desc|photo-desc", re.I)
_FURNITURE_CLASS = re.compile(
    r"breadcrumb|share|social|print|font-?size|text-?size|zoom-?text|tool-?font|view-?count"
    r"|related|lienquan|lien-quan|comment|rating|toolbar|pagination|pager|wp-block-file"
    r"|attachments|addtoany|a2a_kit|post-navigation",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# How captions and bylines look: italic or small type, centred or right-aligned lines, bold.
_EMPHASIS_TAGS = frozenset({"em", "i", "small"})
_BOLD_TAGS = frozenset({"b", "strong"})
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic|font-size\s*:\s*(?:[0-9]|1[01])(?:\.\d+)?px"
                           r"|font-size\s*:\s*(?:[0-9]|10)(?:\.\d+)?pt", re.I)  # fmt: skip
_ALIGN = re.compile(r"text-align\s*:\s*(center|right)", re.I)
_SIZE = re.compile(r"(?:^|[;\s])(width|height)\s*:\s*(\d+)px", re.I)
# Photos that are not the story's: logos, icons, badges, banners, buttons of the print and
# share bars, theme and system images. Photo file names are Vietnamese; these words are not.
_NOT_A_PHOTO = re.compile(
    r"logo|icon|banner|spacer|blank\.|pixel|loading|avatar|emoji|emoticon|no[-_]?image"
    r"|print|mail|share|facebook|zalo|twitter|rss|arrow|bullet|button|btn"
    r"|\.svg$|\.gif$|/_layouts/|/skins?/|/themes?/|/style(?:%20| )library/",
    re.I,
)
_LOOKED_AT = 300  # longer lines are paragraphs whatever their markup (see arrange)
_ICON_SIZE = 100  # a photo is wider and taller than this; badges and icons are not
_BLOCKS_MAX = 5000  # far more than any article; a hostile page stops being read here
# The kind of text a block element holds (innermost wins: a heading inside a quote heads).
_KINDS = {f"h{n}": BlockKind.HEADING for n in range(1, 7)} | {
    "li": BlockKind.ITEM,
    "blockquote": BlockKind.QUOTE,
}
_CELLS = frozenset({"td", "th"})
# A table row of data is read as one line of cells; a row holding photos, another table or
# this many elements is layout (a photo and its caption, a whole article) and read as usual.
_ROW_ELEMENTS = 200
_HEADING_MAX = 100  # a line wholly in bold up to this long, not ending a sentence, heads


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of text or one photo, in page order, with what its markup says of it.

    ``caption`` marks a caption element (figcaption, a caption class); ``hint`` text that
    looks like one (italic or small, centred, or in the table cell under a photo); ``signed``
    text set apart as bylines are (bold or right-aligned).
    """

    text: str = ""
    image: str = ""  # the img's src as written in the page, unresolved
    caption: bool = False
    hint: bool = False
    signed: bool = False
    kind: BlockKind = BlockKind.PARAGRAPH  # what the text is; a table row's cells joined " | "


class _Walk:
    """The state of one read_blocks walk: the line being gathered and the blocks so far."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.captions = 0  # how many caption elements the walk is inside
        self.emphasis = 0  # how many italic or small-type elements
        self.bold = 0
        self.plain = 0  # letters gathered outside italics, and outside bold
        self.unbold = 0
        self.owners: list[etree._Element] = []  # the block elements the walk is inside
        self.kinds: list[BlockKind] = []  # the kind of text each owner holds
        self.cells: list[str] | None = None  # the cells of the table row being read
        self.numbers: dict[etree._Element, int] = {}  # the last number given in each "ol"
        # The item of a numbered list whose first line is still to come, and its number.
        self.number: tuple[etree._Element, str] | None = None

    def add(self, text: str) -> None:
        self.buffer.append(text)
        letters = len(text.strip())
        if not self.emphasis:
            self.plain += letters
        if not self.bold:
            self.unbold += letters

    def open(self, el: etree._Element, opened: _Opened) -> None:
        """Open an element: a block element starts a new line, emphasis starts counting."""
        block, caption, emphasis, bold = opened
        if block:
            self.flush()
            self.owners.append(el)
            kind = _KINDS.get(el.tag) or (
                BlockKind.HEADING if el.get("role") == "heading" else None
            )
            self.kinds.append(kind or (self.kinds[-1] if self.kinds else BlockKind.PARAGRAPH))
            parent = el.getparent() if el.tag == "li" else None
            if parent is not None and parent.tag == "ol":
                self.number = (el, f"{_item_number(el, parent, self.numbers)}. ")
            if self.cells is not None and el.tag in _CELLS:
                self.cells.append("")
        if caption:
            self.flush()
            self.captions += 1
        self.emphasis += emphasis
        self.bold += bold

    def close(self, opened: _Opened) -> None:
        """Close an element opened with the same flags, in the reverse order."""
        block, caption, emphasis, bold = opened
        self.emphasis -= emphasis
        self.bold -= bold
        if block:
            self.flush()
            if self.number and self.owners and self.owners[-1] is self.number[0]:
                self.number = None  # an item without text: its number is not the next line's
            if self.owners:
                self.owners.pop()
                self.kinds.pop()
        if caption:
            self.flush()
            self.captions -= 1

    def open_row(self) -> None:
        """Start reading a table row of data: its cells become one line."""
        self.flush()
        self.cells = []

    def close_row(self) -> None:
        """End the row: its cells, joined, are one block (none if every cell is empty)."""
        self.flush()
        cells, self.cells = self.cells or [], None
        if any(cells):
            self.blocks.append(Block(text=" | ".join(cells), kind=BlockKind.ROW))

    def flush(self) -> None:
        if not self.buffer:
            return
        line = clean_line("".join(self.buffer))
        owner = self.owners[-1] if self.owners else None
        italic, bold = not self.plain, not self.unbold
        self.buffer.clear()
        self.plain = self.unbold = 0
        if not line:
            return
        if self.number:  # the first line of a numbered list's item: "1. Bước một"
            if not numbered(line):  # an item that writes its own ("Điều 3.") keeps it alone
                line = self.number[1] + line
            self.number = None
        if self.cells is not None:  # a cell's lines are one text
            if not self.cells:
                self.cells.append("")
            self.cells[-1] = f"{self.cells[-1]} {line}".lstrip()
            return
        # Only a short line can be a caption or a byline: a paragraph's markup is not read.
        short = len(line) <= _LOOKED_AT
        align = _alignment(owner) if short else ""
        kind = self.kinds[-1] if self.kinds else BlockKind.PARAGRAPH
        # A bold line set right is a signature ("UBND xã Đông Yên"), not a heading.
        if kind is BlockKind.PARAGRAPH and bold and align != "right" and _reads_as_heading(line):
            kind = BlockKind.HEADING
        self.blocks.append(
            Block(
                text=line,
                caption=self.captions > 0,
                hint=italic or align == "center" or (short and _under_photo(owner)),
                signed=bold or align == "right",
                kind=kind,
            )
        )


# What opening an element did: started a block, a caption, emphasis, bold.
_Opened = tuple[bool, bool, bool, bool]


def read_blocks(
    root: etree._Element,
    skip: Collection[etree._Element] = (),
    captions: Collection[etree._Element] = (),
) -> list[Block]:
    """Return root's text as paragraphs and photos in page order, leaving scripts and widgets.

    Elements in ``skip`` are left out (their tail is kept); text inside ``captions`` (or a
    figcaption, or an element whose class says caption) is marked as caption. Icons and
    badges (an img at most 100 pixels wide or high) are left out.
    """
    walk = _Walk()
    # Per element opened and not closed yet: what opening it did (None: left out, a photo),
    # and whether it is a table row read as one line.
    opened: list[tuple[etree._Element, _Opened | None, bool]] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if len(walk.blocks) >= _BLOCKS_MAX:
            break
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "end":
            # A left-out element or a photo has no content to close; only its tail is text.
            if opened and opened[-1][0] is el:
                _, done, row = opened.pop()
                if row:
                    walk.close_row()
                elif done is not None:
                    walk.close(done)
            if el is not root and el.tail:
                walk.add(el.tail)
            continue
        if el is not root and _skipped(el, tag, skip):
            walker.skip_subtree()
            opened.append((el, None, False))
            continue
        if tag == "img":
            walk.flush()
            src = (el.get("data-src") or el.get("src") or "").strip()
            if src and not is_icon(el):
                walk.blocks.append(Block(image=src))
            opened.append((el, None, False))
            continue
        if tag == "tr" and walk.cells is None and _is_data_row(el):
            walk.open_row()
            opened.append((el, None, True))
        else:
            flags = (
                tag not in INLINE_TAGS,
                el in captions or _is_caption_element(el, tag),
                _is_emphasis(el, tag),
                tag in _BOLD_TAGS,
            )
            walk.open(el, flags)
            opened.append((el, flags, False))
        if el.text:
            walk.add(el.text)
    if walk.cells is not None:
        walk.close_row()
    walk.flush()
    return walk.blocks


def text_of(el: etree._Element) -> str:
    """Return the readable text of an element, one line per paragraph, without scripts."""
    return "\n".join(b.text for b in read_blocks(el) if b.text)


def _skipped(el: etree._Element, tag: str, skip: Collection[etree._Element]) -> bool:
    """Tell whether an element's own content is left out of the text."""
    if not tag or tag in _SKIPPED_TAGS or el in skip or el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}"
    return names != " " and _FURNITURE_CLASS.search(names) is not None


def _is_data_row(row: etree._Element) -> bool:
    """Tell whether a table row holds data (two cells or more, short text, no photo or table)
    rather than a layout's photo, caption or whole article."""
    if sum(1 for cell in row if cell.tag in _CELLS) < 2:
        return False
    size = 0
    for count, el in enumerate(row.iterdescendants()):
        if count >= _ROW_ELEMENTS or el.tag in ("img", "table", "tr"):
            return False
        size += len(el.text or "") + len(el.tail or "")
        if size > _LOOKED_AT * 5:
            return False
    return True


def _item_number(item: etree._Element, ol: etree._Element, numbers: dict) -> int:
    """Return the number a numbered list shows for its item: its value, else one past the
    item before (the list's start for the first)."""
    number = _integer(item.get("value"))
    if number is None:
        last = numbers.get(ol)
        number = last + 1 if last is not None else _integer(ol.get("start"), 1)
    numbers[ol] = number
    return number


def _integer(value: str | None, default: int | None = None) -> int | None:
    digits = (value or "").strip()
    return int(digits) if digits.isdigit() and len(digits) <= 6 else default


def _reads_as_heading(line: str) -> bool:
    """Tell whether a line set wholly in bold reads as a subheading, not a sentence."""
    return len(line) <= _HEADING_MAX and not line.endswith((".", ",", ";", ":", "…"))


def _is_caption_element(el: etree._Element, tag: str) -> bool:
    """Tell whether an element holds a caption by its markup."""
    if tag in ("figcaption", "caption"):
        return True
    names = el.get("class")
    return bool(names) and _CAPTION_CLASS.search(names) is not None


def _is_emphasis(el: etree._Element, tag: str) -> bool:
    """Tell whether an element sets its text in italics or small type, as captions are."""
    if tag in _EMPHASIS_TAGS:
        return True
    if tag == "font" and el.get("size", "").strip() in ("1", "2", "-1", "-2"):
        return True
    style = el.get("style") if tag in ("span", "font", "div", "p") else None
    return bool(style) and _ITALIC_STYLE.search(style) is not None


def _alignment(el: etree._Element | None) -> str:
    """Return "center" or "right" if the element (or the cell or block around it) says so."""
    for _ in range(2):
        if el is None:
            return ""
        align = (el.get("align") or "").lower()
        if align in ("center", "right"):
            return align
        style = el.get("style")
        if style and (match := _ALIGN.search(style)):
            return match[1].lower()
        if el.tag == "center":
            return "center"
        if el.tag not in ("p", "span", "font", "em", "i", "b", "strong", "td"):
            return ""
        el = el.getparent()
    return ""


def _under_photo(el: etree._Element | None) -> bool:
    """Tell whether the element is (in) a table cell whose row follows a row with a photo."""
    for _ in range(2):
        if el is None:
            return False
        if el.tag == "td":
            row = el.getparent()
            above = row.getprevious() if row is not None else None
            return above is not None and above.find(".//img") is not None
        el = el.getparent()
    return False


def is_icon(img: etree._Element) -> bool:
    """Tell whether an img is an icon or badge by the size the page gives it."""
    sizes = [img.get("width"), img.get("height")]
    sizes += [m[2] for m in _SIZE.finditer(img.get("style") or "")]
    for size in sizes:
        digits = (size or "").strip().removesuffix("px")
        if digits.isdigit() and int(digits) <= _ICON_SIZE:
            return True
    return False


def is_photo(url: str) -> bool:
    """Tell whether an image URL can be the story's photo (not a logo, icon or banner)."""
    return _NOT_A_PHOTO.search(url.partition("?")[0]) is None
