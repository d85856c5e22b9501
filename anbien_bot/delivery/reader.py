"""The reader: sends one page of an article's reading (reading.py) to a chat, in the background.

Every request goes through the sender's pacer (Sender.paced), which the outbox shares: an
album counts as its photos, so a page never pushes a chat past one message a second, nor the
bot past its global rate. Photos go through photos.py (file_id, else URL, else our upload)
and attachments through documents.py; a file that cannot be had is sent as its link. A page
is sent by a task of its own, so a resident's command never waits for a page's ten seconds;
one chat reads one page at a time. Readings are built once per article and language.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import InlineKeyboardMarkup, InputMediaPhoto, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from ..store import Store
from ..texts import Lang
from .courier import button_row
from .documents import Documents
from .message import Message, units
from .photos import is_chat_gone, is_format_problem
from .reading import Document, Page, Photo, Piece, build_reading
from .render import TEXT_LIMIT
from .sender import Sender, retry_seconds
from .telegraph import telegraph_message

log = logging.getLogger(__name__)

_CACHED = 16  # readings kept built (a hostile 2 MB article is ~120 pages of 4 KB messages)
_RETRIES = 3  # tries of one message told to wait by Telegram
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

# What stands in the way of a page, as the texts key of the short answer to the press.
GONE, NO_PAGE, BUSY = "reading_gone", "reading_no_page", "reading_busy"


class Reader:
    """Send pages of readings to chats through the sender's pacer."""

    def __init__(self, sender: Sender, store: Store, documents: Documents) -> None:
        """Send with sender's bot, pacer and photos; read articles from store."""
        self.sender = sender
        self.store = store
        self.documents = documents
        self._readings: OrderedDict[tuple[int, Lang], tuple[Page, ...]] = OrderedDict()
        self._tasks: dict[int, asyncio.Task[None]] = {}  # chat id -> the page it is sent

    async def start(self, chat_id: int, article_id: int, number: int, lang: Lang) -> str | None:
        """Start sending page ``number`` of an article to chat_id in the background.

        Return None once started, else the texts key saying why not: the article is gone,
        it has no such page, or the chat is still being sent a page.
        """
        if chat_id in self._tasks:
            return BUSY
        pages = await self.pages(article_id, lang)
        if pages is None:
            return GONE
        if not 1 <= number <= len(pages):
            return NO_PAGE
        if chat_id in self._tasks:  # started by another press while the article was read
            return BUSY
        opening = self._instant_view(chat_id, article_id, lang) if number == 1 else _nothing(None)
        task = asyncio.create_task(self._send(chat_id, article_id, pages[number - 1], opening))
        self._tasks[chat_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(chat_id, None))
        return None

    async def pages(self, article_id: int, lang: Lang) -> tuple[Page, ...] | None:
        """Return an article's reading as pages, or None when the article is not stored."""
        key = (article_id, lang)
        pages = self._readings.get(key)
        if pages is None:
            article = await self.store.article(article_id)
            if article is None:
                return None
            # A hostile article of megabytes takes a few hundred milliseconds: off the loop.
            pages = await asyncio.to_thread(build_reading, article, lang)
            self._readings[key] = pages
            while len(self._readings) > _CACHED:
                self._readings.popitem(last=False)
        self._readings.move_to_end(key)
        return pages

    async def wait(self) -> None:
        """Return once every page under way has been sent (for tests and a clean stop)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks.values()))

    async def stop(self) -> None:
        """Stop sending: a page half sent stays so, the reader presses again."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _send(
        self, chat_id: int, article_id: int, page: Page, opening: Awaitable[None]
    ) -> None:
        """Send a page: what opens it, its album, its messages, the buttons under the last."""
        try:
            await opening
            if page.album:
                await self._retrying(chat_id, partial(self._album, chat_id, page.album))
            last = len(page.messages) - 1
            for index, piece in enumerate(page.messages):
                markup = button_row(page.buttons) if index == last else None
                await self._retrying(chat_id, partial(self._piece, chat_id, piece, markup))
        except (Forbidden, BadRequest) as exc:
            log.info("reading of article %d to chat %d stopped: %s", article_id, chat_id, exc)
        except TelegramError as exc:  # network, 5xx: the reader may press again
            log.warning("reading of article %d to chat %d failed: %s", article_id, chat_id, exc)
        except Exception:
            log.exception("reading of article %d to chat %d crashed", article_id, chat_id)

    async def _instant_view(self, chat_id: int, article_id: int, lang: Lang) -> None:
        """Open the reading with the article's Telegraph page, when it has one: Telegram shows
        it in Instant View. Whatever fails here, the reading in the chat follows."""
        url = await self.store.telegraph_url(article_id)
        article = await self.store.article(article_id) if url else None
        if url is None or article is None:
            return
        html = telegraph_message(article.title, url, lang).message.html
        preview = LinkPreviewOptions(url=url, prefer_large_media=True)

        async def send() -> None:
            await self._pace(chat_id)
            await self.sender.bot.send_message(
                chat_id, html, parse_mode=ParseMode.HTML, link_preview_options=preview
            )

        try:
            await self._retrying(chat_id, send)
        except TelegramError as exc:
            log.info(
                "Telegraph link of article %d to chat %d not sent: %s", article_id, chat_id, exc
            )

    async def _retrying(self, chat_id: int, step: Callable[[], Awaitable[None]]) -> None:
        """Run one step, again after the wait Telegram asks for (the pacer holds the chat)."""
        for attempt in range(_RETRIES):
            try:
                await step()
                return
            except RetryAfter as exc:
                if attempt == _RETRIES - 1:
                    raise
                self.sender.pacer.defer_chat(chat_id, retry_seconds(exc))

    async def _pace(self, chat_id: int, weight: int = 1) -> None:
        """Wait for the chat's turn for ``weight`` messages; the request follows at once."""
        await self.sender.paced(chat_id, _nothing, weight)

    async def _piece(
        self, chat_id: int, piece: Piece, markup: InlineKeyboardMarkup | None
    ) -> None:
        if isinstance(piece, Document):
            pace = partial(self._pace, chat_id)
            sent = await self.documents.send(chat_id, piece, pace=pace, markup=markup)
            if sent is not None:
                return
            piece = piece.fallback
        await self._text(chat_id, piece, markup)

    async def _text(
        self, chat_id: int, text: Message, markup: InlineKeyboardMarkup | None
    ) -> None:
        """Send one text message as HTML, as plain text if Telegram refuses the HTML."""
        await self._pace(chat_id)
        bot = self.sender.bot
        try:
            await bot.send_message(
                chat_id,
                text.html,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                reply_markup=markup,
            )
            return
        except BadRequest as exc:
            if not is_format_problem(exc):
                raise
            log.warning("reading for chat %d: HTML refused (%s), sent as plain text", chat_id, exc)
        await self._pace(chat_id)
        await bot.send_message(
            chat_id,
            _plain(text),
            parse_mode=None,
            link_preview_options=_NO_PREVIEW,
            reply_markup=markup,
        )

    async def _album(self, chat_id: int, album: tuple[Photo, ...]) -> None:
        """Send the photos as one album (a single photo alone); learn the file ids they got."""
        photos = self.sender.photos
        pace = partial(self._pace, chat_id)
        if len(album) == 1:
            await photos.send(chat_id, album[0].url, album[0].caption.html, plain=False, pace=pace)
            return
        known = [await photos.file_id(photo.url) for photo in album]
        media = [
            InputMediaPhoto(
                file_id or photo.url,
                caption=photo.caption.html or None,
                parse_mode=ParseMode.HTML,
            )
            for photo, file_id in zip(album, known, strict=True)
        ]
        await self._pace(chat_id, len(album))
        try:
            sent = await self.sender.bot.send_media_group(chat_id, media)
        except BadRequest as exc:
            if is_chat_gone(exc):
                raise
            # One photo Telegram cannot fetch spoils the album: each goes alone, through
            # photos.py's upload when Telegram cannot fetch it, and has a file_id next time.
            log.info("album for chat %d refused (%s): its photos go one by one", chat_id, exc)
            for photo in album:
                await photos.send(chat_id, photo.url, photo.caption.html, plain=False, pace=pace)
            return
        for photo, file_id, message in zip(album, known, sent, strict=False):
            if file_id is None and message.photo:
                await photos.learn(photo.url, message.photo[-1].file_id)


def _plain(text: Message) -> str:
    """Return a message as plain text, the addresses of its links written out if they fit."""
    written = text.plain("all")
    return written if units(written) <= TEXT_LIMIT else text.plain("none")


async def _nothing(_: object) -> None:
    """The call made in a paced turn, when the request itself follows it."""
