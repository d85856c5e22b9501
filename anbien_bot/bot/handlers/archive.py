"""Searching the archive from Telegram: /search (/timkiem), plain text in a private chat, the
◀ ▶ and category buttons under a result page, and inline mode (``@botname words``).

Result pages are edited in place. The buttons carry a short token, the page and a category
key; the query itself stays in memory (results.RecentSearches), so a button from before a
restart, or a forged one, gets a polite answer and nothing else.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from ...config import Category
from ...delivery.render import render_post
from ...models import Article
from ...store import Store
from ...text.dates import format_vn
from ...text.search import MAX_RESULTS, SearchQuery, parse_query
from ...text.urls import absolute_url
from ...text.vntext import clean_line, cut_at_word
from ...texts import Lang, text
from ..app import services
from ..results import (
    CALLBACK_PATTERN,
    PER_PAGE,
    RecentSearches,
    page_count,
    parse_results_callback,
    render_results,
    results_callback,
)
from .language import language

log = logging.getLogger(__name__)

# Plain text in a private chat is a search. This group runs before the fallback hint (group
# 10, handlers/fallback.py), which then stays silent; a feature that reads plain text in an
# earlier group (a conversation step) keeps it, since search steps aside for those.
SEARCH_GROUP = 5
INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 60
PREVIOUS, NEXT = "◀", "▶"
_RECENT = "recent_searches"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_INLINE_TITLE = 120
_INLINE_DESCRIPTION = 150


def register(app: Application) -> None:
    """Add the search command, private-text search, result buttons and inline mode."""
    app.bot_data[_RECENT] = RecentSearches()
    app.add_handler(CommandHandler(("search", "timkiem"), search_command))
    private_text = (
        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    )
    app.add_handler(MessageHandler(private_text, search_message), group=SEARCH_GROUP)
    app.add_handler(CallbackQueryHandler(turn_page, pattern=CALLBACK_PATTERN))
    app.add_handler(InlineQueryHandler(offer_articles))


async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Search for the words after /search, or say how to."""
    message = update.effective_message
    if message is None:
        return
    typed = " ".join(context.args or ())
    if not typed:
        await message.reply_text(text(await language(update, context), "search_usage"))
        return
    await _reply_results(update, context, typed)


async def search_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Search for what was typed in a private chat, unless an earlier handler took it."""
    message = update.effective_message
    if message is None or not message.text or _taken_earlier(update, context.application):
        return
    await _reply_results(update, context, message.text)


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page (or category) of a search by editing its message; always answer."""
    press, chat, lang = (
        update.callback_query,
        update.effective_chat,
        await language(update, context),
    )
    if press is None:
        return
    svc = services(context)
    parsed = parse_results_callback(press.data)
    typed = None
    if parsed is not None and chat is not None:
        typed = _recent(context).recall(chat.id, parsed[0])
    query = parse_query(typed) if typed else None
    keys = {c.key for c in svc.config.categories}
    if parsed is None or query is None or (parsed[2] is not None and parsed[2] not in keys):
        await press.answer(html.unescape(text(lang, "search_expired")))
        return
    token, page, category = parsed
    body, markup = await compose_results(
        svc.store, svc.config.categories, query, lang, token, page=page, category=category
    )
    await press.answer()
    try:
        await press.edit_message_text(body, reply_markup=markup, link_preview_options=_NO_PREVIEW)
    except BadRequest as error:
        # A double tap asks for the page already shown; anything else leaves the old page.
        if "not modified" not in str(error).lower():
            log.info("chat=%s result page not redrawn: %s", chat.id if chat else None, error)


