"""/broadcast: an admin's announcement, previewed exactly as residents get it, sent by the outbox.

The admin writes the text after /broadcast, or sends a photo whose caption starts with it, or
replies to a message with it. Its formatting is kept as Telegram HTML built from the message's
own entities, so nothing is escaped by hand and nothing Telegram would refuse gets in. The
bot sends that very message back as the preview, then a control message to choose the
audience and Send or Discard. Send queues one outbox row per recipient (store.start_broadcast,
one unit of work), and the sender delivers them with the same pacing and fault handling as
posts, across restarts. The control message then shows the progress until the final report.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
from collections.abc import Sequence

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from ...config import Config
from ...delivery.render import CAPTION_LIMIT, TEXT_LIMIT, visible_length
from ...store.broadcasts import (
    AUDIENCE_ADMIN,
    AUDIENCE_ALL,
    Broadcast,
    category_audience,
)
from ...texts import Lang, plain, text
from .. import groups
from ..reports import audience_name
from ..services import BotContext, Services, running_services, services_of
from .admin import admit, is_admin
from .language import language

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/broadcast(?:@\w+)?(?=\s|$)", re.IGNORECASE)
_DATA = re.compile(r"^bc:(\d{1,12}):(all|me|send|discard|stop|c:[a-z0-9_-]{1,32})$")
# What an announcement keeps of the admin's formatting: what every client shows. Custom
# emoji and dates need more than a plain bot may send; they stay as their plain text.
_KEPT = frozenset(
    {
        MessageEntity.BOLD,
        MessageEntity.ITALIC,
        MessageEntity.UNDERLINE,
        MessageEntity.STRIKETHROUGH,
        MessageEntity.SPOILER,
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.TEXT_MENTION,
        MessageEntity.BLOCKQUOTE,
        MessageEntity.EXPANDABLE_BLOCKQUOTE,
    }
)


def register(app: Application, config: Config) -> None:
    """Add /broadcast (as text, photo caption or reply), /cancel and the control buttons."""
    # New messages only: editing the /broadcast message must not make a second draft.
    fresh = filters.UpdateType.MESSAGE
    groups.add(
        app,
        CommandHandler("broadcast", broadcast, fresh),
        MessageHandler(fresh & filters.PHOTO & filters.CaptionRegex(_COMMAND), broadcast),
        CommandHandler("cancel", cancel),
        CallbackQueryHandler(press, pattern=r"^bc:"),
    )


async def resume_progress(app: Application) -> None:
    """Resume the progress of broadcasts a restart interrupted (the sender resumes the sends)."""
    svc = services_of(app)
    for sending in await svc.store.broadcasts_with_status("sending"):
        svc.progress.follow(sending.id)


async def stop_progress(app: Application) -> None:
    """Stop following progress; the rows themselves stay in the outbox."""
    svc = running_services(app)
    if svc is not None:
        await svc.progress.stop()


# -- composing -------------------------------------------------------------------------------


def announcement_html(
    message: Message, body: str, entities: Sequence[MessageEntity], skip: int
) -> str:
    """Return body (after its first ``skip`` characters) as Telegram HTML with its formatting.

    ``skip`` covers a leading command and the blanks after it, ASCII and spaces only, so
    characters and Telegram's UTF-16 offsets agree on it.
    """
    kept = []
    for entity in entities:
        if entity.type not in _KEPT:
            continue
        start, end = max(entity.offset - skip, 0), entity.offset + entity.length - skip
        if end <= start:
            continue
        # PTB writes a link's URL into href as it is: escape it, so "&" stays valid HTML.
        url = html.escape(entity.url, quote=True) if entity.url else None
        kept.append(MessageEntity(entity.type, start, end - start, url=url, user=entity.user))
    rest = Message(message.message_id, message.date, message.chat, text=body[skip:], entities=kept)
    return rest.text_html or ""


def _skip_command(body: str) -> int:
    """Return how many leading characters are the /broadcast command and the blanks after it."""
    match = _COMMAND.match(body)
    if match is None:
        return 0
    return len(body) - len(body[match.end() :].lstrip())


def _content(message: Message) -> tuple[str, Sequence[MessageEntity], str | None] | None:
    """Return a message's text or caption, their entities and photo; None for other media."""
    if message.photo:
        return message.caption or "", message.caption_entities, message.photo[-1].file_id
    if message.text is not None:
        return message.text, message.entities, None
    return None


