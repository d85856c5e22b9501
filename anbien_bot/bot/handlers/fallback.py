"""Short, helpful answers to what no feature handles: unknown commands, stray text, old buttons.

These handlers sit in the late handler group FALLBACK_GROUP and answer only when no handler of
the groups 0 … FALLBACK_GROUP-1 takes the update. So a feature that later handles plain text
(search, issue 6) or a new command just registers its handler in group 0 (the default): the
hint then stays silent for what it handles, with no change here.
"""

from __future__ import annotations

import html

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from ...texts import language_of, text

FALLBACK_GROUP = 10


def register(app: Application) -> None:
    """Add the fallback answers in their late handler group."""
    incoming = filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(incoming, answer_unhandled), group=FALLBACK_GROUP)
    app.add_handler(CallbackQueryHandler(answer_stale_button), group=FALLBACK_GROUP)


def taken_elsewhere(update: Update, app: Application) -> bool:
    """Return whether a handler of an earlier (non-negative) group handles the update."""
    for group, handlers in app.handlers.items():
        if 0 <= group < FALLBACK_GROUP:
            for handler in handlers:
                check = handler.check_update(update)
                if check is not None and check is not False:
                    return True
    return False


async def answer_unhandled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an unknown command, or anything but a command in a private chat, with a hint."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or taken_elsewhere(update, context.application):
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


async def answer_stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a press no feature recognises, so the client stops waiting; nothing changes."""
    query = update.callback_query
    if query is None or taken_elsewhere(update, context.application):
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
