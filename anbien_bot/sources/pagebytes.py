"""A portal page's bytes, in whatever charset they came, parsed into a tree; big ones parsed
in a thread.

libxml2 stops reading a page nested deeper than 256 elements (thousands of nested divs, or a
Word paste's spans that are never closed) and keeps only what came before: such a page is read
again with its deep part flattened, so the text after the nesting is kept.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

import lxml.html
from lxml import etree

log = logging.getLogger(__name__)

T = TypeVar("T")
_OFF_LOOP_BYTES = 256 * 1024
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
# Elements deeper than this are flattened in a second reading: far below libxml2's 256, far
# above any portal layout, so the page's own blocks (and selectors) still find their elements.
_FLAT_DEPTH = 120
_LINK_ROOM = 8  # links are kept this much deeper: a file or a source named in the deep part
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(/?)>")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())
_INLINE = frozenset(
    b"a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strike strong"
    b" sub sup time u var wbr label".split()
)


def parse_page(html: bytes | str, url: str = "") -> lxml.html.HtmlElement | None:
    """Return the parsed page (bytes in any charset, or text), or None if it holds no markup.

    A page nested too deep for libxml2 is read again flattened, with a warning naming ``url``
    (none without one: a second reading of a page already warned about).
    """
    data = html.encode("utf-8", "replace") if isinstance(html, str) else _as_utf8(html)
    root, limit = _parsed(data)
    if not limit:
        return root
    if url:
        log.warning(
            "page %s is more than the HTML parser reads (%s); reading it again with its deep"
            " nesting flattened",
            url,
            limit,
        )
    flat, _ = _parsed(flattened(data))
    return flat if flat is not None else root


def _parsed(data: bytes) -> tuple[lxml.html.HtmlElement | None, str]:
    """Return the parsed page, and libxml2's message if it stopped at one of its limits (the
    nesting depth, in practice)."""
    # A fresh parser per page: ingest parses big pages in worker threads, and lxml parsers
    # must not be shared between threads.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except etree.ParserError:
        root = None
    limits = (e for e in parser.error_log if e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT)
    return root, next((e.message.strip() for e in limits), "")


def flattened(data: bytes, depth: int = _FLAT_DEPTH) -> bytes:
    """Return the page with every tag opened deeper than ``depth`` left out, a block's (a div,
    a paragraph) as a line break, so its text reads in the same lines without the nesting.

    Depth is counted as the tags are written (an end tag closes what was opened after its
    start), which is how unclosed spans and runaway divs nest in libxml2 too.
    """
    out: list[bytes] = []
    stack: list[tuple[bytes, bool]] = []  # (tag, left out) per element open
    kept = 0  # how many elements on the stack are kept: the depth in the flattened page
    # Per tag, how many are on the stack: a stray end tag is passed over without a search,
    # so a hostile page is read in linear time.
    open_count: dict[bytes, int] = {}
    done = 0  # how much of data is in out
    for match in _TAG.finditer(data):
        closing, name, empty = match[1], match[2].lower(), match[3]
        if name in _VOID or (empty and not closing):
            continue
        drop = False
        if not closing:
            drop = kept >= (depth + _LINK_ROOM if name == b"a" else depth)
            kept += not drop
            stack.append((name, drop))
            open_count[name] = open_count.get(name, 0) + 1
        elif open_count.get(name):
            while True:  # close it and whatever was opened inside and left open
                tag, left_out = stack.pop()
                open_count[tag] -= 1
                kept -= not left_out
                if tag == name:
                    drop = left_out
                    break
        if drop:
            out += (data[done : match.start()], b"" if name in _INLINE else b"<br>")
            done = match.end()
    out.append(data[done:])
    return b"".join(out)


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


async def off_loop(size: int, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a parser in a thread when its input is large, so the bot keeps answering."""
    if size < _OFF_LOOP_BYTES:
        return func(*args, **kwargs)
    return await asyncio.to_thread(func, *args, **kwargs)