async def broadcast(update: Update, context: BotContext) -> None:
    """Preview an admin's announcement as residents will see it and offer the audience choice."""
    if not await admit(update, context):
        return
    message, lang = update.effective_message, await language(update, context)
    if message is None or message.from_user is None:
        return
    content = _content(message)
    if content is None:
        return
    body, entities, photo = content
    skip = _skip_command(body)
    reply = message.reply_to_message
    if not body[skip:].strip() and photo is None and reply is not None:
        content = _content(reply)
        if content is None:
            await message.reply_text(text(lang, "broadcast_unsupported"))
            return
        (body, entities, photo), skip = content, 0
    announcement = announcement_html(message, body, entities, skip).strip()
    if not announcement and photo is None:
        await message.reply_text(text(lang, "broadcast_usage"))
        return
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    if visible_length(announcement) > limit:
        await message.reply_text(text(lang, "too_long", limit=limit))
        return
    try:
        await send_announcement(context.bot, message.chat_id, announcement, photo)
    except BadRequest as error:
        await message.reply_text(text(lang, "broadcast_refused", error=error.message))
        return
    store = context.services.store
    broadcast_id = await store.create_broadcast(
        message.from_user.id, message.chat_id, announcement, photo
    )
    log.info(
        "broadcast=%d drafted by admin=%d (%d characters, photo=%s)",
        broadcast_id,
        message.from_user.id,
        visible_length(announcement),
        photo is not None,
    )
    draft = await store.broadcast(broadcast_id)
    assert draft is not None
    prompt, keyboard = await _draft_view(context.services, draft, lang)
    control = await message.reply_text(prompt, reply_markup=keyboard)
    await store.set_broadcast_progress(broadcast_id, control.message_id)


async def send_announcement(bot: Bot, chat_id: int, announcement: str, photo: str | None) -> None:
    """Send an announcement the way the sender sends a broadcast to each resident."""
    if photo is not None:
        await bot.send_photo(chat_id, photo, caption=announcement, parse_mode=ParseMode.HTML)
    else:
        await bot.send_message(chat_id, announcement, parse_mode=ParseMode.HTML)


async def _draft_view(
    svc: Services, broadcast: Broadcast, lang: Lang
) -> tuple[str, InlineKeyboardMarkup]:
    """Return the control message of a draft: its audience and size, and its buttons."""
    config = svc.config
    count = await svc.store.audience_size(broadcast.audience, broadcast.admin_id)
    body = text(
        lang,
        "broadcast_draft",
        id=broadcast.id,
        audience=audience_name(broadcast.audience, config.category_names, lang),
        count=count,
    )
    return body, draft_keyboard(broadcast, config, lang)


def draft_keyboard(broadcast: Broadcast, config: Config, lang: Lang) -> InlineKeyboardMarkup:
    """Return the audience choices (✅ on the chosen one) and Send / Discard."""

    def button(label: str, action: str, audience: str | None = None) -> InlineKeyboardButton:
        chosen = audience is not None and audience == broadcast.audience
        return InlineKeyboardButton(
            f"✅ {label}" if chosen else label, callback_data=f"bc:{broadcast.id}:{action}"
        )

    def label(key: str) -> str:
        return html.unescape(text(lang, key))

    categories = [
        button(c.name, f"c:{c.key}", category_audience(c.key)) for c in config.categories
    ]
    return InlineKeyboardMarkup(
        [
            [button(label("button_all"), "all", AUDIENCE_ALL)],
            *[categories[i : i + 2] for i in range(0, len(categories), 2)],
            [button(label("button_me"), "me", AUDIENCE_ADMIN)],
            [button(label("button_send"), "send"), button(label("button_discard"), "discard")],
        ]
    )


# -- buttons and /cancel ---------------------------------------------------------------------


async def press(update: Update, context: BotContext) -> None:
    """Act on a control button: choose the audience, send, discard or stop; admins only."""
    query, lang = update.callback_query, await language(update, context)
    if query is None:
        return
    svc = context.services
    if not is_admin(update, svc.config):
        log.info("broadcast button refused: user=%d data=%r", query.from_user.id, query.data)
        await query.answer(plain(text(lang, "admin_only")), show_alert=True)
        return
    match = _DATA.match(query.data or "")
    broadcast = None if match is None else await svc.store.broadcast(int(match[1]))
    if match is None or broadcast is None:
        await query.answer(plain(text(lang, "button_invalid")))
        return
    action = match[2]
    if action == "send":
        await _send(query, svc, broadcast, lang)
    elif action == "discard":
        await _discard(query, svc, broadcast, lang)
    elif action == "stop":
        if await svc.store.cancel_broadcast(broadcast.id) != "sending":
            await query.answer(plain(text(lang, "toast_already")))
            return
        log.info("broadcast=%d stopped by admin=%d", broadcast.id, query.from_user.id)
        svc.progress.poke(broadcast.id)
        await query.answer(plain(text(lang, "toast_stopping")))
    else:
        await _choose(query, svc, broadcast, action, lang)


