"""Polling sources: each when it is due, what its reading found stored (new articles queued
as the planner decides), and its health and next poll recorded afterwards."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..config import Config, SourceConfig
from ..delivery.planner import Planner
from ..net.fetch import Fetcher, FetchError
from ..store import Store
from ..store.articles import StoreResult
from ..text.dates import utcnow
from ..text.urls import host_of
from ..values import FailureKind
from .attachments import FileKeeper
from .extract import ExtractError
from .feeds import FeedError
from .health import FIELD_MARKS_KEPT, fields_found
from .sourcereader import SourceProblem, SourceReader

log = logging.getLogger(__name__)


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
        self.reader = SourceReader(store, fetcher)
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
            entries, recorded = await self.reader.read(source, state)
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
