"""Whether an article's original page still exists: asked when someone wants the article.

The portal the bot carries belongs to a district abolished in 2025: its pages will go, and
every "Xem chi tiết" with them. A page is gone when it answers 404 or 410, or when its host
no longer exists (the name does not resolve, or nothing listens there any more). A 5xx or a
timeout is not gone: portals are flaky, and one bad minute must not hide a live page.

A check is one polite request through the fetcher (its private-address rules, per-host
limits and pacing): HEAD, or a GET read no further than a kilobyte when HEAD is refused.
Only the hosts of configured sources are asked: a resident asking for an article never makes
the bot knock on a host it does not read. The outcome is kept in the store (link_checks) for
``[archive] link_check_hours``; a reply waits for fresh checks at most ``answer_within``
seconds, and a slower check finishes in the background for the next ask.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from ..net.fetch import Fetcher, FetchError
from ..store import Store
from ..store.links import LinkCheck
from ..text.dates import utcnow
from ..text.urls import host_of

log = logging.getLogger(__name__)

GONE = frozenset({404, 410})  # the page is not there, and will not be
HEAD_REFUSED = frozenset({403, 405, 501})  # servers that answer HEAD so: asked with GET
ANSWER_WITHIN = 2.0  # seconds a reply waits for checks
CHECK_SECONDS = 10.0  # a check's deadline, shorter than a poll's fetch timeout
_PEEK_BYTES = 1024  # what a GET after a refused HEAD reads at most
# getaddrinfo's answers for a name that does not exist (EAI_AGAIN, a resolver that did not
# answer, says nothing about the name).
_NO_SUCH_NAME = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
)


class LinkChecker:
    """Check original pages when asked, keep the outcomes, and say which pages are gone."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        ttl: timedelta,
        answer_within: float = ANSWER_WITHIN,
        deadline: float = CHECK_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Keep outcomes in store for ttl; fetch with fetcher, each check within deadline s."""
        self.store = store
        self.fetcher = fetcher
        self.ttl = ttl
        self.answer_within = answer_within
        self.deadline = deadline
        self._clock = clock
        self._running: dict[str, asyncio.Task[LinkCheck]] = {}

    async def dead(self, urls: Iterable[str | None]) -> frozenset[str]:
        """Return which of the pages are gone, checking those not checked within the TTL.

        Waits for the checks at most ``answer_within`` seconds: a page whose check is still
        running counts as its last check found (alive if never checked), and the check
        finishes in the background. The same page asked twice at once is checked once.
        """
        wanted = [url for url in dict.fromkeys(urls) if url and self.checkable(url)]
        if not wanted:
            return frozenset()
        known = await self.store.link_checks(wanted)
        now = self._clock()
        stale = [u for u in wanted if u not in known or now - known[u].checked_at >= self.ttl]
        checks = {url: self._start(url) for url in stale}
        if checks:
            await asyncio.wait(checks.values(), timeout=self.answer_within)
        for url, task in checks.items():
            if task.done() and not task.cancelled() and task.exception() is None:
                known[url] = task.result()
        return frozenset(url for url in wanted if url in known and known[url].dead)

    def checkable(self, url: str) -> bool:
        """Return whether url is on a host the bot reads (a configured source's)."""
        return host_of(url) in self.fetcher.allowed_hosts

    async def check(self, url: str) -> LinkCheck:
        """Ask for url once and return what it says about the page (nothing is kept)."""
        try:
            async with asyncio.timeout(self.deadline):
                status = await self._status(url, "HEAD")
                if status in HEAD_REFUSED:
                    status = await self._status(url, "GET")
        except TimeoutError:
            return LinkCheck(False, "timed out", self._clock())
        except FetchError as exc:
            gone = host_gone(exc)
            return LinkCheck(gone is not None, gone or exc.reason[:80], self._clock())
        return LinkCheck(status in GONE, str(status), self._clock())

    async def close(self) -> None:
        """Stop the checks still running (their pages are asked again next time)."""
        running = list(self._running.values())
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)

    def _start(self, url: str) -> asyncio.Task[LinkCheck]:
        """Return the running check of url, starting one if there is none."""
        task = self._running.get(url)
        if task is None:
            task = asyncio.create_task(self._check_and_keep(url), name="link-check")
            self._running[url] = task
            task.add_done_callback(lambda done: self._finished(url, done))
        return task

    def _finished(self, url: str, task: asyncio.Task[LinkCheck]) -> None:
        self._running.pop(url, None)
        if not task.cancelled() and task.exception() is not None:
            log.warning("link check of %s failed: %r", url, task.exception())

    async def _check_and_keep(self, url: str) -> LinkCheck:
        check = await self.check(url)
        await self.store.record_link_check(url, check)
        if check.dead:
            log.info("link check: %s is gone (%s); the archive stands in", url, check.status)
        return check

    async def _status(self, url: str, method: str) -> int:
        """Return the HTTP status url answers a request with, after redirects."""
        try:
            result = await self.fetcher.fetch(
                url, method=method, max_bytes=_PEEK_BYTES, any_public_host=True
            )
        except FetchError as exc:
            if exc.status is None:
                raise
            return exc.status  # an error status, or a page longer than the peek: alive
        return result.status


def host_gone(error: FetchError) -> str | None:
    """Return why a failed fetch means its host is gone ("no such host", "connection
    refused"), or None when it says nothing about the page (a timeout, a TLS error...)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror) and cause.errno in _NO_SUCH_NAME:
            return "no such host"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    return None
