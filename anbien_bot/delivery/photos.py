"""Photos sent once: Telegram fetches (or we upload) each image URL one time, then its file_id.

The first recipient of an image gets it by URL; Telegram answers with the photo's file_id,
kept in the store, and every later recipient (after a restart too) gets that file_id. While
the first send of a URL is under way, the others wait for its outcome, so a fan-out to ten
thousand chats costs one fetch of the image. When Telegram cannot take the URL (over 5 MB,
too large, a portal it cannot reach), the image is downloaded with our own fetcher, made fit
for Telegram (images.py: shrunk and re-encoded, or sent as a file when its shape cannot be a
photo) and uploaded; only when that fails too does the caller send text.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from ..net.fetch import Fetcher, FetchError
from ..store import Store
from ..text.dates import utcnow
from .images import ImageError, Prepared, prepare

log = logging.getLogger(__name__)

_UNUSABLE_FOR = 3600.0  # seconds an image that failed both ways is not tried again
_REMEMBERED = 1024  # file ids kept in memory (the store keeps them all)
# An image sent as a document is kept under this prefix and its URL: a file_id keeps its
# type, so a document's must be sent as a document again (documents.py keeps attachments so).
DOCUMENT_KEY = "document "

# BadRequest descriptions that are about the chat or the text, not about the photo.
Markup = InlineKeyboardMarkup | None

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


@dataclass(frozen=True, slots=True)
class _Sent:
    """How an image URL reached Telegram once: its file_id, and whether as a document."""

    file_id: str
    document: bool = False


@dataclass
class _UrlLock:
    """A lock for one image URL, with a count of its users so it can be forgotten."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class Photos:
    """Send a photo by the best means known: file_id, else URL, else our own upload."""

    def __init__(
        self, bot: Bot, store: Store, fetcher: Fetcher | None, remembered: int = _REMEMBERED
    ) -> None:
        """Use bot to send, store to keep file ids, fetcher (may be None) to download.

        The last ``remembered`` file ids are kept in memory too; the store keeps them all.
        """
        self.bot = bot
        self.remembered = remembered
        self.store = store
        self.fetcher = fetcher
        self.url_sends = 0  # photos sent by URL (Telegram fetched them)
        self.uploads = 0  # images we downloaded and uploaded (as photos or documents)
        self._file_ids: OrderedDict[str, _Sent] = OrderedDict()
        # One image decoded at a time: a camera JPEG takes a core and ~100 MB to shrink.
        self._decoding = asyncio.Semaphore(1)
        self._locks: dict[str, _UrlLock] = {}
        self._unusable: dict[str, float] = {}

    def __len__(self) -> int:
        """Return how many images' file ids, and images found unusable, are kept in memory."""
        return len(self._file_ids) + len(self._unusable)

    async def send(
        self,
        chat_id: int,
        url: str,
        caption: str,
        *,
        plain: bool,
        pace: Callable[[], Awaitable[None]],
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """Send the photo at url with caption; return None when the image cannot be sent.

        ``pace`` is awaited right before each request to Telegram. Errors about the chat or
        the caption propagate; the caller sends text when None comes back.
        """
        stale: str | None = None
        while True:
            known = await self._known(url)
            if known is not None and known.file_id != stale:
                await pace()
                try:
                    return await self._send_file(chat_id, known, caption, plain, markup)
                except BadRequest as exc:
                    if not is_photo_problem(exc):
                        raise
                    # file ids belong to one bot token; a new token makes the old ones stale.
                    log.info("photo %s: file_id refused (%s), sending by URL again", url, exc)
                    await self._forget(url, known)
                    stale = known.file_id
            if self._is_unusable(url):
                return None
            entry = self._locks.setdefault(url, _UrlLock())
            entry.users += 1
            try:
                async with entry.lock:
                    # Whoever held the lock may have just learnt the file_id: use it.
                    known = await self._known(url)
                    if known is not None and known.file_id != stale:
                        continue
                    if self._is_unusable(url):
                        return None
                    return await self._first_send(chat_id, url, caption, plain, pace, markup)
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
        markup: InlineKeyboardMarkup | None,
    ) -> Message | None:
        """Send an image Telegram has no file_id for: by URL, else uploaded; None if neither."""
        await pace()
        try:
            message = await self._send_photo(chat_id, url, caption, plain, markup)
            self.url_sends += 1
        except BadRequest as exc:
            if not is_photo_problem(exc):
                raise
            log.info("photo %s: Telegram could not take it by URL (%s), uploading it", url, exc)
            message = None
        document = False
        if message is None:
            upload = await self._download(url)
            if upload is None:
                self._mark_unusable(url)
                return None
            document = not upload.as_photo
            await pace()
            try:
                message = await self._upload(chat_id, upload, caption, plain, markup)
                self.uploads += 1
            except BadRequest as exc:
                if not is_photo_problem(exc):
                    raise
                log.warning("photo %s: refused as an upload too (%s), sending text", url, exc)
                self._mark_unusable(url)
                return None
        if document and message.document:
            await self._remember(url, _Sent(message.document.file_id, document=True))
        elif message.photo:
            await self._remember(url, _Sent(message.photo[-1].file_id))  # the largest size
        return message

    async def file_id(self, url: str) -> str | None:
        """Return the file_id of the photo sent by url before, or None (also for a document)."""
        known = await self._known(url)
        return None if known is None or known.document else known.file_id

    async def learn(self, url: str, file_id: str) -> None:
        """Keep the file_id Telegram gave the photo at url sent some other way (an album)."""
        await self._remember(url, _Sent(file_id))

    async def _send_photo(
        self, chat_id: int, photo: str | InputFile, caption: str, plain: bool, markup: Markup
    ) -> Message:
        """Send one photo with its caption, as HTML or as plain text."""
        mode = None if plain else ParseMode.HTML
        return await self.bot.send_photo(
            chat_id, photo, caption=caption, parse_mode=mode, reply_markup=markup
        )

    async def _send_file(
        self, chat_id: int, sent: _Sent, caption: str, plain: bool, markup: Markup
    ) -> Message:
        """Send an image again by its file_id, as what it was sent as the first time."""
        if not sent.document:
            return await self._send_photo(chat_id, sent.file_id, caption, plain, markup)
        return await self._send_document(chat_id, sent.file_id, caption, plain, markup)

    async def _upload(
        self, chat_id: int, upload: Prepared, caption: str, plain: bool, markup: Markup
    ) -> Message:
        """Upload a prepared image, as a photo or as a document."""
        file = InputFile(upload.data, filename=upload.filename)
        if upload.as_photo:
            return await self._send_photo(chat_id, file, caption, plain, markup)
        return await self._send_document(chat_id, file, caption, plain, markup)

    async def _send_document(
        self, chat_id: int, file: str | InputFile, caption: str, plain: bool, markup: Markup
    ) -> Message:
        mode = None if plain else ParseMode.HTML
        return await self.bot.send_document(
            chat_id, file, caption=caption, parse_mode=mode, reply_markup=markup
        )

    async def _download(self, url: str) -> Prepared | None:
        """Return the image at url fetched by us and made fit for Telegram, or None (and say
        why) when it cannot be fetched or read."""
        if self.fetcher is None:
            return None
        try:
            # The image may live on another server than the source: any public host will
            # do. Photos get their own size cap: camera JPEGs and scans outgrow pages.
            fetched = await self.fetcher.fetch(
                url, any_public_host=True, max_bytes=self.fetcher.max_image_bytes
            )
        except FetchError as exc:
            log.warning("photo %s: download failed: %s", url, exc.reason)
            return None
        try:
            async with self._decoding:
                # Decoding takes up to a second of CPU: off the event loop, which keeps
                # sending to everyone else meanwhile.
                upload = await asyncio.to_thread(prepare, fetched.body, _stem(url))
        except ImageError as exc:
            log.warning("photo %s: %s (%s)", url, exc.reason, fetched.content_type or "no type")
            return None
        if not upload.as_photo:
            log.info(
                "photo %s: %d×%d is too narrow for a photo, sending it as a file",
                url,
                upload.width,
                upload.height,
            )
        return upload

    async def _known(self, url: str) -> _Sent | None:
        """Return how url was sent before, from memory or else from the store."""
        sent = self._file_ids.get(url)
        if sent is None:
            file_id = await self.store.telegram_file(url)
            if file_id is not None:
                sent = _Sent(file_id)
            else:
                file_id = await self.store.telegram_file(DOCUMENT_KEY + url)
                sent = None if file_id is None else _Sent(file_id, document=True)
            if sent is not None:
                self._keep(url, sent)
        return sent

    async def _remember(self, url: str, sent: _Sent) -> None:
        """Keep a new file_id in memory and in the store."""
        self._keep(url, sent)
        key = DOCUMENT_KEY + url if sent.document else url
        await self.store.remember_telegram_file(key, sent.file_id, utcnow())

    async def _forget(self, url: str, sent: _Sent) -> None:
        """Drop a file_id Telegram refused."""
        if self._file_ids.get(url) == sent:
            del self._file_ids[url]
        key = DOCUMENT_KEY + url if sent.document else url
        await self.store.forget_telegram_file(key, sent.file_id)

    def _keep(self, url: str, sent: _Sent) -> None:
        self._file_ids[url] = sent
        self._file_ids.move_to_end(url)
        while len(self._file_ids) > self.remembered:
            self._file_ids.popitem(last=False)

    def _mark_unusable(self, url: str) -> None:
        # Sweep here: the table only grows by images that failed both ways.
        now = time.monotonic()
        for old in [u for u, until in self._unusable.items() if until <= now]:
            del self._unusable[old]
        self._unusable[url] = now + _UNUSABLE_FOR
        while len(self._unusable) > self.remembered:  # an hour of nothing but broken images
            del self._unusable[next(iter(self._unusable))]

    def _is_unusable(self, url: str) -> bool:
        until = self._unusable.get(url)
        return until is not None and until > time.monotonic()


def _stem(url: str) -> str:
    """Return a file name (without extension) for an image, from its URL: a document shows it."""
    name = PurePosixPath(unquote(urlsplit(url).path)).stem
    name = re.sub(r"[^\w.-]+", "-", name).strip("-.")[:60]
    return name or "anh"
