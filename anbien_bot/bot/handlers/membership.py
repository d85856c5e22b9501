"""Who the bot talks to: chats joined and left, group upgrades and admins, config channels."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, MessageHandler, filters

from ...config import Config
from ...texts import language_of, text
from .. import groups
from ..services import BotContext, services_of

log = logging.getLogger(__name__)

_ADMINS = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})
_GONE = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})
_GROUPS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})


def register(app: Application, config: Config) -> None:
    """Add the membership handlers to the application."""
    groups.add(
        app,
        ChatMemberHandler(track_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, follow_migration),
    )


async def sync_config_channels(app: Application) -> None:
    """Make the chats listed in telegram.channels subscribers of exactly their categories."""
    svc = services_of(app)
    every = tuple(c.key for c in svc.config.categories)
    await svc.store.sync_config_channels(
        [(c.chat_id, c.categories or every) for c in svc.config.telegram.channels]
    )


async def may_change(update: Update, context: BotContext) -> bool:
    """Return whether whoever sent this update may change the chat's subscriptions.

    Anyone may in a private chat; in a group only its admins, including an anonymous admin
    writing as the group itself (sender_chat). When Telegram cannot say, the answer is no.
    """
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if chat.type not in _GROUPS:
        return False
    message = update.message or update.edited_message  # not the bot's own, under a button
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as error:
        log.warning("chat=%d admin check failed: %s", chat.id, error)
        return False
    return member.status in _ADMINS


async def track_membership(update: Update, context: BotContext) -> None:
    """Mark a chat inactive when it blocks or removes the bot, active when the bot is back."""
    change = update.my_chat_member
    if change is None:
        return
    store = context.services.store
    gone = _is_gone(change)
    # A chat the bot never knew has no row to update; set_active changes nothing then.
    await store.set_active(change.chat.id, not gone)
    log.info(
        "chat=%d type=%s bot is %s",
        change.chat.id,
        change.chat.type,
        change.new_chat_member.status,
    )
    if not gone and _joined(change) and change.chat.type in _GROUPS:
        await _welcome(change.chat, change, context)


async def follow_migration(update: Update, context: BotContext) -> None:
    """Move a group that became a supergroup to its new chat id, keeping its subscriptions."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = update.effective_chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, update.effective_chat.id
    else:
        return
    await context.services.store.migrate_chat(old, new)
    log.info("chat=%d migrated to %d", old, new)


def _is_gone(change: ChatMemberUpdated) -> bool:
    """Return whether the bot is no longer in the chat (blocked, kicked or left)."""
    member = change.new_chat_member
    if member.status == ChatMemberStatus.RESTRICTED:
        return not getattr(member, "is_member", True)
    return member.status in _GONE


def _joined(change: ChatMemberUpdated) -> bool:
    """Return whether the bot has just come into the chat (it was not there before)."""
    return change.old_chat_member.status in _GONE


async def _welcome(chat: Chat, change: ChatMemberUpdated, context: BotContext) -> None:
    """Tell a group the bot just joined how its admins choose what it receives."""
    lang = language_of(change.from_user.language_code if change.from_user else None)
    try:
        portal = context.services.config.bot.portal(lang)
        await context.bot.send_message(chat.id, text(lang, "group_welcome", portal=portal))
    except TelegramError as error:
        # Some groups let the bot in but not speak; it still serves them once subscribed.
        log.warning("chat=%d welcome not sent: %s", chat.id, error)
