"""Reading one source: fetch, parse, enrich thin items, store; and its health afterwards."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..config import Config, SourceConfig
from ..delivery.planner import Planner
from ..models import Entry
from ..net.fetch import Fetcher, FetchError, FetchResult
from ..store import SourceState, Store
from ..store.articles import StoreResult
from ..text.dates import utcnow
from ..text.urls import host_of
from ..values import FailureKind
from .articleurls import url_key
from .attachments import FileKeeper
from .extract import (
    ArticlePage,
    ExtractError,
    article_key,
    completed,
    needs_page,
    parse_article,
    to_entry,
)
from .feeds import FeedError, parse_feed
from .health import FIELD_MARKS_KEPT, fields_found
from .listing import ListingItem, ListingWalk, parse_listing
from .pagebytes import off_loop

log = logging.getLogger(__name__)


class SourceProblem(Exception):
    """A poll that reached the source but could not use what it got."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


# The kind of failure each error of reading a source stands for.
_KINDS: tuple[tuple[type[Exception], FailureKind], ...] = (
    (FetchError, FailureKind.FETCH),
    (FeedError, FailureKind.NOT_A_FEED),
    (ExtractError, FailureKind.UNREADABLE_PAGE),
)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll of one source did."""

    source: str
    status: str  # "new", "unchanged", "failed"
    result: StoreResult = field(default_factory=StoreResult)
    error: str | None = None
    failures: int = 0  # consecutive, after this poll
    seconds: float = 0.0
    announced: bool = True


def fetcher_for(config: Config) -> Fetcher:
    """Return a fetcher set up from the polling config, allowed to read every source's host
    (at a private address only for a source with allow_private)."""
    polling = config.polling
    return Fetcher(
        user_agent=polling.user_agent,
        timeout=polling.timeout_seconds,
        max_bytes=polling.max_body_bytes,
        max_redirects=polling.max_redirects,
        per_host=polling.per_host_requests,
        page_delay=polling.page_delay_seconds,
        allowed_hosts={host_of(u) for s in config.sources for u in s.listing_urls},
        private_hosts={
            host_of(u) for s in config.sources if s.allow_private for u in s.listing_urls
        },
        max_image_bytes=polling.max_image_bytes,
    )


def backoff_delay(failures: int, interval: float, cap: float) -> float:
    """Return how long a source that failed ``failures`` times in a row waits: doubling, capped."""
    return min(interval * 2 ** max(failures - 1, 0), max(cap, interval))


class Ingestor:
    """Polls sources and keeps their articles; knows nothing of Telegram.

    New articles are queued as the configuration's planner decides (urgency rules included),
    whichever command polls: the bot, ``poll --once``.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        clock: Callable[[], datetime] = utcnow,
        *,
        one_shot: bool = False,
    ) -> None:
        """``one_shot``: for a command that polls once (``poll --once``), perhaps beside the
        running bot. Its polls record the articles they store and what they read, but leave
        each source's health and polling schedule (failures in a row, backoff, next poll
        time) to the bot, and log no failure (the command reports it)."""
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.planner = Planner.from_config(config)
        self.one_shot = one_shot
        self.reading: set[str] = set()  # the sources being polled now, by name
        self.files = FileKeeper(config, store, fetcher, clock)  # attached PDFs to keep

    async def poll_due(self, *, force: bool = False) -> list[PollOutcome]:
        """Poll every source whose time has come (all with ``force``), side by side.

        Sources run concurrently and each is isolated, so a slow or failing one never
        holds up the others; the fetcher still limits requests per host.
        """
        # The job that calls this ticks at about the interval; a source due a moment after
        # a tick would otherwise wait a whole extra tick.
        slack = timedelta(seconds=min(1.0, self.config.polling.interval_seconds / 4))
        horizon = self.clock() + slack
        due = []
        for source in self.config.sources:
            state = await self.store.source_state(source.name)
            if force or state.next_poll_at is None or state.next_poll_at <= horizon:
                due.append(source)
        outcomes = list(await asyncio.gather(*(self._poll_tracked(s) for s in due)))
        await self.files.keep_due()  # after the articles are stored, never holding the store
        return outcomes

    async def _poll_tracked(self, source: SourceConfig) -> PollOutcome:
        self.reading.add(source.name)
        try:
            return await self.poll_source(source)
        finally:
            self.reading.discard(source.name)

    async def poll_source(
        self, source: SourceConfig, *, announce: bool | None = None
    ) -> PollOutcome:
        """Poll one source, store what is new, and record its health; never raises."""
        started, started_at = time.perf_counter(), self.clock()
        state = await self.store.source_state(source.name)
        if announce is None:
            announce = state.seeded or self.config.polling.announce_first_poll
        polling = self.config.polling
        try:
            entries, recorded = await self._read(source, state)
        except SourceProblem as exc:
            return await self._failed(source, exc.kind, exc.reason, started)
        except (FetchError, FeedError, ExtractError) as exc:
            reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
            kind = next(k for error, k in _KINDS if isinstance(exc, error))
            return await self._failed(source, kind, reason, started)
        except Exception as exc:  # a bug or a surprise must not stop the other sources
            log.exception("source=%r poll crashed", source.name)
            reason = f"internal error: {type(exc).__name__}"
            return await self._failed(source, FailureKind.INTERNAL, reason, started)
        now = self.clock()
        # Counted from the start, so a slow poll does not stretch the interval.
        next_poll = started_at + timedelta(
            seconds=polling.interval_seconds + random.uniform(0, polling.jitter_seconds)
        )
        result = StoreResult()
        found = None
        if entries is not None:
            known = await self.store.known_keys(source.name, (e.key for e in entries))
            found = fields_found(e for e in entries if e.key not in known)  # how well it reads
            result = await self.store.store_entries(
                source.name,
                source.categories,
                entries,
                now=now,
                plan=self.planner if announce else None,
            )
        if self.one_shot:
            await self.store.record_read(source.name, **recorded)
        else:
            await self.store.record_success(
                source.name, now=now, next_poll_at=next_poll, **recorded
            )
        if found is not None and not self.one_shot:  # a trial run moves no health record
            await self.store.record_fields(source.name, found, keep=FIELD_MARKS_KEPT)
        seconds = time.perf_counter() - started
        if entries is None:
            return PollOutcome(source.name, "unchanged", seconds=seconds)
        log.info(
            "source=%r polled items=%d new=%d updated=%d reposts=%d queued=%d announced=%s "
            "seconds=%.2f",
            source.name,
            len(entries),
            len(result.new),
            result.updated,
            result.reposts,
            result.enqueued,
            announce,
            seconds,
        )
        return PollOutcome(source.name, "new", result, seconds=seconds, announced=announce)

    async def _failed(
        self, source: SourceConfig, kind: FailureKind, reason: str, started: float
    ) -> PollOutcome:
        seconds = time.perf_counter() - started
        if self.one_shot:
            return PollOutcome(source.name, "failed", error=reason, seconds=seconds)
        now = self.clock()
        state = await self.store.source_state(source.name)
        delay = backoff_delay(
            state.consecutive_failures + 1,
            self.config.polling.interval_seconds,
            self.config.polling.max_backoff_seconds,
        )
        failures = await self.store.record_failure(
            source.name, reason, kind, now=now, next_poll_at=now + timedelta(seconds=delay)
        )
        log.warning(
            "source=%r failed: %s (failures in a row: %d, next try in %.0f s)",
            source.name,
            reason,
            failures,
            delay,
        )
        return PollOutcome(source.name, "failed", error=reason, failures=failures, seconds=seconds)

    async def _read(
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
