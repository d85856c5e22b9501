"""Residents' comfort: keyword alerts (/alert, /alerts) and the /settings menu.

The menu switches between each post at once and a daily digest at a chosen hour, sets
quiet hours, and chooses the language of the chat's messages. Answers come in the chat's
chosen language, else its Telegram client's. In a group only its admins change anything.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from ...config import Config
from ...delivery.alerts import MAX_ALERTS, MAX_LENGTH, MAX_WORDS, index_key, query_words
from ...delivery.planner import DIGEST_HOURS, QUIET_CHOICES, slot_for
from ...models import QuietHours
from ...store.preferences import AlertAdded, ChatSettings
from ...text.dates import utcnow
from ...texts import Lang, language_of, plain, text
from .. import groups
from ..services import BotContext, Services
from .language import language
from .membership import may_change

log = logging.getLogger(__name__)

ALERT_PREFIX = "alert:del:"
SETTINGS_PREFIX = "set:"
CHECK = "✅"


def register(app: Application, config: Config) -> None:
    """Add the alert commands, the settings menu and their buttons to the application."""
    groups.add(
        app,
        CommandHandler(("alert", "theodoi"), alert),
        CommandHandler("alerts", alerts),
        CommandHandler(("settings", "caidat"), settings),
        CallbackQueryHandler(remove_alert, pattern=r"^alert:del:"),
        CallbackQueryHandler(change_setting, pattern=r"^set:"),
    )


# -- alerts ----------------------------------------------------------------------------------


async def alert(update: Update, context: BotContext) -> None:
    """Add the words after the command as an alert, or explain how."""
    message, chat, svc = update.effective_message, update.effective_chat, context.services
    if message is None or chat is None:
        return
    lang = await language(update, context)
    typed = " ".join(context.args or ())
    words = query_words(typed)
    if not words:
        await message.reply_text(text(lang, "alert_usage"))
        return
    if len(words) > MAX_WORDS or len(typed) > MAX_LENGTH:
        await message.reply_text(text(lang, "alert_too_long", words=MAX_WORDS, chars=MAX_LENGTH))
        return
    if not await may_change(update, context):
        await message.reply_text(text(lang, "not_group_admin"))
        return
    await svc.store.activate_chat(chat.id, chat.type, lang)
    added = await svc.store.add_alert(
        chat.id, words, utcnow(), key=index_key(words), limit=MAX_ALERTS
    )
    shown = " ".join(words)
    if added is AlertAdded.FULL:
        await message.reply_text(text(lang, "alert_full", limit=MAX_ALERTS))
    elif added is AlertAdded.EXISTS:
        await message.reply_text(text(lang, "alert_exists", words=shown))
    else:
        await message.reply_text(text(lang, "alert_added", words=shown))


async def alerts(update: Update, context: BotContext) -> None:
    """List the chat's alerts, each a button that removes it."""
    message, chat, svc = update.effective_message, update.effective_chat, context.services
    if message is None or chat is None:
        return
    lang = await language(update, context)
    if not await svc.store.alerts(chat.id):
        await message.reply_text(text(lang, "alerts_none"))
        return
    await message.reply_text(
        text(lang, "alerts_header"), reply_markup=await _alert_keyboard(svc, chat.id)
    )


async def remove_alert(update: Update, context: BotContext) -> None:
    """Remove the pressed alert and redraw the list in place."""
    query, chat, svc = update.callback_query, update.effective_chat, context.services
    if query is None or chat is None:
        return
    lang = await language(update, context)
    ident = str(query.data).removeprefix(ALERT_PREFIX)
    if not ident.isdigit():
        await query.answer(plain(text(lang, "button_invalid")))
        return
    if not await may_change(update, context):
        await query.answer(plain(text(lang, "not_group_admin")), show_alert=True)
        return
    alert_id = int(ident)
    known = {a.id: a.words for a in await svc.store.alerts(chat.id)}
    removed = alert_id in known and await svc.store.remove_alert(chat.id, alert_id)
    if removed:
        await query.answer(plain(text(lang, "toast_alert_removed", words=known[alert_id])))
    else:
        await query.answer(plain(text(lang, "button_invalid")))
    if await svc.store.alerts(chat.id):
        await _edit(query, text(lang, "alerts_header"), await _alert_keyboard(svc, chat.id))
    else:
        await _edit(query, text(lang, "alerts_none"), None)


async def _alert_keyboard(svc: Services, chat_id: int) -> InlineKeyboardMarkup:
    """Return one ❌ button per alert of the chat."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"❌ {a.words}", callback_data=f"{ALERT_PREFIX}{a.id}")]
            for a in await svc.store.alerts(chat_id)
        ]
    )


# -- settings --------------------------------------------------------------------------------


async def settings(update: Update, context: BotContext) -> None:
    """Show the chat's settings with the buttons that change them."""
    message, chat, svc = update.effective_message, update.effective_chat, context.services
    if message is None or chat is None:
        return
    lang = await language(update, context)
    chosen = await svc.store.chat_settings(chat.id)
    await message.reply_text(_summary(lang, chosen), reply_markup=_main_keyboard(lang, chosen))


