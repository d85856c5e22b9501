"""Reading an article in full inside Telegram: the "📖 Đọc toàn văn" button under posts,
search results and /latest, and the "Trang sau ›" buttons under a long article's pages.

A press in a private chat sends that page there (delivery/reader.py does the sending, in
the background and paced); the answer to the press says so, or why not in a few words: the
article is gone, the page does not exist, the button is not one of ours. A press anywhere
else (a channel, a group, an inline message) sends nothing there: a channel's viewers must
not make the bot post albums and files for everyone. Its answer opens the article's deep
link instead, the bot's private chat, where the post comes with its own reading button.
"""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import Application, CallbackQueryHandler

from ...config import Config
from ...delivery.links import bot_username
from ...delivery.reading import CALLBACK_PATTERN, parse_reading_callback
from ...text.deeplinks import article_link
from ...texts import Lang, plain, text
from .. import groups
from ..services import BotContext, Services, running_services
from .language import language


def register(app: Application, config: Config) -> None:
    """Add the reading buttons."""
    groups.add(app, CallbackQueryHandler(read, pattern=CALLBACK_PATTERN))


async def send_reading(
    services: Services, chat_id: int, article_id: int, page: int = 1, lang: Lang = "vi"
) -> str | None:
    """Start sending page ``page`` of an article to chat_id (also for a deep link's /start).

    Return None once the page is on its way, else the reason it is not as a filled text
    (Telegram HTML): the article is not stored, it has no such page, the chat is still
    being sent another page.
    """
    problem = await services.reader.start(chat_id, article_id, page, lang)
    return None if problem is None else text(lang, problem)


async def read(update: Update, context: BotContext) -> None:
    """Send the page a reading button names to the private chat it was pressed in, or
    answer a press anywhere else with the article's deep link; always answer."""
    press, lang = update.callback_query, await language(update, context)
    if press is None:
        return
    parsed = parse_reading_callback(press.data)
    if parsed is None:
        await press.answer(plain(text(lang, "reading_invalid")))
        return
    article_id, page, note = parsed
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:
        # Telegram lets a press open a t.me/<bot>?start= link: the reading goes on privately.
        link = article_link(bot_username(context.bot), article_id)
        if link is None:
            await press.answer(plain(text(lang, "reading_private")))
        else:
            await press.answer(url=link)
        return
    svc = context.services
    if note:  # the page number between the buttons: say where the reader is
        pages = await svc.reader.pages(article_id, lang)
        if pages is None:
            await press.answer(plain(text(lang, "reading_gone")))
        else:
            await press.answer(plain(text(lang, "reading_page_note", page=page, pages=len(pages))))
        return
    problem = await send_reading(svc, chat.id, article_id, page, lang)
    await press.answer(plain(problem or text(lang, "reading_sending")))


async def stop_readings(app: Application) -> None:
    """Stop the pages being sent; a reader presses again after the restart."""
    svc = running_services(app)
    if svc is not None:
        await svc.reader.stop()
