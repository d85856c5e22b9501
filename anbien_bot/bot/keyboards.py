"""The category keyboard and its callback data (category keys, never display names), and the
buttons reading the articles of a list in full."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..config import Category
from ..delivery.reading import read_title_button
from ..models import Article
from ..texts import Lang

# "cat:" + a config key (at most 32 ASCII characters) stays far below Telegram's 64 bytes.
CATEGORY_PREFIX = "cat:"
CATEGORY_PATTERN = r"^cat:"
CHECK = "✅"


def category_data(key: str) -> str:
    """Return the callback data of the button that toggles category ``key``."""
    return f"{CATEGORY_PREFIX}{key}"


def category_of(data: object, categories: Sequence[Category]) -> str | None:
    """Return the configured category a button's callback data names, or None if forged."""
    if not isinstance(data, str) or not data.startswith(CATEGORY_PREFIX):
        return None
    key = data.removeprefix(CATEGORY_PREFIX)
    return key if any(c.key == key for c in categories) else None


def category_keyboard(
    categories: Sequence[Category], subscribed: Collection[str]
) -> InlineKeyboardMarkup:
    """Return one button per category in config order, ✅ on those subscribed."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{CHECK} {c.name}" if c.key in subscribed else c.name,
                    callback_data=category_data(c.key),
                )
            ]
            for c in categories
        ]
    )


def reading_rows(articles: Sequence[Article], lang: Lang) -> list[list[InlineKeyboardButton]]:
    """Return a "📖 title" button for each article of a list, one a row, in the list's order."""
    buttons = (read_title_button(article, lang) for article in articles)
    return [[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons]
