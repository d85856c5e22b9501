"""Publishing stored articles as Telegraph pages, one at a time, paced, newest first.

A run publishes every article that has no page yet, until none is left or the bot stops.
Telegraph's ``FLOOD_WAIT_<n>`` is waited out and the page tried again (a wait longer than
``max_flood_wait_seconds`` ends the run and the next run starts after it). A page Telegraph
refuses is given up for that run with one log line, and tried again in a later run: after
the publishing interval, twice as long at each refusal, up to ``max_retry_seconds``. When
Telegraph cannot be reached, or refuses the token, or refuses several articles in a row
(then the fault is ours or theirs, not the articles'), the run ends and the next ones wait
the same way. Those delays are kept in memory: a restart tries everything once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from ..net.telegraph import FloodWait, TelegraphClient, TelegraphRefused, TelegraphUnavailable
from ..store import Store
from ..telegraphconfig import TelegraphConfig
from ..text.dates import utcnow
from .telegraph import build_page

log = logging.getLogger(__name__)
T = TypeVar("T")

_BATCH = 20  # articles looked up at a time; a new one is published before older ones wait
_REFUSED_IN_A_ROW = 5  # different articles refused one after another: stop the run
_FLOOD_RETRIES = 3  # flood waits for one page before the run ends
_ACCOUNT_ERRORS = frozenset({"ACCESS_TOKEN_INVALID", "ACCOUNT_NOT_FOUND"})
_SLICE = 0.5  # seconds a wait sleeps at a time, so a stopping bot is not held up


class _EndRun(Exception):
    """The run stops here: Telegraph is unreachable, throttling or refusing the account."""


@dataclass(frozen=True, slots=True)
class RunReport:
    """What one run did."""

    published: int = 0
    refused: int = 0
    ended: str = ""  # why the run ended before every article was done ("": it did not)


class TelegraphPublisher:
    """Publishes the store's articles through a Telegraph client, with the configured pacing."""

    def __init__(
        self,
        store: Store,
        client: TelegraphClient,
        config: TelegraphConfig,
        reading_link: Callable[[int], str | None],
    ) -> None:
        self._store, self._client, self._config = store, client, config
        self._reading_link = reading_link
        self._retry: dict[int, tuple[int, float]] = {}  # article: (refusals, when to retry)
        self._outages = 0  # runs in a row that ended on Telegraph's side
        self._resume_at = 0.0  # no run before this (a long flood wait, an outage)
        self._last_call = -float("inf")

    @property
    def interval(self) -> float:
        """Return the seconds between the end of a run and the start of the next."""
        return self._config.publish_interval_seconds

    async def aclose(self) -> None:
        """Close the client."""
        await self._client.aclose()

    async def run(self, stopping: Callable[[], bool]) -> RunReport:
        """Publish every article without a page, newest first, until done or ``stopping()``."""
        if time.monotonic() < self._resume_at:
            return RunReport(ended="waiting for Telegraph")
        published = refused = in_a_row = 0
        try:
            while not stopping():
                due = [i for i in await self._candidates() if self._due(i)][:_BATCH]
                if not due:
                    break
                for article_id in due:
                    if stopping():
                        break
                    done = await self._publish(article_id, stopping)
                    if done is None:
                        continue
                    if done:
                        published, in_a_row = published + 1, 0
                        continue
                    refused, in_a_row = refused + 1, in_a_row + 1
                    if in_a_row >= _REFUSED_IN_A_ROW:
                        raise _EndRun(f"{in_a_row} articles refused in a row")
        except _EndRun as end:
            self._outages += 1
            delay = self._backoff(self._outages)
            self._resume_at = max(self._resume_at, time.monotonic() + delay)
            log.warning("telegraph: publishing paused for %.0f s: %s", delay, end)
            return RunReport(published, refused, ended=str(end))
        self._outages = 0
        return RunReport(published, refused, ended="the bot is stopping" if stopping() else "")

    async def _candidates(self) -> list[int]:
        # Enough ids that the articles waiting for a retry cannot hide every new one.
        return await self._store.unpublished_article_ids(_BATCH + len(self._retry))

    def _due(self, article_id: int) -> bool:
        retry = self._retry.get(article_id)
        return retry is None or retry[1] <= time.monotonic()

    async def _publish(self, article_id: int, stopping: Callable[[], bool]) -> bool | None:
        """Publish one article: True if done, False if Telegraph refused it, None if the bot
        stopped first (or the article is gone); raise _EndRun to end the run."""
        article = await self._store.article(article_id)
        if article is None:
            return None
        try:
            page = build_page(article, reading_link=self._reading_link(article_id))
        except Exception:  # a bug meeting one article must not stop all the others
            delay = self._retry_later(article_id)
            log.exception(
                "telegraph: article %d could not be made a page; tried again in %.0f s",
                article_id,
                delay,
            )
            return False
        for _ in range(_FLOOD_RETRIES + 1):
            if not await self._pace(stopping):
                return None
            creating = self._client.create_page(
                page.title,
                page.encoded,
                author_name=self._config.author_name,
                author_url=self._config.author_url,
            )
            try:
                made = await _unless_stopping(creating, stopping)
                if made is None:
                    return None
            except FloodWait as wait:
                self._flood_wait(wait)
                log.info(
                    "telegraph: waiting %d s (flood wait) for article %d", wait.seconds, article_id
                )
                if not await _sleep(wait.seconds, stopping):
                    return None
                continue
            except TelegraphRefused as exc:
                if exc.error in _ACCOUNT_ERRORS:
                    raise _EndRun(f"Telegraph refuses the access token ({exc.error})") from None
                log.warning(
                    "telegraph: article %d not published (%s); tried again in %.0f s",
                    article_id,
                    exc.error,
                    self._retry_later(article_id),
                )
                return False
            except TelegraphUnavailable as exc:
                raise _EndRun(f"Telegraph unavailable ({exc})") from None
            await self._store.record_telegraph_page(article_id, made.url, made.path, utcnow())
            self._retry.pop(article_id, None)
            return True
        raise _EndRun(f"still flood waits after {_FLOOD_RETRIES} waits")

    def _flood_wait(self, wait: FloodWait) -> None:
        """End the run on a wait longer than allowed; the next run starts after it."""
        if wait.seconds > self._config.max_flood_wait_seconds:
            self._resume_at = time.monotonic() + wait.seconds
            raise _EndRun(f"Telegraph asks to wait {wait.seconds} s ({wait.error})")

    def _retry_later(self, article_id: int) -> float:
        """Set when a refused article is tried again; return in how many seconds."""
        refusals = self._retry.get(article_id, (0, 0.0))[0] + 1
        delay = self._backoff(refusals)
        self._retry[article_id] = (refusals, time.monotonic() + delay)
        return delay

    def _backoff(self, times: int) -> float:
        first = self._config.publish_interval_seconds
        return min(first * 2 ** min(times - 1, 30), self._config.max_retry_seconds)

    async def _pace(self, stopping: Callable[[], bool]) -> bool:
        """Wait until a page may be created; return False if the bot stops meanwhile."""
        wait = self._last_call + self._config.page_interval_seconds - time.monotonic()
        if wait > 0 and not await _sleep(wait, stopping):
            return False
        self._last_call = time.monotonic()
        return True


async def _unless_stopping(call: Awaitable[T], stopping: Callable[[], bool]) -> T | None:
    """Return what call gives, or None if the bot starts stopping first (the call is dropped:
    at worst Telegraph made a page that is made again later, the bot's stop is not held up)."""
    task = asyncio.ensure_future(call)
    while not task.done():
        if stopping():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                return await task  # (it may have ended meanwhile: then its result counts)
            return None
        await asyncio.wait([task], timeout=_SLICE)
    return task.result()


async def _sleep(seconds: float, stopping: Callable[[], bool]) -> bool:
    """Sleep, waking to check stopping(); return False if it stopped the sleep."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not stopping():
        left = end - loop.time()
        if left <= 0:
            return True
        await asyncio.sleep(min(left, _SLICE))
    return False
