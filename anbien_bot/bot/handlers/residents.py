"""The conversation with residents: greeting, choosing categories, latest posts, leaving.

Every command answers in the language of whoever sent it (English for Telegram users whose
language is English, Vietnamese otherwise). In a group anyone may look, but only the group's
admins may change what it receives (see membership.may_change).
"""

from __future__ import annotations

import logging

from telegram import BotCommand, Chat, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from ...config import Config
from ...delivery.render import render_post_list
from ...text.vntext import cut_at_word
from ...texts import Lang, command_descriptions, plain, text
from .. import groups
from ..categories import category_names, find_category, means_all
from ..keyboards import CATEGORY_PATTERN, category_keyboard, category_of, reading_rows
from ..services import BotContext, Services
from .deeplinks import archive_links
from .language import language
from .membership import may_change

log = logging.getLogger(__name__)

LATEST_COUNT = 5
_ECHO_LIMIT = 60  # how much of an unknown category name is repeated back
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def register(app: Application, config: Config) -> None:
    """Add the residents' commands and the category keyboard to the application."""
    groups.add(
        app,
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler(("categories", "chuyenmuc"), categories),
        CommandHandler("subscribe", subscribe),
        CommandHandler("unsubscribe", unsubscribe),
        CommandHandler("mysubs", mysubs),
        CommandHandler(("latest", "moinhat"), latest),
        CommandHandler(("stop", "huy"), stop),
        CallbackQueryHandler(toggle_category, pattern=CATEGORY_PATTERN),
    )


async def set_command_menu(app: Application) -> None:
    """Register the command menu: Vietnamese by default, English for English-language users."""
    for lang, language_code in (("vi", None), ("en", "en")):
        menu = [BotCommand(c, d) for c, d in command_descriptions(lang)]
        try:
            await app.bot.set_my_commands(menu, language_code=language_code)
        except TelegramError as error:
            # The menu is a convenience: the bot serves without it.
            log.warning("setMyCommands (%s) failed: %s", lang, error)


async def start(update: Update, context: BotContext) -> None:
    """Greet, record the chat as active (old choices kept) and show the category keyboard."""
    message, chat, lang = (
        update.effective_message,
        update.effective_chat,
        await language(update, context),
    )
    if message is None or chat is None:
        return
    svc = context.services
    if await may_change(update, context):
        await svc.store.activate_chat(chat.id, chat.type, lang)
    user = update.effective_user
    name = chat.title if message.sender_chat or user is None else user.first_name
    await message.reply_text(
        text(lang, "start", name=name or "", portal=svc.config.bot.portal(lang))
    )
    await _send_keyboard(update, svc, lang)


async def help_command(update: Update, context: BotContext) -> None:
    """Show the commands and the privacy note."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(text(await language(update, context), "help"))


async def categories(update: Update, context: BotContext) -> None:
    """Show the category keyboard with ✅ on the chat's subscriptions."""
    await _send_keyboard(update, context.services, await language(update, context))


