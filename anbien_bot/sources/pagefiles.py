"""The files an article page offers (signed decisions, plans, forms): its "Tệp đính kèm"
block and the links to documents in its text, found without selectors.

A file listed in the article's text ("Tệp đính kèm" and a line per file) is an attachment,
not text: :func:`file_lines` finds those lines so the body is read without them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from lxml import etree

from ..models import Attachment
from ..text.urls import absolute_url
from ..text.vntext import clean_line, fold
from .articletext import clean_text
from .htmlpage import Element, find_links, first_line
from .pagetext import INLINE_TAGS, is_icon

_GENERIC_LINK = frozenset({"tải về", "tải xuống", "download", "xem", "tại đây", "xem chi tiết"})
_FILE_LINK = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|zip|rar|7z)(?:$|/)|linkclick\.aspx|"
    r"com_attachments|/attachments?/download",
    re.I,
)
_labels = etree.XPath(
    "//body//text()[contains(., 'đính kèm') or contains(., 'Đính kèm') or contains(., 'ĐÍNH KÈM')]"
)
# What a line that lists files may say besides their names, folded: its label, a download
# button, a file's size ("Tệp đính kèm:", "Tải về", "(120 KB)").
_FILE_LINE_WORDS = re.compile(
    r"(?:(?:tep|file|tap tin|van ban|tai lieu|cac)\s*)*dinh kem|tai (?:ve|xuong)|download|xem"
    r"|\d+(?:[.,]\d+)?\s*[kmg]?b(?:ytes?)?\b|\bpdf\b|\bdocx?\b|\bxlsx?\b"
)
_LINE_TEXT_MAX = 200  # characters besides file names: a line with more says more than files
_LINE_ELEMENTS_MAX = 2000  # a line listing even hundreds of files (a, br, icon) holds fewer


def attachment_block(root: Element, bodies: list[Element]) -> Element | None:
    """Return the "Tệp đính kèm" block with its links, unless it is the whole body or more."""
    page_text = root.text_content()
    if "ính kèm" not in page_text and "ÍNH KÈM" not in page_text:
        return None  # most pages have none, and the XPath below is slow
    for label in _labels(root):
        if len(label.strip()) > 40:
            continue  # a sentence that mentions attachments, not a heading
        block = label.getparent()
        block = block.getparent() if label.is_tail else block
        for _ in range(4):
            if block is None or _holds_any(block, bodies):
                break
            if block.tag != "a" and find_links(block):
                return block
            block = block.getparent()
    return None


def file_links(bodies: list[Element]) -> list[Element]:
    """Return the links to documents (PDFs, signed decisions, forms) inside the article."""
    return [
        a
        for body in bodies
        for a in find_links(body)
        if _FILE_LINK.search(a.get("href", "").partition("#")[0])
    ]


def attachments(links: list[Element], page_url: str) -> tuple[Attachment, ...]:
    """Return links as attachments with absolute URLs, each file once under its best name."""
    found: dict[str, Attachment] = {}
    for a in links:
        url = absolute_url(a.get("href", ""), page_url)
        if url is None:
            continue
        title = first_line([a]) or clean_line(clean_text(a.get("title", "")))
        named = bool(title) and title.lower() not in _GENERIC_LINK
        if url in found and (not named or found[url].title != _file_name(a)):
            continue  # an icon or a "Tải về" button beside the named link
        found[url] = Attachment(title=title if named else _file_name(a), url=url)
    return tuple(found.values())


def file_lines(root: Element, bodies: list[Element], links: list[Element]) -> list[Element]:
    """Return the lines inside the article that say nothing but which files it offers: a line
    per file link (with its size or a download button), and the "Tệp đính kèm" label.

    The files are the page's attachments, listed apart from the text, so these lines are
    left out of the body; a sentence that links a file keeps its words.
    """
    lines: list[Element] = []
    seen: set[Element] = set()  # each line is read once, however many links it holds
    files = set(links)

    def add(el: Element | None) -> None:
        line = _line_of(el, bodies)
        if line is not None and line not in seen:
            seen.add(line)
            if _lists_files_only(line, files):
                lines.append(line)

    for a in links:
        add(a)
    if lines and ("ính kèm" in (text := root.text_content()) or "ÍNH KÈM" in text):
        for label in _labels(root):
            owner = label.getparent()
            add(owner.getparent() if label.is_tail and owner is not None else owner)
    return lines


def _line_of(el: Element | None, bodies: list[Element]) -> Element | None:
    """Return the block element (a paragraph, an item, a heading) holding el, if it lies
    inside one of the bodies and is not one."""
    while el is not None and el.tag in INLINE_TAGS:
        el = el.getparent()
    if el is None or any(el is body for body in bodies):
        return None
    return el if any(a in bodies for a in el.iterancestors()) else None


def _lists_files_only(line: Element, files: set[Element]) -> bool:
    """Tell whether a line's text, but for its file links' own, is at most a label, a size or
    a download button, and it shows no photo."""
    parts: list[str] = []
    size = 0
    for count, el in enumerate(line.iter()):
        if count > _LINE_ELEMENTS_MAX:
            return False  # a hostile page's line: each line is read at most this far
        if not isinstance(el.tag, str):
            continue
        if el.tag == "img" and not is_icon(el):
            return False
        if el.text and not _in_file_link(el, line, files):
            parts.append(el.text)
            size += len(el.text)
        if el.tail and el is not line and not _in_file_link(el.getparent(), line, files):
            parts.append(el.tail)
            size += len(el.tail)
        if size > _LINE_TEXT_MAX:
            return False
    rest = _FILE_LINE_WORDS.sub(" ", fold(clean_line(" ".join(parts))))
    return not any(ch.isalnum() for ch in rest)


def _in_file_link(el: Element | None, line: Element, files: set[Element]) -> bool:
    """Tell whether el is, or lies in, one of the file links, within the line."""
    while el is not None:
        if el in files:
            return True
        if el is line:
            return False
        el = el.getparent()
    return False


def _file_name(a: Element) -> str:
    name = a.get("href", "").partition("?")[0].rstrip("/").rpartition("/")[2]
    return clean_line(unquote(name))


def _holds_any(el: Element, inner: list[Element]) -> bool:
    """Tell whether el is, or contains, any of the inner elements."""
    return any(el is i or el in i.iterancestors() for i in inner)
