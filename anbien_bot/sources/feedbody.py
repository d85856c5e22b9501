"""A feed item's HTML content (content:encoded, Atom content) as a whole body: read with the
same walker and arranged by the same rules as an article page, so a feed's article and a
page's are kept alike."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Attachment, BodyBlock
from .articletext import arrange, resolved
from .htmlpage import ExtractError, reading
from .pagefiles import attachments, file_links
from .pagetext import parse_page, read_blocks


@dataclass(frozen=True, slots=True)
class ItemBody:
    """What an item's content holds: its blocks, the byline it ends with, the files it links."""

    blocks: tuple[BodyBlock, ...] = ()
    author: str = ""
    attachments: tuple[Attachment, ...] = ()


def item_body(html: str, base_url: str, title: str = "") -> ItemBody:
    """Return the body of an item's HTML content, photos and links made absolute from
    ``base_url``; an empty one when the content is not HTML that can be read."""
    if not html.strip():
        return ItemBody()
    try:
        with reading():
            root = parse_page(html, base_url)
            if root is None:
                return ItemBody()
            text = arrange(read_blocks(root), title)
            files = attachments(file_links([root]), base_url)
    except ExtractError:  # the item keeps its plain text, as before
        return ItemBody()
    return ItemBody(resolved(text.blocks, base_url), text.author, files)
