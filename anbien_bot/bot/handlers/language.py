"""Which language to answer an update in."""

from __future__ import annotations

from telegram import Update

from ...texts import Lang, language_of
from ..services import BotContext


async def language(update: Update, context: BotContext) -> Lang:
    """Return the chat's language chosen in /settings, else that of the sender's Telegram."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        chosen = (await context.services.store.chat_settings(chat.id)).language
        if chosen is not None:
            return language_of(chosen)
    return language_of(user.language_code if user else None)
