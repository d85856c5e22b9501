"""A broadcast's progress message: edited every few seconds while it sends, then its report.

The progress lives in the store (the outbox rows' statuses), not in memory, so the tracker
can start at any time: after Send, or after a restart for broadcasts still sending. Every call
to the admin's chat goes through the sender's pacer, like the broadcast itself: an admin who
is also a recipient gets the announcement and the edits within Telegram's per-chat limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from ..config import Config
from ..delivery.sender import Sender
from ..store import Store
from ..store.broadcasts import Broadcast
from ..store.outbox import FanoutReport
from ..text.dates import utcnow
from ..texts import Lang, text
from .reports import final_text, progress_text

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 3.0  # between two edits of the progress message
_SETTLE_SECONDS = 2.0  # after a stop, for the sends already under way to be recorded


class ProgressTracker:
    """Edit each sending broadcast's progress message every few seconds; report at the end."""

    def __init__(self, sender: Sender, store: Store, config: Config) -> None:
        """Edit messages through sender's pacer; read the broadcasts' state from store."""
        self.sender = sender
        self.store = store
        self.config = config
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._pokes: dict[int, asyncio.Event] = {}

    def follow(self, broadcast_id: int) -> None:
        """Start following a broadcast (no-op if it is followed already)."""
        if broadcast_id in self._tasks:
            return
        self._pokes[broadcast_id] = asyncio.Event()
        task = asyncio.create_task(self._follow(broadcast_id), name=f"broadcast-{broadcast_id}")
        self._tasks[broadcast_id] = task
        task.add_done_callback(lambda _: self._forget(broadcast_id))

    def poke(self, broadcast_id: int) -> None:
        """Look at a broadcast now rather than at its next tick (it was just stopped)."""
        if broadcast_id in self._pokes:
            self._pokes[broadcast_id].set()

    async def stop(self) -> None:
        """Stop following every broadcast."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _forget(self, broadcast_id: int) -> None:
        self._tasks.pop(broadcast_id, None)
        self._pokes.pop(broadcast_id, None)

    async def _follow(self, broadcast_id: int) -> None:
        store = self.store
        shown: str | None = None
        while True:
            try:
                broadcast = await store.broadcast(broadcast_id)
                if broadcast is None:
                    return
                report = await store.fanout_report(broadcast_id=broadcast_id)
                if broadcast.status == "sending" and not report.pending:
                    await store.finish_broadcast(broadcast_id)
                    broadcast = await store.broadcast(broadcast_id) or broadcast
                if broadcast.status in ("done", "cancelled"):
                    if broadcast.status == "cancelled":
                        await asyncio.sleep(_SETTLE_SECONDS)
                        report = await store.fanout_report(broadcast_id=broadcast_id)
                    await self._report(broadcast, report)
                    return
                body = progress_text(
                    broadcast,
                    report,
                    self._elapsed(broadcast),
                    self.config.category_names,
                    await self._language(broadcast),
                )
                if body != shown:
                    await self._show(broadcast, body)
                    shown = body
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast=%d progress failed; trying again", broadcast_id)
            poke = self._pokes[broadcast_id]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(PROGRESS_SECONDS):
                    await poke.wait()
            poke.clear()

    async def _language(self, broadcast: Broadcast) -> Lang:
        """Return the language of the admin's chat (Vietnamese unless it says English)."""
        chat = await self.store.chat(broadcast.chat_id or broadcast.admin_id)
        return "en" if chat is not None and chat.language == "en" else "vi"

    @staticmethod
    def _elapsed(broadcast: Broadcast) -> float:
        started = broadcast.started_at or broadcast.created_at
        end = broadcast.finished_at or utcnow()
        return max((end - started).total_seconds(), 0.0)

    async def _show(self, broadcast: Broadcast, body: str) -> None:
        """Edit the progress message (a Stop button under it), or send one if there is none."""
        chat_id, message_id = broadcast.chat_id, broadcast.progress_message_id
        if chat_id is None:
            return
        lang = await self._language(broadcast)
        stop = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        html.unescape(text(lang, "button_stop")),
                        callback_data=f"bc:{broadcast.id}:stop",
                    )
                ]
            ]
        )
        if message_id is not None:
            try:
                await self.sender.paced(
                    chat_id,
                    lambda bot: bot.edit_message_text(
                        body, chat_id, message_id, reply_markup=stop
                    ),
                )
                return
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return
                log.info("broadcast=%d progress not edited: %s", broadcast.id, error)
        sent = await self.sender.paced(
            chat_id, lambda bot: bot.send_message(chat_id, body, reply_markup=stop)
        )
        await self.store.set_broadcast_progress(broadcast.id, sent.message_id)

    async def _report(self, broadcast: Broadcast, report: FanoutReport) -> None:
        """Replace the progress message with the final report, sent anew so the admin hears it."""
        lang = await self._language(broadcast)
        body = final_text(
            broadcast,
            report,
            self._elapsed(broadcast),
            self.config.category_names,
            lang,
        )
        log.info(
            "broadcast=%d %s admin=%d audience=%s recipients=%d sent=%d blocked=%d failed=%d "
            "cancelled=%d seconds=%.0f",
            broadcast.id,
            broadcast.status,
            broadcast.admin_id,
            broadcast.audience,
            report.recipients,
            report.sent,
            report.blocked,
            report.failed,
            report.cancelled,
            self._elapsed(broadcast),
        )
        chat_id, message_id = broadcast.chat_id, broadcast.progress_message_id
        if chat_id is None:
            return
        if message_id is not None:
            try:
                # Not paced: a deletion sends nothing, and the report follows in the next turn.
                await self.sender.bot.delete_message(chat_id, message_id)
            except TelegramError:
                # Too old to delete (48 h): at least take the Stop button off.
                with contextlib.suppress(TelegramError):
                    await self.sender.paced(
                        chat_id, lambda bot: bot.edit_message_reply_markup(chat_id, message_id)
                    )
        try:
            await self.sender.paced(chat_id, lambda bot: bot.send_message(chat_id, body))
        except TelegramError as error:
            log.warning("broadcast=%d report not delivered: %s", broadcast.id, error)