async def _choose(
    query: CallbackQuery, svc: Services, broadcast: Broadcast, action: str, lang: Lang
) -> None:
    """Set a draft's audience and redraw its control message."""
    names = svc.config.category_names
    audience = {"all": AUDIENCE_ALL, "me": AUDIENCE_ADMIN}.get(action)
    if audience is None:
        key = action.removeprefix("c:")
        audience = category_audience(key) if key in names else None
    if audience is None:
        await query.answer(plain(text(lang, "button_invalid")))
        return
    if not await svc.store.set_broadcast_audience(broadcast.id, audience):
        await query.answer(plain(text(lang, "toast_already")))
        return
    chosen = await svc.store.broadcast(broadcast.id)
    assert chosen is not None
    body, keyboard = await _draft_view(svc, chosen, lang)
    with contextlib.suppress(BadRequest):  # pressed twice: "message is not modified"
        await query.edit_message_text(body, reply_markup=keyboard)
    name = audience_name(audience, names, lang)
    await query.answer(plain(text(lang, "toast_audience", audience=name)))


async def _send(query: CallbackQuery, svc: Services, broadcast: Broadcast, lang: Lang) -> None:
    """Queue a draft for its audience, once however often Send is pressed."""
    queued = await svc.store.start_broadcast(broadcast.id)
    if queued is None:
        await query.answer(plain(text(lang, "toast_already")))
        return
    if queued == 0:
        await query.answer(plain(text(lang, "toast_nobody")), show_alert=True)
        return
    log.info(
        "broadcast=%d sending by admin=%d audience=%s recipients=%d",
        broadcast.id,
        query.from_user.id,
        broadcast.audience,
        queued,
    )
    svc.sender.wake()
    await query.answer(plain(text(lang, "toast_sending", count=queued)))
    svc.progress.follow(broadcast.id)


async def _discard(query: CallbackQuery, svc: Services, broadcast: Broadcast, lang: Lang) -> None:
    """Drop a draft and say so in its control message."""
    if await svc.store.cancel_broadcast(broadcast.id) != "draft":
        await query.answer(plain(text(lang, "toast_already")))
        return
    log.info("broadcast=%d discarded", broadcast.id)
    await query.answer()
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text(lang, "broadcast_discarded", id=broadcast.id))


async def cancel(update: Update, context: BotContext) -> None:
    """Stop every broadcast being sent and discard the admin's drafts."""
    if not await admit(update, context):
        return
    message, lang, user = (
        update.effective_message,
        await language(update, context),
        update.effective_user,
    )
    if message is None or user is None:
        return
    svc = context.services
    store = svc.store
    sending = await store.broadcasts_with_status("sending")
    drafts = [b for b in await store.broadcasts_with_status("draft") if b.admin_id == user.id]
    if not sending and not drafts:
        await message.reply_text(text(lang, "nothing_to_cancel"))
        return
    for broadcast in sending:
        if await store.cancel_broadcast(broadcast.id) == "sending":
            log.info("broadcast=%d stopped by admin=%d", broadcast.id, user.id)
            svc.progress.poke(broadcast.id)  # its final report says what went out
    for broadcast in drafts:
        if await store.cancel_broadcast(broadcast.id) == "draft":
            log.info("broadcast=%d discarded by admin=%d", broadcast.id, user.id)
            await _retire_control(context.bot, broadcast)
            await message.reply_text(text(lang, "broadcast_discarded", id=broadcast.id))


async def _retire_control(bot: Bot, broadcast: Broadcast) -> None:
    """Take the buttons off a discarded draft's control message."""
    if broadcast.chat_id is None or broadcast.progress_message_id is None:
        return
    with contextlib.suppress(TelegramError):
        await bot.edit_message_reply_markup(broadcast.chat_id, broadcast.progress_message_id)
