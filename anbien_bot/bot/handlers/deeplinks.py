"""Deep links into the archive: ``https://t.me/<bot>?start=a<id>`` opens article <id> here.

Telegram turns a tap on such a link into ``/start a<id>``. The article is sent as a post, to
anyone: a resident who never subscribed gets the article and nothing else (no greeting, no
category keyboard, no subscription). A bare /start stays the greeting (residents.py).
When the original page is gone, the post's "Xem chi tiết" opens the archived copy instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler

from ...config import Config
from ...delivery.courier import button_row
from ...delivery.links import ArticleLinks, bot_username
from ...delivery.reading import read_button
from ...delivery.reply import send_post
from ...models import Article
from ...text.deeplinks import parse_article_payload
from ...text.urls import absolute_url
from ...texts import Lang, text
from .. import groups
from ..services import BotContext
from .language import language


def register(app: Application, config: Config) -> None:
    """Add /start with a payload; it must come before residents' bare /start."""
    groups.add(app, CommandHandler("start", open_article, has_args=True))


async def open_article(update: Update, context: BotContext) -> None:
    """Send the article a deep link names as a post, or say in one line why not."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = await language(update, context)
    article_id = parse_article_payload(" ".join(context.args or ()))
    if article_id is None:
        await message.reply_text(text(lang, "deeplink_invalid"))
        return
    svc = context.services
    article = await svc.store.article(article_id)
    if article is None:
        await message.reply_text(text(lang, "deeplink_missing"))
        return
    await send_post(
        svc.sender,
        chat.id,
        article,
        lang,
        svc.config.category_names,
        await archive_links(context, [article]),
        markup=post_buttons(article, lang),
    )


def post_buttons(article: Article, lang: Lang) -> InlineKeyboardMarkup | None:
    """Return the buttons under an article opened by its deep link: "Đọc toàn văn"."""
    return button_row([read_button(article.id, lang)])


async def archive_links(context: BotContext, articles: Iterable[Article]) -> ArticleLinks:
    """Return the links for articles someone asked for: deep links, and their originals
    checked (within a couple of seconds; see sources/linkcheck.py)."""
    dead = await context.services.links.dead(absolute_url(a.url) for a in articles)
    return ArticleLinks(bot_username(context.bot), dead)