async def subscribe(update: Update, context: BotContext) -> None:
    """Subscribe to the category named after the command, or show the keyboard."""
    choice = await _chosen_category(update, context)
    if choice is None:
        return
    svc, chat, lang, key = choice
    message = update.effective_message
    await svc.store.activate_chat(chat.id, chat.type, lang)
    if key is None:
        await svc.store.subscribe(chat.id, [c.key for c in svc.config.categories])
        await _reply_subscriptions(update, svc, lang)
        return
    added = await svc.store.subscribe(chat.id, [key])
    name = svc.config.category_names[key]
    await message.reply_text(
        text(lang, "subscribed" if added else "already_subscribed", category=name)
    )


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Unsubscribe from the category named after the command (or all), or show the keyboard."""
    choice = await _chosen_category(update, context)
    if choice is None:
        return
    svc, chat, lang, key = choice
    message = update.effective_message
    if key is None:
        await svc.store.unsubscribe(chat.id)
        await message.reply_text(text(lang, "unsubscribed_all"))
        return
    removed = await svc.store.unsubscribe(chat.id, [key])
    name = svc.config.category_names[key]
    await message.reply_text(
        text(lang, "unsubscribed" if removed else "not_subscribed", category=name)
    )


async def _chosen_category(
    update: Update, context: BotContext
) -> tuple[Services, Chat, Lang, str | None] | None:
    """Return the category (None: all) named after a command the chat may act on.

    Answers the chat itself, and returns None, when there is nothing to act on: no name
    (the keyboard is shown), an unknown name, or a group member who is not its admin.
    """
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return None
    svc, lang = context.services, await language(update, context)
    typed = " ".join(context.args or ())
    if not typed:
        await _send_keyboard(update, svc, lang)
        return None
    key = find_category(typed, svc.config.categories)
    if key is None and not means_all(typed):
        await message.reply_text(text(lang, "unknown_category", name=_echo(typed)))
        return None
    if not await may_change(update, context):
        await message.reply_text(text(lang, "not_group_admin"))
        return None
    return svc, chat, lang, key


async def mysubs(update: Update, context: BotContext) -> None:
    """List the categories the chat receives."""
    await _reply_subscriptions(update, context.services, await language(update, context))


async def latest(update: Update, context: BotContext) -> None:
    """Show the newest posts, of one category or of all, as one list message; each title
    opens the archived copy, the original page beside it while it lives."""
    message, lang = update.effective_message, await language(update, context)
    if message is None:
        return
    svc, typed = context.services, " ".join(context.args or ())
    key = find_category(typed, svc.config.categories) if typed else None
    if typed and key is None and not means_all(typed):
        await message.reply_text(text(lang, "unknown_category", name=_echo(typed)))
        return
    articles = await svc.store.latest(key, LATEST_COUNT)
    names = svc.config.category_names
    header = (
        text(lang, "latest_header")
        if key is None
        else text(lang, "latest_header_category", category=names[key])
    )
    links = await archive_links(context, articles)
    await message.reply_text(
        render_post_list(articles, lang, names, header=header, links=links),
        link_preview_options=_NO_PREVIEW,
        reply_markup=InlineKeyboardMarkup(reading_rows(articles, lang)) if articles else None,
    )


async def stop(update: Update, context: BotContext) -> None:
    """Stop every message to the chat and delete what the bot keeps about it."""
    message, chat, lang = (
        update.effective_message,
        update.effective_chat,
        await language(update, context),
    )
    if message is None or chat is None:
        return
    if not await may_change(update, context):
        await message.reply_text(text(lang, "not_group_admin"))
        return
    await context.services.store.forget_chat(chat.id)
    log.info("chat=%d forgotten on request", chat.id)
    await message.reply_text(text(lang, "stopped"))


async def toggle_category(update: Update, context: BotContext) -> None:
    """Toggle the pressed category and redraw the keyboard in place; always answer the press."""
    query, chat, lang = (
        update.callback_query,
        update.effective_chat,
        await language(update, context),
    )
    if query is None:
        return
    svc = context.services
    key = category_of(query.data, svc.config.categories)
    if key is None or chat is None:
        await query.answer(plain(text(lang, "button_invalid")))
        return
    if not await may_change(update, context):
        await query.answer(plain(text(lang, "not_group_admin")), show_alert=True)
        return
    await svc.store.activate_chat(chat.id, chat.type, lang)
    on = await svc.store.toggle_subscription(chat.id, key)
    name = svc.config.category_names[key]
    toast = text(lang, "toast_subscribed" if on else "toast_unsubscribed", category=name)
    await query.answer(plain(toast))
    subscribed = await svc.store.subscriptions(chat.id)
    try:
        await query.edit_message_reply_markup(category_keyboard(svc.config.categories, subscribed))
    except BadRequest as error:
        # The choice is stored; a keyboard too old to edit only looks stale.
        log.info("chat=%d keyboard not redrawn: %s", chat.id, error)


async def _send_keyboard(update: Update, svc: Services, lang: Lang) -> None:
    """Send the category keyboard for the update's chat."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    subscribed = await svc.store.subscriptions(chat.id)
    await message.reply_text(
        text(lang, "categories_prompt"),
        reply_markup=category_keyboard(svc.config.categories, subscribed),
    )


async def _reply_subscriptions(update: Update, svc: Services, lang: Lang) -> None:
    """Answer with the chat's categories, in config order."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    names = category_names(await svc.store.subscriptions(chat.id), svc.config.categories)
    if not names:
        await message.reply_text(text(lang, "no_subscriptions"))
        return
    listing = "\n".join(f"• {name}" for name in names)
    await message.reply_text(text(lang, "my_subscriptions", categories=listing))


def _echo(typed: str) -> str:
    """Return what the user typed, short enough to repeat back."""
    return cut_at_word(" ".join(typed.split()), _ECHO_LIMIT)