async def offer_articles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer ``@botname words`` with matching articles to share; no words: the newest."""
    inline = update.inline_query
    if inline is None:
        return
    svc, lang = services(context), await language(update, context)
    offset = int(inline.offset) if inline.offset.isdigit() else 0
    query = parse_query(inline.query)
    # No next_offset means "no more". An empty string would say the same, but PTB 22.8 with
    # Defaults sends any "" parameter as "[]" (ExtBot._insert_defaults takes it for a list).
    next_offset: str | None = None
    if query is None:
        articles = await svc.store.latest(None, INLINE_RESULTS) if offset == 0 else []
    elif offset >= MAX_RESULTS:
        articles = []
    else:
        hits = await svc.store.search(query, offset=offset, limit=INLINE_RESULTS)
        articles = list(hits.articles)
        if offset + len(articles) < hits.total:
            next_offset = str(offset + len(articles))
    names = svc.config.category_names
    await inline.answer(
        [inline_result(article, lang, names) for article in articles],
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=True,  # texts follow the user's language
        next_offset=next_offset,
    )


async def compose_results(
    store: Store,
    categories: Sequence[Category],
    query: SearchQuery,
    lang: Lang,
    token: str,
    *,
    page: int = 1,
    category: str | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return one page of a search as message text and its buttons (None when there are none)."""
    names = {c.key: c.name for c in categories}
    hits = await store.search(
        query, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, category=category
    )
    if not hits.articles and hits.total:
        # A page that no longer exists (fewer matches than when the button was made): the last.
        page = page_count(hits.total)
        hits = await store.search(
            query, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, category=category
        )
    body = render_results(hits, query, page, lang, names, category=category)
    rows: list[list[InlineKeyboardButton]] = []
    arrows = []
    if page > 1:
        arrows.append(_button(PREVIOUS, token, page - 1, category))
    if page < page_count(hits.total):
        arrows.append(_button(NEXT, token, page + 1, category))
    if arrows:
        rows.append(arrows)
    if category is not None:
        rows.append([_button(text(lang, "search_all_categories"), token, 1, None)])
    else:
        offered = [key for key in hits.categories if key in names]
        if len(offered) > 1:
            buttons = [_button(names[key], token, 1, key) for key in offered]
            rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return body, InlineKeyboardMarkup(rows) if rows else None


def inline_result(
    article: Article, lang: Lang, category_names: dict[str, str]
) -> InlineQueryResultArticle:
    """Return an article as an inline result: the post as the bot sends it, link previewed."""
    rendered = render_post(article, lang, category_names)
    url = absolute_url(article.url)
    preview = LinkPreviewOptions(url=url) if url else _NO_PREVIEW
    cats = " · ".join(category_names.get(c, c) for c in article.categories)
    meta = " · ".join(part for part in (format_vn(article.published), cats) if part)
    summary = clean_line(article.summary)
    description = f"{meta}\n{summary}" if summary else meta
    return InlineQueryResultArticle(
        id=str(article.id),
        title=cut_at_word(clean_line(article.title), _INLINE_TITLE) or "…",
        input_message_content=InputTextMessageContent(
            rendered.text, parse_mode=ParseMode.HTML, link_preview_options=preview
        ),
        description=cut_at_word(description, _INLINE_DESCRIPTION),
        thumbnail_url=absolute_url(article.image_url),
    )


async def _reply_results(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> None:
    """Reply with the first page of a search, or with why there is nothing to search."""
    message, chat, lang = (
        update.effective_message,
        update.effective_chat,
        await language(update, context),
    )
    if message is None or chat is None:
        return
    query = parse_query(typed)
    if query is None:
        await message.reply_text(text(lang, "search_no_words"))
        return
    svc = services(context)
    token = _recent(context).remember(chat.id, query.typed)
    body, markup = await compose_results(svc.store, svc.config.categories, query, lang, token)
    await message.reply_text(body, reply_markup=markup, link_preview_options=_NO_PREVIEW)


def _button(label: str, token: str, page: int, category: str | None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=results_callback(token, page, category))


def _recent(context: ContextTypes.DEFAULT_TYPE) -> RecentSearches:
    return context.application.bot_data[_RECENT]


def _taken_earlier(update: Update, app: Application) -> bool:
    """Return whether a handler of a group before SEARCH_GROUP handles this update."""
    for group, handlers in app.handlers.items():
        if 0 <= group < SEARCH_GROUP:
            for handler in handlers:
                check = handler.check_update(update)
                if check is not None and check is not False:
                    return True
    return False
