"""Reading one source: its feed, or its listing pages and then each new article page;
thin feed items completed from their pages. What is read is returned, never stored here."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from ..config import SourceConfig
from ..models import Entry
from ..net.fetch import Fetcher, FetchError, FetchResult
from ..store import SourceState, Store
from ..text.urls import host_of
from ..values import FailureKind
from .articleurls import url_key
from .extract import (
    ArticlePage,
    ExtractError,
    article_key,
    completed,
    needs_page,
    parse_article,
    to_entry,
)
from .feeds import parse_feed
from .listing import ListingItem, ListingWalk, parse_listing
from .pagebytes import off_loop

log = logging.getLogger(__name__)


class SourceProblem(Exception):
    """A poll that reached the source but could not use what it got."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class SourceReader:
    """Reads sources through the fetcher; the store is asked only which articles it knows,
    so an article page is read once."""

    def __init__(self, store: Store, fetcher: Fetcher) -> None:
        self.store = store
        self.fetcher = fetcher

    async def read(
        self, source: SourceConfig, state: SourceState
    ) -> tuple[list[Entry] | None, dict[str, Any]]:
        """Return the source's entries (None when unchanged) and what to record of the poll."""
        if source.type == "html":
            entries, count = await self._read_html(source, state)
            return entries, {"item_count": count}
        fetched = await self.fetcher.fetch(
            source.url,
            etag=state.etag,
            last_modified=state.last_modified,
            verify=source.verify_tls,
            any_public_host=True,
        )
        if fetched.not_modified or (state.body_hash and fetched.body_hash == state.body_hash):
            return None, {}
        entries = await self._parse_feed(source, fetched)
        if not entries and state.last_item_count:
            raise SourceProblem(FailureKind.EMPTY_FEED, "feed that had items now has none")
        entries = await self._enrich(source, entries)
        return entries, {
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "body_hash": fetched.body_hash,
            "item_count": len(entries),
        }

    async def _read_html(
        self, source: SourceConfig, state: SourceState
    ) -> tuple[list[Entry], int]:
        """Read an HTML source: its listing pages, then each article not seen before."""
        items: dict[str, ListingItem] = {}
        homes: set[str] = set()
        async for home, found in self.listing_pages(source):
            homes.add(home)
            for key, item in found:
                items.setdefault(key, item)
        if not items:
            # A listing that used to yield articles and now yields none has changed its layout.
            if state.last_item_count:
                raise SourceProblem(
                    FailureKind.LAYOUT, "layout changed? the listing yielded no articles"
                )
            raise SourceProblem(
                FailureKind.NO_ITEMS, "the listing yielded no articles (check selectors.item)"
            )
        known = await self.store.known_keys(source.name, items)
        # Until ids were read from URLs (issue 13) most articles were known by their URL.
        by_url = {url_key(item.url): key for key, item in items.items()}
        known |= {by_url[u] for u in await self.store.known_keys(source.name, by_url)}
        entries: list[Entry] = []
        untitled = 0
        for key, item in items.items():
            if key in known:
                continue  # each article page is read once
            entry = await self.article_entry(source, key, item, homes)
            if entry is None:
                continue
            if not entry.title:
                untitled += 1
                continue
            entries.append(entry)
        if untitled and not entries:
            raise SourceProblem(
                FailureKind.LAYOUT, f"layout changed? {untitled} article pages had no title"
            )
        if untitled:
            log.warning("source=%r %d article pages had no title", source.name, untitled)
        return entries, len(items)

    async def listing_pages(
        self, source: SourceConfig, *, pages: int | None = None, walk: ListingWalk | None = None
    ) -> AsyncIterator[tuple[str, list[tuple[str, ListingItem]]]]:
        """Yield each listing page of an HTML source as read: its host and its items by key.

        From each listing URL, next-page links are followed up to ``pages`` pages (by
        default the source's max_pages), each page once: ``walk`` (given to learn where a
        cycle ended it) keeps track. A page that cannot be fetched raises FetchError.
        """
        walk = ListingWalk() if walk is None else walk
        for page_url in source.listing_urls:
            url: str | None = page_url
            for _ in range(source.max_pages if pages is None else pages):
                if url is None or not walk.is_new(url):
                    break
                fetched = await self.fetcher.fetch(
                    url, verify=source.verify_tls, any_public_host=True
                )
                if not walk.read(url, fetched.url):
                    break
                html = fetched.body
                found = await off_loop(
                    len(html), parse_listing, html, fetched.url, source.selectors
                )
                yield (
                    host_of(fetched.url),
                    [(article_key(item.url, source.id_pattern), item) for item in found],
                )
                url = walk.next_page(html, fetched.url, source.selectors)

    async def article_entry(
        self, source: SourceConfig, key: str, item: ListingItem, homes: set[str]
    ) -> Entry | None:
        """Read one article page of an HTML source; None (logged) if it cannot be read.

        The entry's title is empty when the page has none. ``homes`` are the hosts that
        served the listing: article pages come only from there (where the portal moved).
        """
        page = await self._read_page(
            source, item.url, any_public_host=host_of(item.url) in homes, why="skipped"
        )
        return None if page is None else to_entry(page, key, item)

    async def _read_page(
        self, source: SourceConfig, url: str, *, any_public_host: bool, why: str
    ) -> ArticlePage | None:
        """Fetch and read one article page; on failure log one line (``why``) and return None."""
        try:
            fetched = await self.fetcher.fetch(
                url, verify=source.verify_tls, any_public_host=any_public_host
            )
            return await off_loop(
                len(fetched.body), parse_article, fetched.body, fetched.url, source.selectors
            )
        except (FetchError, ExtractError) as exc:
            log.warning(
                "source=%r article %s %s: %s",
                source.name,
                url,
                why,
                getattr(exc, "reason", None) or exc,
            )
            return None

    async def feed_entries(
        self, source: SourceConfig, *, progress: Callable[[int, int], None] | None = None
    ) -> list[Entry]:
        """Return every entry a feed source offers now, read in full (for a backfill).

        No validators are sent and nothing is recorded. Thin items are enriched from their
        pages as in a poll, and ``progress(done, total)`` is told as each is read.
        """
        fetched = await self.fetcher.fetch(
            source.url, verify=source.verify_tls, any_public_host=True
        )
        return await self._enrich(source, await self._parse_feed(source, fetched), progress)

    async def _parse_feed(self, source: SourceConfig, fetched: FetchResult) -> list[Entry]:
        return await off_loop(
            len(fetched.body),
            parse_feed,
            fetched.body,
            url=fetched.url,
            content_type=fetched.content_type,
            times_are_local=source.times_are_local,
        )

    async def _enrich(
        self,
        source: SourceConfig,
        entries: list[Entry],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Entry]:
        """Complete thin feed items (no image or no summary) from their article pages."""
        if not source.enrich:
            return entries
        thin = [e for e in entries if needs_page(e)]
        if not thin:
            return entries
        known = await self.store.known_keys(source.name, (e.key for e in thin))
        allowed = {host_of(u) for u in source.listing_urls}
        enriched: dict[str, Entry] = {}
        for done, entry in enumerate(thin, 1):
            if progress is not None:
                progress(done, len(thin))
            # Pages are only read from the source's own host: a feed cannot send us elsewhere.
            if entry.key in known or host_of(entry.url) not in allowed:
                continue
            page = await self._read_page(
                source, entry.url, any_public_host=False, why="not enriched"
            )
            if page is None:
                continue
            enriched[entry.key] = completed(entry, page)
        return [enriched.get(e.key, e) for e in entries]
