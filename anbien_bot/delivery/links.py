"""Where a rendered article's links go: its original page, or its copy in the bot's archive.

The portal's pages will go offline (the district it belongs to was abolished); the bot keeps
every article, and a deep link opens the kept copy in the bot. Lists link each title to that
copy and keep the original page beside it while it still answers; a post's "Xem chi tiết"
goes to the copy instead of an original known to be gone (sources/linkcheck.py finds out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import Article
from ..text.deeplinks import article_link
from ..text.urls import absolute_url

if TYPE_CHECKING:
    from telegram import Bot


@dataclass(frozen=True, slots=True)
class ArticleLinks:
    """The bot's username (for deep links; "" for none) and the originals known to be dead."""

    bot_username: str = ""
    dead: frozenset[str] = frozenset()  # absolute URLs, as absolute_url writes them

    def archive(self, article: Article) -> str | None:
        """Return the deep link that opens the article in the bot, or None without one."""
        return article_link(self.bot_username, article.id) if self.bot_username else None

    def original(self, article: Article) -> str | None:
        """Return the article's own page, or None when it has none or it is gone."""
        url = absolute_url(article.url)
        return None if url is None or url in self.dead else url

    def read_more(self, article: Article) -> str | None:
        """Return where "Xem chi tiết" goes: the original page while it lives, else the copy."""
        return self.original(article) or self.archive(article)


NO_LINKS = ArticleLinks()  # originals only, all assumed alive: how posts were always rendered


def bot_username(bot: Bot) -> str:
    """Return the bot's username, or "" before getMe has told it (no deep links until then)."""
    try:
        return bot.username or ""
    except RuntimeError:  # python-telegram-bot's "not properly initialized"
        return ""
