"""The admin's preview of a source: what the bot extracts from it now, field by field.

By default the source's listing (or feed) and its first article; with a URL, that one article
page, read with the source's selectors and settings.
"""

from __future__ import annotations

import sys
from typing import TextIO

from ..config import Config, SourceConfig
from ..models import Entry
from ..net.fetch import Fetcher, FetchError
from ..text.dates import format_vn
from .extract import ArticlePage, ExtractError, parse_article
from .feeds import FeedError, parse_feed
from .ingest import fetcher_for
from .listing import next_page_url, parse_listing

_SHOWN = 300  # characters of a long field that are printed


def _field(out: TextIO, name: str, value: object) -> None:
    text = "" if value is None else str(value)
    if len(text) > _SHOWN:
        text = text[:_SHOWN] + f"… ({len(text)} characters)"
    print(f"  {name:<12} {text if text else '(nothing)'}", file=out)


def _print_page(out: TextIO, page: ArticlePage) -> None:
    _field(out, "title", page.title)
    _field(out, "date", format_vn(page.published) if page.published else None)
    _field(out, "lead", page.lead)
    _field(out, "body", page.body)
    _field(out, "image", page.image_url)
    for url, caption in page.images[:5]:
        _field(out, "photo", f"{url}  {caption}")
    _field(out, "author", page.author)
    for attachment in page.attachments:
        _field(out, "attachment", f"{attachment.title}  {attachment.url}")


def _print_entry(out: TextIO, entry: Entry) -> None:
    _field(out, "key", entry.key)
    _field(out, "title", entry.title)
    _field(out, "date", format_vn(entry.published) if entry.published else None)
    _field(out, "link", entry.url)
    _field(out, "summary", entry.summary)
    _field(out, "image", entry.image_url)
    _field(out, "author", entry.author)


async def _preview_html(fetcher: Fetcher, source: SourceConfig, out: TextIO) -> bool:
    listing = await fetcher.fetch(source.url, verify=source.verify_tls, any_public_host=True)
    items = parse_listing(listing.body, listing.url, source.selectors)
    print(f"listing {listing.url}: {len(items)} articles", file=out)
    for item in items[:10]:
        date = format_vn(item.published) if item.published else ""
        print(f"  - {date:<16} {item.title or '(no title)'}  {item.url}", file=out)
    print(f"  next page: {next_page_url(listing.body, listing.url, source.selectors)}", file=out)
    if not items:
        print("! the listing yielded no articles: check selectors.item", file=out)
        return False
    return await _preview_article(fetcher, source, items[0].url, out, "first article")


async def _preview_article(
    fetcher: Fetcher, source: SourceConfig, url: str, out: TextIO, label: str
) -> bool:
    """Fetch one article page, print its fields and the selectors that matched nothing."""
    # Like every article page: only from the hosts of configured sources.
    fetched = await fetcher.fetch(url, verify=source.verify_tls)
    page = parse_article(fetched.body, fetched.url, source.selectors)
    print(f"{label} {fetched.url}:", file=out)
    _print_page(out, page)
    for name in page.unmatched:
        print(f"! selectors.{name} matched nothing on this page", file=out)
    if not page.title:
        print("! the page has no title: check selectors.title", file=out)
    return bool(page.title)


async def _preview_feed(fetcher: Fetcher, source: SourceConfig, out: TextIO) -> bool:
    fetched = await fetcher.fetch(source.url, verify=source.verify_tls, any_public_host=True)
    entries = parse_feed(
        fetched.body,
        url=fetched.url,
        content_type=fetched.content_type,
        times_are_local=source.times_are_local,
    )
    print(f"feed {fetched.url}: {len(entries)} items", file=out)
    if entries:
        print("first item:", file=out)
        _print_entry(out, entries[0])
    return bool(entries)


async def preview(
    config: Config, name: str, out: TextIO = sys.stdout, *, url: str | None = None
) -> int:
    """Print what the bot extracts from a source now: its listing (or feed) and first article.

    With ``url``, only that article page, read with the source's selectors. Return 0 when
    the source yields articles with titles (or the page has a title), 1 otherwise, 2 for an
    unknown name.
    """
    try:
        source = config.source(name)
    except KeyError:
        known = ", ".join(repr(s.name) for s in config.sources)
        print(f"anbien-bot: no source named {name!r} (known: {known})", file=sys.stderr)
        return 2
    async with fetcher_for(config) as fetcher:
        try:
            if url is not None:
                ok = await _preview_article(fetcher, source, url, out, "article")
            elif source.type == "html":
                ok = await _preview_html(fetcher, source, out)
            else:
                ok = await _preview_feed(fetcher, source, out)
        except (FetchError, FeedError, ExtractError) as exc:
            print(f"! {getattr(exc, 'reason', None) or exc}", file=out)
            return 1
    return 0 if ok else 1
