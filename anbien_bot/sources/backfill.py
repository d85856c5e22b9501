"""Filling the archive with what sources published before the bot knew them, announcing nothing.

``anbien-bot backfill`` walks an HTML source's listing pages (following next-page links up to
``--pages`` pages from each listing URL, each page once: a link back to a page already read
ends the walk) or reads a feed in full, and stores what the archive lacks through
Store.import_entries: no delivery is queued and the source's polling state is
left alone. Article pages already stored whole are not fetched again, so running it twice adds
only what is missing; an article stored as text only (before bodies were kept whole) is read
again and completed. Entries are stored a small batch at a time, so an interrupted run keeps
its work. Then every attached PDF still missing is downloaded (sources/attachments.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TextIO

from ..config import Config, SourceConfig
from ..models import Entry
from ..net.fetch import FetchError
from ..store import Store
from ..text.dates import utcnow
from ..text.urls import host_of
from .extract import ExtractError
from .feeds import FeedError
from .ingest import Ingestor, fetcher_for
from .listing import ListingItem, ListingWalk

DEFAULT_PAGES = 10
BATCH = 25  # entries stored per unit of work: an interruption loses at most these
# A large import leaves the search index in many runs; merging them makes searches lighter.
OPTIMIZE_AFTER = 1000


@dataclass
class BackfillReport:
    """What a backfill of one source found and stored."""

    source: str
    pages: int = 0  # listing pages read (HTML sources)
    listed: int = 0  # articles found on them, or items in the feed
    added: int = 0  # stored now: new articles, or stories another source already had
    known: int = 0  # already in the archive
    completed: int = 0  # of those, stored as text only before and now whole
    skipped: int = 0  # article pages that could not be read or had no title
    error: str | None = None  # why the walk stopped early, if it did
    cycle: str | None = None  # where a next-page link led back to a page already read

    def summary(self) -> str:
        """Return the report as one line for the admin."""
        pages = f"{self.pages} listing pages, " if self.pages else ""
        line = (
            f"source {self.source!r}: {pages}{self.listed} articles listed, "
            f"{self.added} added, {self.known} already stored"
        )
        if self.completed:
            line += f", {self.completed} completed"
        if self.skipped:
            line += f", {self.skipped} skipped"
        if self.cycle:
            line += f"; stopped at a cycle: {self.cycle}"
        return line + (f"; stopped early: {self.error}" if self.error else "")


class ProgressBar:
    """A one-line text progress bar: redrawn in place on a terminal, every tenth otherwise."""

    def __init__(self, stream: TextIO, label: str, total: int | None, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.width = width
        self.done = 0
        self._live = stream.isatty()
        self._shown_tenth = -1

    def update(self, done: int, total: int | None = None) -> None:
        """Show ``done`` of ``total`` (or of the total given before)."""
        self.done = done
        if total is not None:
            self.total = total
        if self._live:
            self.stream.write("\r" + self.line())
            self.stream.flush()
            return
        tenth = 10 * done // self.total if self.total else done
        if tenth != self._shown_tenth:
            self._shown_tenth = tenth
            self.stream.write(self.line() + "\n")

    def finish(self) -> None:
        """End the bar's line, showing where it stopped."""
        if self._live:
            self.stream.write("\r" + self.line() + "\n")
        elif self._shown_tenth != (10 if self.total else self.done):
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def line(self) -> str:
        """Return the bar as text: label, bar and count."""
        if not self.total:
            return f"{self.label} {self.done}"
        filled = min(self.width, self.width * self.done // self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total}"


async def backfill(
    config: Config,
    *,
    source: str | None = None,
    pages: int = DEFAULT_PAGES,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Backfill one source (or all), report on ``out``, progress on ``err``; return the status.

    The status is 0 when every source was read to the end (a listing whose next-page links
    lead back to a page already read ends there), 1 when one stopped early, 2 for an unknown
    source name.
    """
    try:
        chosen = [config.source(source)] if source is not None else list(config.sources)
    except KeyError:
        known = ", ".join(repr(s.name) for s in config.sources)
        print(f"anbien-bot: no source named {source!r} (known: {known})", file=err)
        return 2
    store = await Store.open(config.storage.database, config.archive.files_dir)
    try:
        async with fetcher_for(config) as fetcher:
            ingestor = Ingestor(config, store, fetcher)
            reports = [await backfill_source(ingestor, s, pages=pages, err=err) for s in chosen]
            # Once for all sources: every attached PDF still missing, refused ones included.
            files = await ingestor.files.keep_due(everything=True)
        if sum(r.added for r in reports) >= OPTIMIZE_AFTER:
            await store.optimize_search_index()
    finally:
        await store.close()
    for report in reports:
        print(report.summary(), file=out)
    if files.kept or files.failed or files.refused:
        print(
            f"attached files: {files.kept} kept, {files.failed} to try again later, "
            f"{files.refused} kept as links only",
            file=out,
        )
    return 1 if any(r.error for r in reports) else 0


async def backfill_source(
    ingestor: Ingestor, source: SourceConfig, *, pages: int, err: TextIO
) -> BackfillReport:
    """Store what one source offers that the archive lacks; never raises for the source."""
    report = BackfillReport(source.name)
    if source.type == "html":
        await _backfill_html(ingestor, source, pages, report, err)
    else:
        await _backfill_feed(ingestor, source, report, err)
    return report


async def _backfill_html(
    ingestor: Ingestor, source: SourceConfig, pages: int, report: BackfillReport, err: TextIO
) -> None:
    """Walk the listing pages, then read and store each article page not stored yet."""
    bar = ProgressBar(err, f"{source.name}: listing pages", pages * len(source.listing_urls))
    items: dict[str, ListingItem] = {}
    homes: set[str] = set()
    walk = ListingWalk()
    try:
        async for home, found in ingestor.reader.listing_pages(source, pages=pages, walk=walk):
            report.pages += 1
            bar.update(report.pages)
            homes.add(home)
            for key, item in found:
                items.setdefault(key, item)
    except (FetchError, ExtractError) as exc:
        # What the pages before it listed is still worth storing.
        report.error = f"listing page {report.pages + 1}: {getattr(exc, 'reason', None) or exc}"
    else:
        bar.update(report.pages, report.pages)  # the oldest page came before the last allowed
    report.cycle = walk.cycle
    bar.finish()
    report.listed = len(items)
    known = await ingestor.store.known_keys(source.name, items)
    report.known = len(known)
    incomplete = await ingestor.store.incomplete_keys(source.name, known)
    missing = [(key, item) for key, item in items.items() if key not in known]
    missing += [(key, item) for key, item in items.items() if key in incomplete]
    bar = ProgressBar(err, f"{source.name}: articles", len(missing))
    batch: list[Entry] = []
    for done, (key, item) in enumerate(missing, 1):
        entry = await ingestor.reader.article_entry(source, key, item, homes)
        if entry is None or not entry.title:
            report.skipped += 1
        else:
            batch.append(entry)
        if len(batch) >= BATCH:
            await _store(ingestor, source, batch, incomplete, report)
            batch = []
        bar.update(done)
    await _store(ingestor, source, batch, incomplete, report)
    bar.finish()


async def _backfill_feed(
    ingestor: Ingestor, source: SourceConfig, report: BackfillReport, err: TextIO
) -> None:
    """Read the whole feed (enriching thin items) and store what is not stored yet."""
    bar = ProgressBar(err, f"{source.name}: feed items read", None)
    try:
        entries = await ingestor.reader.feed_entries(source, progress=bar.update)
    except (FetchError, FeedError) as exc:
        report.error = str(getattr(exc, "reason", None) or exc)
        bar.finish()
        return
    bar.update(len(entries), len(entries))
    bar.finish()
    report.listed = len(entries)
    known = await ingestor.store.known_keys(source.name, (e.key for e in entries))
    report.known = len(known)
    incomplete = await ingestor.store.incomplete_keys(source.name, known)
    wanted = [e for e in entries if e.key not in known or e.key in incomplete]
    await _store(ingestor, source, await _whole(ingestor, source, wanted), incomplete, report)


async def _whole(ingestor: Ingestor, source: SourceConfig, entries: list[Entry]) -> list[Entry]:
    """Return feed entries with the whole body of their page where the feed gave no text
    (a description without content:encoded), read from the source's own hosts only."""
    allowed = {host_of(u) for u in source.listing_urls}
    whole = []
    for entry in entries:
        if source.enrich and not entry.body and host_of(entry.url) in allowed:
            item = ListingItem(entry.url, entry.title, entry.published)
            page = await ingestor.reader.article_entry(source, entry.key, item, set())
            if page is not None and page.blocks:
                files = entry.attachments or page.attachments
                entry = replace(entry, body=page.body, blocks=page.blocks, attachments=files)
        whole.append(entry)
    return whole


async def _store(
    ingestor: Ingestor,
    source: SourceConfig,
    entries: Sequence[Entry],
    incomplete: set[str],
    report: BackfillReport,
) -> None:
    """Import new entries without announcing them, and complete the articles stored as text
    only; count both in the report."""
    fresh = [e for e in entries if e.key not in incomplete]
    if fresh:
        result = await ingestor.store.import_entries(
            source.name, source.categories, fresh, now=utcnow()
        )
        report.added += len(result.new) + result.reposts
    whole = [e for e in entries if e.key in incomplete and e.blocks]
    if whole:
        # A known key updates its article in place (blocks merged in); plan None: no news.
        result = await ingestor.store.store_entries(
            source.name, source.categories, whole, now=utcnow(), plan=None
        )
        report.completed += result.updated
