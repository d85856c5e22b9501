"""Attachments sent as files: uploaded once, then by Telegram's file_id for everyone after.

The file comes from the archive when it keeps one (a signed notice that outlived its portal),
else from the portal through the polite fetcher, within Telegram's 50 MB for an upload. Its
file_id is kept in telegram_files under the attachment's URL (with photos.py's document
prefix: a file_id keeps its type), so the next reader, after a restart too, costs no upload.
While one chat's first upload of a URL is under way, the others wait for its file_id. When
no file can be had, the caller sends the attachment's link as text instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest

from ..net.fetch import Fetcher, FetchError
from ..net.files import not_a_file
from ..store import Store
from ..text.dates import utcnow
from .images import DOCUMENT_LIMIT
from .photos import DOCUMENT_KEY, is_chat_gone, is_format_problem
from .reading import Document

log = logging.getLogger(__name__)

# Where the archive keeps a file it downloaded: None when it has none (Store.archived_file).
Archive = Callable[[str], Awaitable[Path | None]]


class Documents:
    """Send an attachment as a file by the best means known: file_id, else an upload."""

    def __init__(
        self, bot: Bot, store: Store, fetcher: Fetcher | None, archive: Archive | None = None
    ) -> None:
        """Send with bot, keep file ids in store; files from archive, else fetched by fetcher."""
        self.bot = bot
        self.store = store
        self.fetcher = fetcher
        self.archive = archive
        self.uploads = 0  # files uploaded to Telegram
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}  # url -> lock, its users

    async def send(
        self,
        chat_id: int,
        document: Document,
        *,
        pace: Callable[[], Awaitable[object]],
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """Send the attachment as a file; return None when no file can be had.

        ``pace`` is awaited right before each request. Errors about the chat propagate.
        """
        key = DOCUMENT_KEY + document.url
        lock, users = self._locks.setdefault(document.url, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:  # a second reader waits for the first upload's file_id
                file_id = await self.store.telegram_file(key)
                if file_id is not None:
                    await pace()
                    try:
                        return await self._send(chat_id, file_id, document, markup)
                    except BadRequest as exc:
                        if is_chat_gone(exc) or is_format_problem(exc):
                            raise
                        # file ids belong to one bot token: a new token makes them stale.
                        log.info("document %s: file_id refused (%s)", document.url, exc)
                        await self.store.forget_telegram_file(key, file_id)
                return await self._upload(chat_id, document, markup, pace)
        finally:
            users[0] -= 1
            if not users[0]:
                del self._locks[document.url]

    async def _upload(
        self,
        chat_id: int,
        document: Document,
        markup: InlineKeyboardMarkup | None,
        pace: Callable[[], Awaitable[object]],
    ) -> Message | None:
        """Upload the attachment's file and keep its file_id; None when there is no file."""
        data = await self._archived(document.url) or await self._download(document)
        if data is None:
            return None
        await pace()
        try:
            sent = await self._send(
                chat_id, InputFile(data, filename=document.name), document, markup
            )
        except BadRequest as exc:
            if is_chat_gone(exc):
                raise
            log.warning("document %s: Telegram refused the upload: %s", document.url, exc)
            return None
        self.uploads += 1
        if sent.document is not None:
            key = DOCUMENT_KEY + document.url
            await self.store.remember_telegram_file(key, sent.document.file_id, utcnow())
        return sent

    async def _send(
        self,
        chat_id: int,
        file: str | InputFile,
        document: Document,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        # The caption is the attachment's title as plain text: nothing in it is markup.
        return await self.bot.send_document(
            chat_id,
            file,
            caption=document.caption or None,
            parse_mode=None,
            reply_markup=markup,
        )

    async def _archived(self, url: str) -> bytes | None:
        """Return the archive's copy of the file at url, or None when it keeps none."""
        if self.archive is None:
            return None
        path = await self.archive(url)
        if path is None:
            return None
        try:
            if (await asyncio.to_thread(path.stat)).st_size > DOCUMENT_LIMIT:
                return None
            return await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            log.warning("document %s: archived copy %s unreadable: %s", url, path, exc)
            return None

    async def _download(self, document: Document) -> bytes | None:
        """Return the attachment fetched by us, or None (and say why) when it cannot be, or
        when what came is a web page or no PDF where a PDF was named (a soft 404)."""
        if self.fetcher is None:
            return None
        url = document.url
        # Attachments, like photos, may sit on another public server than the source's,
        # and share the cap for files we fetch to upload (never over Telegram's 50 MB).
        cap = min(self.fetcher.max_image_bytes, DOCUMENT_LIMIT)
        try:
            fetched = await self.fetcher.fetch(url, any_public_host=True, max_bytes=cap)
        except FetchError as exc:
            log.warning("document %s: download failed: %s", url, exc.reason)
            return None
        if not fetched.body:
            return None
        problem = not_a_file(fetched.body, fetched.content_type, url, document.name)
        if problem is not None:
            log.warning("document %s: sent as its link: the portal answered %s", url, problem)
            return None
        return fetched.body
