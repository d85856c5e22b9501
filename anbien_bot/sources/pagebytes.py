"""A portal page's bytes, in whatever charset they came, parsed into a tree; big ones parsed
in a thread."""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import Callable
from typing import Any, TypeVar

import lxml.html
from lxml import etree

T = TypeVar("T")
_OFF_LOOP_BYTES = 256 * 1024
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


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


async def off_loop(size: int, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a parser in a thread when its input is large, so the bot keeps answering."""
    if size < _OFF_LOOP_BYTES:
        return func(*args, **kwargs)
    return await asyncio.to_thread(func, *args, **kwargs)
