"""Plain text out of the HTML fragments that feeds and portals hand over, however broken."""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

from .vntext import clean_paragraphs

# Only a complete tag makes a fragment HTML: "giá < 5.000đ" or "a <b c" is plain text.
_TAG_LIKE = re.compile(r"<[A-Za-z/!?][^<>]*>")
# lxml drops the invalid "</br>" that some portals write, but browsers show it as a break.
_BAD_BREAK = re.compile(r"</br\s*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "blockquote",
        "figure",
        "figcaption",
        "section",
        "article",
        "header",
        "footer",
        "hr",
        "pre",
        "dd",
        "dt",
    }
)
_CELLS = frozenset({"td", "th"})
_SILENT = frozenset(
    {"script", "style", "noscript", "template", "iframe", "svg", "head", "title", "object"}
)
_PARAGRAPH = "\n\n"
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src")


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment, one blank line between paragraphs."""
    if not fragment:
        return ""
    fragment = _CONTROL.sub(" ", fragment)
    if _TAG_LIKE.search(fragment):
        root = _parse(fragment)
        text = _walk(root) if root is not None else _strip_tags(fragment)
    else:
        text = html.unescape(fragment)
    # Feeds escape some titles twice ("đ&amp;atilde;"): an entity still standing after the
    # first decoding was meant as a character, never as the entity's own spelling.
    text = _ENTITY.sub(lambda m: html.unescape(m[0]), text)
    return clean_paragraphs(text)


def first_image_src(fragment: str) -> str | None:
    """Return the address of the first image in an HTML fragment, as written, or None."""
    if not fragment or "<" not in fragment:
        return None
    root = _parse(_CONTROL.sub(" ", fragment))
    if root is None:
        return None
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        # Lazy-loading pages put a placeholder (often a data: URI) in src, the photo elsewhere.
        lazy = next((v.strip() for a in _LAZY_SRC if (v := img.get(a)) and v.strip()), "")
        if lazy and (not src or src.startswith("data:")):
            return lazy
        if src:
            return src
    return None


def _parse(fragment: str) -> etree._Element | None:
    """Return the parsed document of fragment, or None if lxml cannot make one."""
    fragment = _BAD_BREAK.sub("<br>", fragment)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        # Bytes, so that an XML declaration inside the fragment is no error.
        return lxml.html.document_fromstring(fragment.encode("utf-8", "replace"), parser=parser)
    except (etree.LxmlError, ValueError):
        return None


def _walk(root: etree._Element) -> str:
    """Return the text of a parsed document with block elements as paragraph breaks."""
    out: list[str] = []
    silent_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _SILENT or silent_depth:
                silent_depth += 1
                continue
            if tag in _BLOCKS:
                out.append(_PARAGRAPH)
            if tag and el.text:
                out.append(el.text)
            continue
        if silent_depth:
            silent_depth -= 1
            if silent_depth:
                continue  # the tail is still inside the silent element
        elif tag in _BLOCKS:
            out.append(_PARAGRAPH)
        elif tag in _CELLS:
            out.append(" ")
        if el.tail:
            out.append(el.tail)
    return "".join(out)


def _strip_tags(fragment: str) -> str:
    """Return fragment with anything tag-shaped removed and entities decoded (last resort)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", fragment))
