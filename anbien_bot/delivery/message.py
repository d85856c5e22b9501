"""Messages built from parts: Telegram HTML for the normal send, plain text for the fallback.

Text from a source only ever enters a message as a ``str`` part, escaped once, when the HTML
is written; the plain version leaves the markup out instead of taking it apart again.
Templates from texts and an admin's broadcast are Telegram HTML already: ``template`` and
``parse_html`` read them into parts with the standard library's HTML parser. Lengths are
counted as Telegram counts them: the visible text after entity parsing, in UTF-16 code units
(an emoji counts 2).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from typing import Literal, TypeVar

from ..texts import Lang, text

Urls = Literal["all", "last", "none"]  # which links the plain version writes the address of
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Span:
    """Parts inside one Telegram HTML tag: bold, italic, code, a link, ..."""

    tag: str
    parts: tuple[Part, ...]
    attrs: tuple[tuple[str, str | None], ...] = ()  # None: an attribute without a value

    @property
    def url(self) -> str | None:
        """Return the address of a link, or None."""
        if self.tag == "a":
            return next((value for key, value in self.attrs if key == "href"), None)
        return None


Part = str | Span
Block = tuple[Part, ...]


def bold(*parts: Part) -> Span:
    """Return parts in bold."""
    return Span("b", parts)


def italic(*parts: Part) -> Span:
    """Return parts in italics."""
    return Span("i", parts)


def code(*parts: Part) -> Span:
    """Return parts in a monospace font."""
    return Span("code", parts)


def link(url: str, *parts: Part) -> Span:
    """Return parts linked to url (an address already made safe by text.urls)."""
    return Span("a", parts, (("href", url),))


@dataclass(frozen=True)
class Message:
    """Blocks of parts, shown one blank line apart."""

    blocks: tuple[Block, ...]
    written: str | None = field(default=None, compare=False)  # HTML it was read from

    @cached_property
    def html(self) -> str:
        """Return the message as Telegram HTML: as written, if it was read from HTML."""
        if self.written is not None:
            return self.written
        return "\n\n".join([_html(block) for block in self.blocks])

    @cached_property
    def length(self) -> int:
        """Return the visible length, as Telegram counts it."""
        return units("\n\n".join([_text(block) for block in self.blocks]))

    def plain(self, urls: Urls = "all") -> str:
        """Return the message without markup, links followed by their address in brackets."""
        return "\n\n".join(self.plain_blocks(urls))

    def plain_blocks(self, urls: Urls = "all") -> list[str]:
        """Return each block without markup; ``urls="last"`` writes out the last link only."""
        links = sum(_links(block) for block in self.blocks) if urls == "last" else 0
        seen = itertools.count(1)

        def show(span: Span) -> bool:
            return urls == "all" or (urls == "last" and next(seen) == links)

        return [_plain(block, show) for block in self.blocks]

    def link_block(self) -> int | None:
        """Return the index of the block holding the last link, or None without links."""
        found = [i for i, block in enumerate(self.blocks) if _links(block)]
        return found[-1] if found else None


def message(*blocks: Block | None) -> Message:
    """Return a message of the blocks that have any text; None and empty blocks are left out."""
    return Message(tuple(block for block in blocks if block and any(block)))


def units(value: str) -> int:
    """Return the length of value in UTF-16 code units."""
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def block_length(block: Block) -> int:
    """Return the visible length of one block."""
    return units(_text(block))


def template(lang: Lang, key: str, **params: object) -> Block:
    """Return a template of texts filled with params (escaped there) as parts."""
    filled = text(lang, key, **params)
    if "<" not in filled and "&" not in filled:
        return (filled,)  # most templates carry no markup: nothing to read
    return read_html(filled)


def read_html(value: str) -> Block:
    """Return Telegram HTML from a trusted source (texts, Telegram itself) as one block."""
    reader = _Reader()
    reader.feed(value)
    return reader.parts()


def parse_html(value: str) -> Message:
    """Return Telegram HTML (an admin's message) as a message of parts.

    Its HTML stays as written, even where the parser had to mend it: Telegram judges it, and
    a refusal leads to the plain version. Each top-level paragraph ("\\n\\n") is a block.
    """
    blocks: list[list[Part]] = [[]]
    for part in read_html(value):
        if isinstance(part, Span):
            blocks[-1].append(part)
            continue
        first, *rest = part.split("\n\n")
        blocks[-1].append(first)
        blocks.extend([piece] for piece in rest)
    return Message(tuple(tuple(p for p in block if p) for block in blocks), written=value)


def pack(
    blocks: Sequence[T],
    limit: int,
    length: Callable[[T], int],
    *,
    opening: T | None = None,
    continued: T | None = None,
) -> list[list[T]]:
    """Return blocks in order, grouped into messages one blank line apart, each within limit.

    ``opening`` heads the first message and ``continued`` every later one. A block is never
    split, so a message holding a single block may still exceed limit.
    """
    messages: list[list[T]] = [[opening] if opening is not None else []]
    used = length(opening) if opening is not None else -2  # -2: no separator before the first
    for block in blocks:
        size = length(block) + 2  # 2: the blank line before it
        if messages[-1] and used + size > limit:
            messages.append([continued] if continued is not None else [])
            used = length(continued) if continued is not None else -2
        messages[-1].append(block)
        used += size
    return messages


def _html(parts: Sequence[Part]) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
            continue
        attrs = "".join(
            f" {key}" if value is None else f' {key}="{html.escape(value)}"'
            for key, value in part.attrs
        )
        out.append(f"<{part.tag}{attrs}>{_html(part.parts)}</{part.tag}>")
    return "".join(out)


def _text(parts: Sequence[Part]) -> str:
    """Return the visible text of parts (the plain version without any address)."""
    return "".join([part if isinstance(part, str) else _text(part.parts) for part in parts])


def _plain(parts: Sequence[Part], show_url: Callable[[Span], bool]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        out.append(_plain(part.parts, show_url))
        url = part.url
        if url and show_url(part):
            out.append(f" ({url})")
    return "".join(out)


def _links(parts: Sequence[Part]) -> int:
    return sum(
        (1 if part.url else 0) + _links(part.parts) for part in parts if isinstance(part, Span)
    )


class _Reader(HTMLParser):
    """Telegram HTML into parts; a stray closing tag is ignored, an unclosed one closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, tuple[tuple[str, str | None], ...], list[Part]]] = [
            ("", (), [])
        ]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append((tag, tuple(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        if any(name == tag for name, _, _ in self.open[1:]):
            while self._close() != tag:
                pass

    def handle_data(self, data: str) -> None:
        parts = self.open[-1][2]
        if parts and isinstance(parts[-1], str):
            parts[-1] += data  # one run, so that "\n\n" is found whole
        else:
            parts.append(data)

    def parts(self) -> Block:
        self.close()
        while len(self.open) > 1:
            self._close()
        return tuple(self.open[0][2])

    def _close(self) -> str:
        tag, attrs, parts = self.open.pop()
        self.open[-1][2].append(Span(tag, tuple(parts), attrs))
        return tag
