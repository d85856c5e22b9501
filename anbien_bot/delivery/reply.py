"""One post sent now to one chat that asked for it (a deep link), outside the outbox.

It goes as the sender sends a post: the photo by file_id, URL or our own upload (photos.py),
text when the photo cannot go, plain text when Telegram refuses the HTML; paced with the
outbox's sends, so a reply never pushes the bot past Telegram's limits.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import replace

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from ..models import Article
from ..texts import Lang
from .links import NO_LINKS, ArticleLinks
from .photos import is_format_problem
from .render import render_plain, render_post
from .sender import Sender

log = logging.getLogger(__name__)


async def send_post(
    sender: Sender,
    chat_id: int,
    article: Article,
    lang: Lang,
    category_names: Mapping[str, str],
    links: ArticleLinks = NO_LINKS,
    *,
    markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send the article to chat_id as a post with buttons ``markup``; return the message."""
    post = functools.partial(_send, sender, chat_id, article, lang, category_names, links, markup)
    try:
        return await post(plain=False)
    except BadRequest as exc:
        if not is_format_problem(exc):
            raise
        log.warning("article %d: Telegram refused its HTML (%s); sent as plain", article.id, exc)
        return await post(plain=True)


async def _send(
    sender: Sender,
    chat_id: int,
    article: Article,
    lang: Lang,
    category_names: Mapping[str, str],
    links: ArticleLinks,
    markup: InlineKeyboardMarkup | None,
    *,
    plain: bool,
) -> Message:
    rendered = render_post(article, lang, category_names, links)
    mode = None if plain else ParseMode.HTML
    if rendered.photo is not None:
        caption = render_plain(rendered) if plain else rendered.text
        pace = functools.partial(sender.pacer.acquire, chat_id)
        sent = await sender.photos.send(
            chat_id, rendered.photo, caption, plain=plain, pace=pace, markup=markup
        )
        if sent is not None:
            return sent
        rendered = render_post(replace(article, image_url=None), lang, category_names, links)
    text = render_plain(rendered) if plain else rendered.text
    preview = (
        LinkPreviewOptions(url=rendered.link_preview_url)
        if rendered.link_preview_url
        else LinkPreviewOptions(is_disabled=True)
    )
    return await sender.paced(
        chat_id,
        lambda bot: bot.send_message(
            chat_id, text, parse_mode=mode, link_preview_options=preview, reply_markup=markup
        ),
    )
