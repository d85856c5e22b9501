"""Deep links into the bot: ``https://t.me/<bot>?start=a<id>`` opens article <id> in its chat.

The one place such a link is written and its payload read back. Telegram hands the payload
to the bot as the argument of /start (``/start a42``); it allows 1 to 64 characters of
``A-Z a-z 0-9 _ -``, so an article is named by "a" and its id in decimal.
"""

from __future__ import annotations

import re

ARTICLE = "a"  # the payload's prefix for an article
_MAX_ID = 2**63 - 1  # SQLite's largest rowid: a longer number names no article
_PAYLOAD = re.compile(rf"{ARTICLE}([1-9][0-9]{{0,18}})")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")  # Telegram's rule for usernames


def article_payload(article_id: int) -> str:
    """Return the /start payload that opens an article."""
    return f"{ARTICLE}{article_id}"


def article_link(bot_username: str, article_id: int) -> str | None:
    """Return the link that opens an article in the bot, or None without a usable username."""
    name = bot_username.lstrip("@")
    if not _USERNAME.fullmatch(name):
        return None
    return f"https://t.me/{name}?start={article_payload(article_id)}"


def parse_article_payload(payload: str) -> int | None:
    """Return the article id a /start payload names, or None when it names none."""
    match = _PAYLOAD.fullmatch(payload.strip())
    if match is None:
        return None
    article_id = int(match[1])
    return article_id if article_id <= _MAX_ID else None
