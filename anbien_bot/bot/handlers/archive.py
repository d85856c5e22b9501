"""Searching the archive from Telegram: /search (/timkiem), plain text in a private chat, the
◀ ▶ and category buttons under a result page, and inline mode (``@botname words``).

Result pages are edited in place. The buttons carry a short token, the page and a category
key; the query itself stays in memory (results.RecentSearches), so a button from before a
restart, or a forged one, gets a polite answer and nothing else.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Awaitable, Callable, Sequence

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
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from ...config import Category, Config
from ...delivery.links import NO_LINKS, ArticleLinks, bot_username
from ...delivery.render import render_post
from ...models import Article
from ...store import Store
from ...text.dates import format_vn
from ...text.deeplinks import article_link
from ...text.search import MAX_RESULTS, SearchQuery, parse_query
from ...text.urls import absolute_url
from ...text.vntext import clean_line, cut_at_word
from ...texts import Lang, plain, text
from .. import groups
from ..keyboards import reading_rows
from ..results import (
    CALLBACK_PATTERN,
    PER_PAGE,
    page_count,
    parse_results_callback,
    render_results,
    results_callback,
)
from ..services import BotContext
from .deeplinks import archive_links
from .language import language

log = logging.getLogger(__name__)

INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 60
PREVIOUS, NEXT = "◀", "▶"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_INLINE_TITLE = 120
_INLINE_DESCRIPTION = 150

LinksFor = Callable[[Sequence[Article]], Awaitable[ArticleLinks]]  # the links of a page


def register(app: Application, config: Config) -> None:
    """Add the search command, private-text search, result buttons and inline mode."""
    groups.add(
        app,
        CommandHandler(("search", "timkiem"), search),
        CallbackQueryHandler(turn_page, pattern=CALLBACK_PATTERN),
        InlineQueryHandler(offer_articles),
    )
    # Plain text in a private chat is a search, unless a feature took it (see groups.py).
    private_text = (
        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    )
    groups.add(app, MessageHandler(private_text, search_message), group=groups.SEARCH)


async def search(update: Update, context: BotContext) -> None:
    """Search for the words after /search, or say how to."""
    message = update.effective_message
    if message is None:
        return
    typed = " ".join(context.args or ())
    if not typed:
        await message.reply_text(text(await language(update, context), "search_usage"))
        return
    await _reply_results(update, context, typed)


async def search_message(update: Update, context: BotContext) -> None:
    """Search for what was typed in a private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await _reply_results(update, context, message.text)


async def turn_page(update: Update, context: BotContext) -> None:
    """Show another page (or category) of a search by editing its message; always answer."""
    press, chat, lang = (
        update.callback_query,
        update.effective_chat,
        await language(update, context),
    )
    if press is None:
        return
    svc = context.services
    parsed = parse_results_callback(press.data)
    typed = None
    if parsed is not None and chat is not None:
        typed = context.services.searches.recall(chat.id, parsed[0])
    query = parse_query(typed) if typed else None
    keys = {c.key for c in svc.config.categories}
    if parsed is None or query is None or (parsed[2] is not None and parsed[2] not in keys):
        await press.answer(html.unescape(text(lang, "search_expired")))
        return
    token, page, category = parsed
    body, markup = await compose_results(
        svc.store,
        svc.config.categories,
        query,
        lang,
        token,
        page=page,
        category=category,
        links=functools.partial(archive_links, context),
    )
    await press.answer()
    try:
        await press.edit_message_text(body, reply_markup=markup, link_preview_options=_NO_PREVIEW)
    except BadRequest as error:
        # A double tap asks for the page already shown; anything else leaves the old page.
        if "not modified" not in str(error).lower():
            log.info("chat=%s result page not redrawn: %s", chat.id if chat else None, error)


async def offer_articles(update: Update, context: BotContext) -> None:
    """Answer ``@botname words`` with matching articles to share; no words: the newest."""
    inline = update.inline_query
    if inline is None:
        return
    svc, lang = context.services, await language(update, context)
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
    bot = bot_username(context.bot)
    await inline.answer(
        [inline_result(article, lang, names, bot) for article in articles],
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
    links: LinksFor | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return one page of a search as message text and its buttons (None when there are none).

    ``links`` gives the page's links (deep links, originals checked); without it the titles
    link to the original pages.
    """
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
    found = NO_LINKS if links is None else await links(hits.articles)
    body = render_results(hits, query, page, lang, names, category=category, links=found)
    rows = reading_rows(hits.articles, lang)
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
    article: Article, lang: Lang, category_names: dict[str, str], bot_username: str = ""
) -> InlineQueryResultArticle:
    """Return an article as an inline result: the post as the bot sends it, link previewed,
    with a button that opens the archived copy in the bot (its deep link)."""
    rendered = render_post(article, lang, category_names)
    archive = article_link(bot_username, article.id) if bot_username else None
    buttons = None
    if archive:
        opener = InlineKeyboardButton(plain(text(lang, "open_in_bot")), url=archive)
        buttons = InlineKeyboardMarkup([[opener]])
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
        reply_markup=buttons,
    )


async def _reply_results(update: Update, context: BotContext, typed: str) -> None:
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
    svc = context.services
    token = context.services.searches.remember(chat.id, query.typed)
    body, markup = await compose_results(
        svc.store,
        svc.config.categories,
        query,
        lang,
        token,
        links=functools.partial(archive_links, context),
    )
    await message.reply_text(body, reply_markup=markup, link_preview_options=_NO_PREVIEW)


def _button(label: str, token: str, page: int, category: str | None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=results_callback(token, page, category))
