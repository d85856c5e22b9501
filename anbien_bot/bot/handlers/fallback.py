"""Short, helpful answers to what no feature handles: unknown commands, stray text, old buttons.

These handlers sit in the last handler group, groups.FALLBACK, which sees only the updates no
feature and no search took (see groups.py): a feature that later handles plain text or a new
command keeps the hint silent for what it handles, with no change here.
"""

from __future__ import annotations

import html

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from ...config import Config
from ...texts import language_of, text
from .. import groups
from ..services import BotContext


def register(app: Application, config: Config) -> None:
    """Add the fallback answers in the last handler group."""
    incoming = filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(incoming, answer_unhandled), group=groups.FALLBACK)
    app.add_handler(CallbackQueryHandler(answer_stale_button), group=groups.FALLBACK)


async def answer_unhandled(update: Update, context: BotContext) -> None:
    """Answer an unknown command, or anything but a command in a private chat, with a hint."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    user = update.effective_user
    lang = language_of(user.language_code if user else None)
    private = chat.type == ChatType.PRIVATE
    command = _command_of(update)
    if command is not None:
        # In a group a bare /command may be meant for another bot: answer only if named.
        mine = command.lower().endswith(f"@{context.bot.username or ''}".lower())
        if private or mine:
            await message.reply_text(text(lang, "unknown_command"))
    elif private:
        await message.reply_text(text(lang, "use_buttons"))


async def answer_stale_button(update: Update, context: BotContext) -> None:
    """Answer a press no feature recognises, so the client stops waiting; nothing changes."""
    query = update.callback_query
    if query is None:
        return
    lang = language_of(query.from_user.language_code if query.from_user else None)
    await query.answer(html.unescape(text(lang, "button_invalid")))


def _command_of(update: Update) -> str | None:
    """Return the leading /command of a message as typed (with any @botname), or None."""
    message = update.effective_message
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    return message.parse_entity(first)
