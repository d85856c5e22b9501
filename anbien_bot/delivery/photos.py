"""Photos sent once: Telegram fetches (or we upload) each image URL one time, then its file_id.

The first recipient of an image gets it by URL; Telegram answers with the photo's file_id,
kept in the store, and every later recipient (after a restart too) gets that file_id. While
the first send of a URL is under way, the others wait for its outcome, so a fan-out to ten
thousand chats costs one fetch of the image. When Telegram cannot fetch the URL, the image is
downloaded with our own fetcher and uploaded; when that fails too, the caller sends text.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from ..net.fetch import Fetcher, FetchError
from ..store import Store
from ..text.dates import utcnow

log = logging.getLogger(__name__)

UPLOAD_LIMIT = 10 * 1024 * 1024  # Telegram's limit for a photo sent as a file
_UNUSABLE_FOR = 3600.0  # seconds an image that failed both ways is not tried again
_REMEMBERED = 1024  # file ids kept in memory (the store keeps them all)
# Magic numbers of the formats Telegram takes as a photo, and the file name to upload under.
_IMAGE_NAMES = {
    b"\xff\xd8\xff": "photo.jpg",
    b"\x89PNG\r\n\x1a\n": "photo.png",
    b"GIF87a": "photo.gif",
    b"GIF89a": "photo.gif",
}

# BadRequest descriptions that are about the chat or the text, not about the photo.
CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid")
FORMAT_PROBLEMS = ("can't parse entities", "can't find end of", "too long", "text is empty")


def description(exc: Exception) -> str:
    """Return the lower-case description Telegram gave with an error."""
    return str(getattr(exc, "message", exc)).lower()


def is_chat_gone(exc: BadRequest) -> bool:
    """Return True when a 400 says the chat does not exist (any more)."""
    return any(marker in description(exc) for marker in CHAT_GONE)


def is_format_problem(exc: BadRequest) -> bool:
    """Return True when a 400 is about the message text or caption (its HTML, its length)."""
    return any(marker in description(exc) for marker in FORMAT_PROBLEMS)


def is_photo_problem(exc: BadRequest) -> bool:
    """Return True when a 400 answering a photo send is about the photo itself.

    Telegram words these many ways ("wrong type of the web page content", "failed to get
    HTTP URL content", "wrong file identifier/HTTP URL specified", "IMAGE_PROCESS_FAILED",
    "PHOTO_INVALID_DIMENSIONS", ...), so every 400 that is not about the chat or the text is
    taken to be about the photo: the text fallback then still reaches the chat.
    """
    return not is_chat_gone(exc) and not is_format_problem(exc)


@dataclass
class _UrlLock:
    """A lock for one image URL, with a count of its users so it can be forgotten."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class Photos:
    """Send a photo by the best means known: file_id, else URL, else our own upload."""

    def __init__(self, bot: Bot, store: Store, fetcher: Fetcher | None) -> None:
        """Use bot to send, store to keep file ids, fetcher (may be None) to download."""
        self.bot = bot
        self.store = store
        self.fetcher = fetcher
        self.url_sends = 0  # photos sent by URL (Telegram fetched them)
        self.uploads = 0  # photos we downloaded and uploaded
        self._file_ids: OrderedDict[str, str] = OrderedDict()
        self._locks: dict[str, _UrlLock] = {}
        self._unusable: dict[str, float] = {}

    async def send(
        self,
        chat_id: int,
        url: str,
        caption: str,
        *,
        plain: bool,
        pace: Callable[[], Awaitable[None]],
    ) -> Message | None:
        """Send the photo at url with caption; return None when the image cannot be sent.

        ``pace`` is awaited right before each request to Telegram. Errors about the chat or
        the caption propagate; the caller sends text when None comes back.
        """
        stale: str | None = None
        while True:
            file_id = await self._known(url)
            if file_id is not None and file_id != stale:
                await pace()
                try:
                    return await self._send_photo(chat_id, file_id, caption, plain)
                except BadRequest as exc:
                    if not is_photo_problem(exc):
                        raise
                    # file ids belong to one bot token; a new token makes the old ones stale.
                    log.info("photo %s: file_id refused (%s), sending by URL again", url, exc)
                    await self._forget(url, file_id)
                    stale = file_id
            if self._is_unusable(url):
                return None
            entry = self._locks.setdefault(url, _UrlLock())
            entry.users += 1
            try:
                async with entry.lock:
                    # Whoever held the lock may have just learnt the file_id: use it.
                    known = await self._known(url)
                    if known is not None and known != stale:
                        continue
                    if self._is_unusable(url):
                        return None
                    return await self._first_send(chat_id, url, caption, plain, pace)
            finally:
                entry.users -= 1
                if not entry.users:
                    del self._locks[url]

    async def _first_send(
        self,
        chat_id: int,
        url: str,
        caption: str,
        plain: bool,
        pace: Callable[[], Awaitable[None]],
    ) -> Message | None:
        """Send a photo Telegram has no file_id for: by URL, else uploaded; None if neither."""
        await pace()
        try:
            message = await self._send_photo(chat_id, url, caption, plain)
            self.url_sends += 1
        except BadRequest as exc:
            if not is_photo_problem(exc):
                raise
            log.info("photo %s: Telegram could not take it by URL (%s), uploading it", url, exc)
            message = None
        if message is None:
            upload = await self._download(url)
            if upload is None:
                self._mark_unusable(url)
                return None
            await pace()
            try:
                message = await self._send_photo(chat_id, upload, caption, plain)
                self.uploads += 1
            except BadRequest as exc:
                if not is_photo_problem(exc):
                    raise
                log.warning("photo %s: refused as an upload too (%s), sending text", url, exc)
                self._mark_unusable(url)
                return None
        if message.photo:
            await self._remember(url, message.photo[-1].file_id)  # the largest size
        return message

    async def _send_photo(
        self, chat_id: int, photo: str | InputFile, caption: str, plain: bool
    ) -> Message:
        """Send one photo with its caption, as HTML or as plain text."""
        return await self.bot.send_photo(
            chat_id, photo, caption=caption, parse_mode=None if plain else ParseMode.HTML
        )

    async def _download(self, url: str) -> InputFile | None:
        """Return the image at url fetched by us, or None (and say why) if it is no image."""
        if self.fetcher is None:
            return None
        try:
            # The image may live on another server than the source: any public host will do.
            fetched = await self.fetcher.fetch(url, any_public_host=True)
        except FetchError as exc:
            log.warning("photo %s: download failed: %s", url, exc.reason)
            return None
        body = fetched.body
        name = next((n for magic, n in _IMAGE_NAMES.items() if body.startswith(magic)), None)
        if name is None and body[:4] == b"RIFF" and body[8:12] == b"WEBP":
            name = "photo.webp"
        if name is None:
            log.warning("photo %s: download is not an image (%s)", url, fetched.content_type)
            return None
        if len(body) > UPLOAD_LIMIT:
            log.warning("photo %s: %d bytes, over Telegram's upload limit", url, len(body))
            return None
        return InputFile(body, filename=name)

    async def _known(self, url: str) -> str | None:
        """Return the file_id for url, from memory or else from the store."""
        file_id = self._file_ids.get(url)
        if file_id is None:
            file_id = await self.store.telegram_file(url)
            if file_id is not None:
                self._keep(url, file_id)
        return file_id

    async def _remember(self, url: str, file_id: str) -> None:
        """Keep a new file_id in memory and in the store."""
        self._keep(url, file_id)
        await self.store.remember_telegram_file(url, file_id, utcnow())

    async def _forget(self, url: str, file_id: str) -> None:
        """Drop a file_id Telegram refused."""
        if self._file_ids.get(url) == file_id:
            del self._file_ids[url]
        await self.store.forget_telegram_file(url, file_id)

    def _keep(self, url: str, file_id: str) -> None:
        self._file_ids[url] = file_id
        self._file_ids.move_to_end(url)
        while len(self._file_ids) > _REMEMBERED:
            self._file_ids.popitem(last=False)

    def _mark_unusable(self, url: str) -> None:
        # Sweep here: the table only grows by images that failed both ways.
        now = time.monotonic()
        for old in [u for u, until in self._unusable.items() if until <= now]:
            del self._unusable[old]
        self._unusable[url] = now + _UNUSABLE_FOR

    def _is_unusable(self, url: str) -> bool:
        until = self._unusable.get(url)
        return until is not None and until > time.monotonic()
