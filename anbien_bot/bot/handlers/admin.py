"""The editors' side: who is an admin, their command menu, /stats, /sources and source alerts.

Admins are the user ids in telegram.admins. Their commands answer only them, and only in a
private chat with the bot (in a group the answer would be read by everyone there); anyone
else gets a polite refusal and nothing happens. Broadcasts live in handlers/broadcast.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from ...config import Config
from ...sources.health import Alert, alert_text, due_alerts, source_report
from ...text.dates import utcnow
from ...texts import command_descriptions, language_of, text
from .. import groups
from ..reports import join_blocks, stats_report
from ..services import BotContext, Services, services_of
from .language import language

log = logging.getLogger(__name__)

ADMIN_COMMANDS = ("broadcast", "cancel", "stats", "sources")
CHART_DAYS = 14
RECENT_BROADCASTS = 5
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def register(app: Application, config: Config) -> None:
    """Add /stats and /sources, and the admin menu's second chance on an admin's /start."""
    groups.add(app, CommandHandler("stats", stats), CommandHandler("sources", sources))
    if config.telegram.admins:
        admins = filters.User(user_id=config.telegram.admins) & filters.ChatType.PRIVATE
        # Beside the residents' /start, which greets the admin meanwhile.
        menu = CommandHandler("start", set_missing_menu, admins, block=False)
        app.add_handler(menu, group=groups.ALONGSIDE)


async def set_admin_menus(app: Application) -> None:
    """Give each admin a command menu with the admin commands, in Vietnamese and English."""
    svc = services_of(app)
    for admin_id in svc.config.telegram.admins:
        if not await _set_menu(app, admin_id):
            svc.admins_without_menu.add(admin_id)


async def _set_menu(app: Application, admin_id: int) -> bool:
    """Set one admin's menu; return False (and log why) if Telegram refused."""
    for lang, language_code in (("vi", None), ("en", "en")):
        menu = [BotCommand(c, d) for c, d in command_descriptions(lang)]
        menu += [BotCommand(c, text(lang, f"menu_{c}")) for c in ADMIN_COMMANDS]
        try:
            await app.bot.set_my_commands(
                menu, scope=BotCommandScopeChat(admin_id), language_code=language_code
            )
        except TelegramError as error:
            # An admin who never opened the bot has no chat with it yet ("chat not found");
            # the menu is set again when they send /start.
            log.warning("admin=%d command menu not set: %s", admin_id, error)
            return False
    return True


async def set_missing_menu(update: Update, context: BotContext) -> None:
    """Set an admin's menu on their /start if it could not be set when the bot started."""
    user = update.effective_user
    missing = context.services.admins_without_menu
    if user is not None and user.id in missing and await _set_menu(context.application, user.id):
        missing.discard(user.id)


def is_admin(update: Update, config: Config) -> bool:
    """Return whether the update comes from one of the configured admins."""
    user = update.effective_user
    return user is not None and user.id in config.telegram.admins


async def admit(update: Update, context: BotContext) -> bool:
    """Return whether an admin command may run; if not, say why politely and log it."""
    message, chat = update.effective_message, update.effective_chat
    user, lang = update.effective_user, await language(update, context)
    if not is_admin(update, context.services.config):
        log.info(
            "admin command refused: user=%s chat=%s",
            user.id if user else None,
            chat.id if chat else None,
        )
        if message is not None:
            await message.reply_text(text(lang, "admin_only"))
        return False
    if chat is None or chat.type != ChatType.PRIVATE:
        if message is not None:
            await message.reply_text(text(lang, "admin_private_only"))
        return False
    return True


async def stats(update: Update, context: BotContext) -> None:
    """Show subscribers, deliveries, the archive and the last days as a text chart."""
    if not await admit(update, context) or update.effective_message is None:
        return
    svc, lang, now = context.services, await language(update, context), utcnow()
    store = svc.store
    recent = [
        (b, await store.fanout_report(broadcast_id=b.id))
        for b in await store.recent_broadcasts(RECENT_BROADCASTS)
    ]
    messages = stats_report(
        await store.subscriber_stats(now),
        await store.delivery_stats(now),
        await store.archive_stats(),
        await store.daily_activity(now, CHART_DAYS),
        recent,
        svc.config.category_names,
        lang,
        now,
    )
    for message in messages:
        await update.effective_message.reply_text(message, link_preview_options=_NO_PREVIEW)


async def sources(update: Update, context: BotContext) -> None:
    """Show each configured source's health: successes, errors, items of the week, next poll."""
    if not await admit(update, context) or update.effective_message is None:
        return
    svc, lang = context.services, await language(update, context)
    config = svc.config
    if not config.sources:
        await update.effective_message.reply_text(text(lang, "sources_none"))
        return
    states = {s.name: s for s in await svc.store.source_states()}
    items = await svc.store.source_activity(utcnow() - timedelta(days=7))
    threshold = config.polling.alert_after_failures
    blocks = [text(lang, "sources_title", count=len(config.sources))]
    blocks += [
        source_report(s, states.get(s.name), items.get(s.name, 0), threshold, lang)
        for s in config.sources
    ]
    for message in join_blocks(blocks):
        await update.effective_message.reply_text(message, link_preview_options=_NO_PREVIEW)


async def report_source_health(svc: Services) -> None:
    """Tell every admin once when a source goes down and once when it recovers."""
    config = svc.config
    states = {s.name: s for s in await svc.store.source_states()}
    alerts = due_alerts(
        [s.name for s in config.sources], states, config.polling.alert_after_failures
    )
    for alert in alerts:
        log.warning(
            "source=%r %s: alerting %d admins",
            alert.source,
            _what_happened(alert),
            len(config.telegram.admins),
        )
        for admin_id in config.telegram.admins:
            await _alert_admin(svc, admin_id, alert)
        # Recorded after the attempt: a crash in between repeats an alert, never loses one.
        if alert.fields:
            await svc.store.set_source_degraded(alert.source, alert.fields if alert.down else ())
        else:
            await svc.store.set_source_alerted(alert.source, alert.down)


def _what_happened(alert: Alert) -> str:
    """Return what an alert tells, for the log."""
    if alert.fields:
        state = "articles lack" if alert.down else "articles have again"
        return f"{state} {', '.join(alert.fields)}"
    return "is down" if alert.down else "recovered"


async def _alert_admin(svc: Services, admin_id: int, alert: Alert) -> None:
    """Send one admin a source alert in their language, paced like every message to them."""
    chat = await svc.store.chat(admin_id)
    body = alert_text(alert, language_of(chat.language if chat else None))
    try:
        await svc.sender.paced(admin_id, lambda bot: bot.send_message(admin_id, body))
    except TelegramError as error:
        log.warning("admin=%d source alert not delivered: %s", admin_id, error)
