"""Reading an article in full inside Telegram: the "📖 Đọc toàn văn" button under posts,
search results and /latest, and the "Trang sau ›" buttons under a long article's pages.

A press sends that page to the chat it came from (delivery/reader.py does the sending, in
the background and paced); the answer to the press says so, or why not in a few words: the
article is gone, the page does not exist, the button is not one of ours.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from ...config import Config
from ...delivery.reading import CALLBACK_PATTERN, parse_reading_callback
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
    """Send the page a reading button names to the chat it was pressed in; always answer."""
    press, lang = update.callback_query, await language(update, context)
    if press is None:
        return
    parsed = parse_reading_callback(press.data)
    # A button under an inline message has no chat: the page goes to whoever pressed it.
    chat = update.effective_chat or update.effective_user
    if parsed is None or chat is None:
        await press.answer(plain(text(lang, "button_invalid")))
        return
    article_id, page, note = parsed
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
