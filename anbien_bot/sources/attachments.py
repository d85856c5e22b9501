"""Keeping attached PDFs whole, so a signed notice outlives the portal that published it.

Which files to keep is written with their article (store/files.py); this downloads them
afterwards, through the polite fetcher with its host and address rules, and never while
holding the store. A download that fails is logged in one line and tried again at a later
poll (after an hour, doubling to a day, up to store.files.MAX_TRIES times) or at the next
backfill; its article is stored already and loses nothing. A file over ``[archive]
max_file_bytes``, or one that is no PDF, keeps its link only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import Config
from ..net.fetch import BodyTooLarge, Fetcher, FetchError
from ..net.files import is_pdf
from ..store import Store, WantedFile
from ..store.files import MAX_TRIES
from ..text.dates import utcnow
from ..text.urls import host_of

log = logging.getLogger(__name__)

PER_ROUND = 20  # downloads per poll round, so one round never grows long with files
_FIRST_RETRY = timedelta(hours=1)
_LAST_RETRY = timedelta(days=1)


@dataclass
class FilesReport:
    """What one round of downloads did."""

    kept: int = 0
    failed: int = 0  # to be tried again
    refused: int = 0  # over the size cap or not a PDF: the link only


class FileKeeper:
    """Downloads the attached PDFs the store wants and hands them to it to keep."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.max_bytes = config.archive.max_file_bytes
        # A file is fetched with its source's TLS setting (a portal with a broken chain).
        self._verify = {
            host_of(url): source.verify_tls
            for source in config.sources
            for url in source.listing_urls
        }

    async def keep_due(self, *, everything: bool = False) -> FilesReport:
        """Download the files whose time has come (at most PER_ROUND), or with
        ``everything`` (a backfill) every file still missing; never raises for a file."""
        report = FilesReport()
        if self.max_bytes == 0 or self.store.files_dir is None:
            return report
        wanted = await self.store.wanted_files(self.clock(), everything=everything)
        for file in wanted if everything else wanted[:PER_ROUND]:
            outcome = await self._keep(file)
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    async def _keep(self, file: WantedFile) -> str:
        """Download and keep one file; return which count of FilesReport it adds to."""
        host = host_of(file.url)
        try:
            fetched = await self.fetcher.fetch(
                file.url,
                verify=self._verify.get(host, True),
                # A file on its article's own host is fetched as the article was.
                any_public_host=host == host_of(file.article_url),
                max_bytes=self.max_bytes,
            )
        except BodyTooLarge as exc:
            return await self._refuse(file, f"kept the link only: {exc.reason}")
        except FetchError as exc:
            return await self._failed(file, exc.reason)
        if not is_pdf(fetched.body):
            return await self._refuse(file, "kept the link only: not a PDF")
        try:
            path = await self.store.keep_file(file.url, fetched.body, self.clock())
        except OSError as exc:  # a full disk, a directory we may not write
            return await self._failed(file, f"cannot write it: {exc.strerror or exc}")
        log.info("attachment %s kept (%d bytes) as %s", file.url, len(fetched.body), path.name)
        return "kept"

    async def _refuse(self, file: WantedFile, reason: str) -> str:
        await self.store.file_failed(file.url, reason, None)
        log.info("attachment %s %s", file.url, reason)
        return "refused"

    async def _failed(self, file: WantedFile, reason: str) -> str:
        delay = min(_FIRST_RETRY * 2**file.tries, _LAST_RETRY)
        tries = await self.store.file_failed(file.url, reason, self.clock() + delay)
        later = "no more tries until a backfill" if tries >= MAX_TRIES else "tried again later"
        log.warning("attachment %s not downloaded: %s (%s)", file.url, reason, later)
        return "failed"
