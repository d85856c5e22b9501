"""One message's way to Telegram: the photo, upload and text fallbacks, every error Telegram
answers with, and the record of how it ended.

=====================================  ==================================================
Telegram answers                       the rows
=====================================  ==================================================
the message                            sent, with its message_id (committed before the
                                       send counts as over: the crash bound)
403 Forbidden, 400 "chat not found"    blocked: the chat is marked inactive, no retry
ChatMigrated                           the chat moves to its new id; sent there at once
429 RetryAfter                         wait that long (that chat only); when several chats
                                       hear it within 2 s, every send pauses (global flood)
400 about the photo                    upload it ourselves, else send the post as text
400 "can't parse entities", too long   sent again as plain text, the article logged
another 400                            failed, with Telegram's reason
5xx, timeouts, network errors          tried again after 1, 2, 4, ... s; failed after
                                       delivery.max_attempts tries, with the reason
401 (token refused)                    every send pauses a minute; the rows wait
=====================================  ==================================================
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from functools import partial

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from ..store import Store
from ..store.outbox import Delivery
from ..text.dates import utcnow
from .outgoing import Composer, Outgoing
from .pacing import Pacer
from .photos import Photos, is_chat_gone, is_format_problem, is_photo_problem
from .render import render_plain

log = logging.getLogger(__name__)

_RETRY_CAP = 600.0  # the longest backoff between two tries of one row
_TOKEN_PAUSE = 60.0  # seconds every send waits after Telegram refused the token
# Several chats told to wait within a short time means the bot as a whole is flooding
# (each chat alone is paced well inside its own limit): then every send slows down.
_FLOOD_WINDOW = 2.0
_FLOOD_CHATS = 3
_LINGER = 0.002  # seconds a mark waits for others to share its commit

Pace = Callable[[int], Awaitable[None]]


class Courier:
    """Send one outgoing message through Telegram's errors and record how it ended."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        pacer: Pacer,
        composer: Composer,
        photos: Photos,
        *,
        max_attempts: int,
        retry_base: float,
        in_flight: Callable[[], int],
    ) -> None:
        """Send with bot, record in store; in_flight counts the sends under way (for commits)."""
        self.bot = bot
        self.store = store
        self.pacer = pacer
        self.composer = composer
        self.photos = photos
        self.stats: Counter[str] = Counter()
        self._max_attempts = max(max_attempts, 1)
        self._retry_base = retry_base
        self._in_flight = in_flight
        self._floods: deque[tuple[float, int]] = deque()
        self._marks: list[tuple[tuple[int, ...], int, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None

    async def deliver(self, row: Delivery, out: Outgoing, claim: set[int], pace: Pace) -> bool:
        """Send out (headed by row) and record the outcome; False when the rows wait again.

        ``pace(chat_id)`` is awaited right before every request; claim holds the chat ids
        the send may touch (a migrated chat's new id is added).
        """
        # One function on purpose: every answer Telegram can give to one send is handled
        # here, side by side, so it is plain that each outcome is recorded exactly once.
        chat_id = row.chat_id
        try:
            while True:
                try:
                    message = await self._send(chat_id, out, pace)
                    break
                except ChatMigrated as exc:
                    if exc.new_chat_id in claim:
                        raise  # moved twice in one send: let the retry sort it out
                    log.info("chat %d became supergroup %d; moving it", chat_id, exc.new_chat_id)
                    await self.store.migrate_chat(chat_id, exc.new_chat_id)
                    self.pacer.migrate_chat(chat_id, exc.new_chat_id)
                    chat_id = exc.new_chat_id
                    claim.add(chat_id)
                except BadRequest as exc:
                    if out.plain or not is_format_problem(exc):
                        raise
                    log.warning(
                        "%s: Telegram refused its HTML for chat %d (%s); resending as plain text",
                        out.label,
                        chat_id,
                        exc,
                    )
                    self.stats["plain"] += 1
                    out = replace(out, plain=True)
        except RetryAfter as exc:
            seconds = _seconds(exc)
            self.pacer.defer_chat(chat_id, seconds)
            self._note_flood(chat_id, seconds)
            self.stats["retry_after"] += 1
            await self.store.retry_delivery(
                out.ids, utcnow() + timedelta(seconds=seconds), str(exc), count=False
            )
            return False
        except (Forbidden, BadRequest) as exc:
            if isinstance(exc, BadRequest) and not is_chat_gone(exc):
                log.warning("%s to chat %d rejected: %s", out.label, chat_id, exc)
                self.stats["failed"] += len(out.ids)
                await self.store.mark_failed(out.ids, f"rejected: {exc}"[:200])
                return True
            log.info("chat %d is gone (%s): marked inactive", chat_id, exc)
            self.stats["blocked"] += len(out.ids)
            await self.store.set_active(chat_id, False)  # its pending rows become blocked
            return True
        except InvalidToken as exc:
            log.error("Telegram refuses the bot token (%s); pausing sends", exc)
            self.pacer.slow_down(_TOKEN_PAUSE)
            await self.store.retry_delivery(
                out.ids, utcnow() + timedelta(seconds=_TOKEN_PAUSE), str(exc), count=False
            )
            return False
        except TelegramError as exc:  # NetworkError, TimedOut, 5xx and the unexpected
            return await self.retry_later(out.ids, row.attempts, f"{type(exc).__name__}: {exc}")
        self.stats["sent"] += len(out.ids)
        await self._record_sent(out.ids, message.message_id)
        return len(claim) == 1  # a migrated chat's other rows moved: look again

    async def retry_later(self, ids: tuple[int, ...], attempts: int, reason: str) -> bool:
        """Back off a transient failure, or give the rows up after max_attempts tries.

        Return True when the rows were given up (settled), False when they wait again.
        """
        tries = attempts + 1
        if tries >= self._max_attempts:
            log.warning("delivery %s failed after %d tries: %s", list(ids), tries, reason)
            self.stats["failed"] += len(ids)
            await self.store.mark_failed(ids, reason[:200])
            return True
        self.stats["retried"] += 1
        delay = min(self._retry_base * 2 ** (tries - 1), _RETRY_CAP)
        await self.store.retry_delivery(ids, utcnow() + timedelta(seconds=delay), reason[:200])
        return False

    async def flush(self) -> None:
        """Wait until every mark handed over is committed."""
        if self._marking is not None:
            await self._marking

    async def _send(self, chat_id: int, out: Outgoing, pace: Pace) -> Message:
        """Send the message once, falling back from photo to upload to text as needed."""
        rendered = out.rendered
        paced = partial(pace, chat_id)
        markup = button_row(out.buttons)
        if rendered.photo is not None:
            caption = render_plain(rendered) if out.plain else rendered.text
            if out.photo_is_file_id:
                await paced()
                try:
                    return await self.bot.send_photo(
                        chat_id,
                        rendered.photo,
                        caption=caption,
                        parse_mode=_mode(out),
                        reply_markup=markup,
                    )
                except BadRequest as exc:
                    if not is_photo_problem(exc):
                        raise
                    log.warning("%s: photo refused (%s); sending text", out.label, exc)
            else:
                sent = await self.photos.send(
                    chat_id, rendered.photo, caption, plain=out.plain, pace=paced, markup=markup
                )
                if sent is not None:
                    return sent
            self.stats["text_instead_of_photo"] += 1
            rendered = self.composer.without_photo(out)
        text = render_plain(rendered) if out.plain else rendered.text
        if not out.preview:
            preview = LinkPreviewOptions(is_disabled=True)
        elif rendered.link_preview_url:
            preview = LinkPreviewOptions(url=rendered.link_preview_url)
        else:
            preview = None
        await paced()
        return await self.bot.send_message(
            chat_id, text, parse_mode=_mode(out), link_preview_options=preview, reply_markup=markup
        )

    async def _record_sent(self, ids: tuple[int, ...], message_id: int) -> None:
        """Mark rows sent, committed together with other sends that finished meanwhile.

        The caller waits for the commit, so it holds its place among the sends in flight
        until its rows are recorded: the crash bound on duplicates stays ``concurrency``.
        """
        done = asyncio.get_running_loop().create_future()
        self._marks.append((ids, message_id, done))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._commit_marks(), name="sender-marks")
        await done

    async def _commit_marks(self) -> None:
        """Commit the waiting marks in units of work until none are left."""
        while self._marks:
            if len(self._marks) < self._in_flight():
                # Other sends are about to finish: a commit of several rows costs little
                # more than a commit of one, and each send already took far longer.
                await asyncio.sleep(_LINGER)
            batch, self._marks = self._marks, []
            try:
                await self.store.mark_sent([(ids, m) for ids, m, _ in batch], utcnow())
            except Exception as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)

    def _note_flood(self, chat_id: int, seconds: float) -> None:
        """Slow every send when several chats are told to wait at once (a global flood)."""
        now = time.monotonic()
        self._floods.append((now, chat_id))
        while self._floods[0][0] < now - _FLOOD_WINDOW:
            self._floods.popleft()
        chats = {chat for _, chat in self._floods}
        if len(chats) >= _FLOOD_CHATS:
            log.warning(
                "Telegram asked %d chats to wait within %g s: slowing every send for %g s",
                len(chats),
                _FLOOD_WINDOW,
                seconds,
            )
            self.pacer.slow_down(seconds)
            self.stats["global_floods"] += 1
            self._floods.clear()


def button_row(buttons: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """Return (label, callback data) pairs as one row of buttons, or None without any."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in buttons]])


def _mode(out: Outgoing) -> str | None:
    return None if out.plain else ParseMode.HTML


def _seconds(exc: RetryAfter) -> float:
    """Return how long Telegram asked to wait, whatever PTB's time-period setting."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