async def change_setting(update: Update, context: BotContext) -> None:
    """Apply the pressed settings button, or open one of its pickers, and redraw in place."""
    query, chat, svc = update.callback_query, update.effective_chat, context.services
    if query is None or chat is None:
        return
    lang = await language(update, context)
    action = str(query.data).removeprefix(SETTINGS_PREFIX)
    if action in ("digest", "quiet", "home"):
        await query.answer()
        await _show_page(query, lang, await svc.store.chat_settings(chat.id), action)
        return
    change = _parse_change(action)
    if change is None:
        await query.answer(plain(text(lang, "button_invalid")))
        return
    if not await may_change(update, context):
        await query.answer(plain(text(lang, "not_group_admin")), show_alert=True)
        return
    await svc.store.activate_chat(chat.id, chat.type, lang)
    kind, value = change
    now = utcnow()
    if kind == "digest":
        hour = value if isinstance(value, int) else None
        await svc.store.set_digest(chat.id, hour, now, replan=slot_for)
    elif kind == "quiet":
        quiet = value if isinstance(value, QuietHours) else None
        await svc.store.set_quiet_hours(chat.id, quiet, now, replan=slot_for)
    else:
        await svc.store.set_language(chat.id, str(value), now)
        lang = language_of(str(value))
    await query.answer(plain(text(lang, "toast_saved")))
    await _show_page(query, lang, await svc.store.chat_settings(chat.id), "home")
    svc.sender.wake()  # waiting posts may have become due


def _parse_change(action: str) -> tuple[str, int | QuietHours | str | None] | None:
    """Return the (setting, value) a button's data asks for, or None if it is not offered."""
    kind, _, value = action.partition(":")
    if kind == "instant" and not value:
        return ("digest", None)
    if kind == "digest" and value.isdigit() and int(value) in DIGEST_HOURS:
        return ("digest", int(value))
    if kind == "quiet" and value == "off":
        return ("quiet", None)
    if kind == "quiet":
        for start, end in QUIET_CHOICES:
            if value == f"{start}-{end}":
                return ("quiet", QuietHours(start * 60, end * 60))
    if kind == "lang" and value in ("vi", "en"):
        return ("lang", value)
    return None


async def _show_page(query: CallbackQuery, lang: Lang, settings: ChatSettings, page: str) -> None:
    """Redraw the settings message as the main menu or one of its pickers."""
    if page == "digest":
        rows = [
            [
                InlineKeyboardButton(
                    _checked(f"{hour:02d}:00", settings.timing.digest_hour == hour),
                    callback_data=f"{SETTINGS_PREFIX}digest:{hour}",
                )
                for hour in DIGEST_HOURS[i : i + 3]
            ]
            for i in range(0, len(DIGEST_HOURS), 3)
        ]
        rows.append([_back(lang)])
        await _edit(query, text(lang, "settings_digest_prompt"), InlineKeyboardMarkup(rows))
    elif page == "quiet":
        choices = [
            (QuietHours(start * 60, end * 60), f"{start}-{end}") for start, end in QUIET_CHOICES
        ]
        rows = [
            [
                InlineKeyboardButton(
                    _checked(quiet.label(), settings.timing.quiet == quiet),
                    callback_data=f"{SETTINGS_PREFIX}quiet:{data}",
                )
            ]
            for quiet, data in choices
        ]
        off = _checked(text(lang, "button_quiet_off"), settings.timing.quiet is None)
        rows.append([InlineKeyboardButton(off, callback_data=f"{SETTINGS_PREFIX}quiet:off")])
        rows.append([_back(lang)])
        await _edit(query, text(lang, "settings_quiet_prompt"), InlineKeyboardMarkup(rows))
    else:
        await _edit(query, _summary(lang, settings), _main_keyboard(lang, settings))


def _summary(lang: Lang, settings: ChatSettings) -> str:
    """Return the settings message: how posts come, quiet hours, the urgent exception."""
    timing = settings.timing
    mode = (
        text(lang, "mode_instant")
        if timing.digest_hour is None
        else text(lang, "mode_digest", hour=f"{timing.digest_hour:02d}:00")
    )
    quiet = text(lang, "quiet_none") if timing.quiet is None else timing.quiet.label()
    return text(lang, "settings_header", mode=mode, quiet=quiet)


def _main_keyboard(lang: Lang, settings: ChatSettings) -> InlineKeyboardMarkup:
    """Return the main settings buttons, ✅ on the current choices."""
    timing = settings.timing
    quiet = text(lang, "quiet_none") if timing.quiet is None else timing.quiet.label()
    instant = timing.digest_hour is None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _checked(plain(text(lang, "button_instant")), instant),
                    callback_data=f"{SETTINGS_PREFIX}instant",
                ),
                InlineKeyboardButton(
                    _checked(plain(text(lang, "button_digest")), not instant),
                    callback_data=f"{SETTINGS_PREFIX}digest",
                ),
            ],
            [
                InlineKeyboardButton(
                    plain(text(lang, "button_quiet", quiet=quiet)),
                    callback_data=f"{SETTINGS_PREFIX}quiet",
                )
            ],
            [
                InlineKeyboardButton(
                    _checked(plain(text(lang, f"button_lang_{code}")), lang == code),
                    callback_data=f"{SETTINGS_PREFIX}lang:{code}",
                )
                for code in ("vi", "en")
            ],
        ]
    )


def _back(lang: Lang) -> InlineKeyboardButton:
    """Return the button back to the main settings menu."""
    return InlineKeyboardButton(plain(text(lang, "button_back")), callback_data="set:home")


def _checked(label: str, on: bool) -> str:
    """Return a button label with ✅ when it is the current choice."""
    return f"{CHECK} {label}" if on else label


async def _edit(query: CallbackQuery, html_text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message's text and buttons; an unchanged message is no error."""
    try:
        await query.edit_message_text(html_text, reply_markup=markup)
    except BadRequest as error:
        log.info("settings message not redrawn: %s", error)
