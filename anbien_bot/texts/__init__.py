"""Every user-visible text of the bot, in Vietnamese and English, as Telegram HTML templates."""

from __future__ import annotations

import html
from typing import Literal

from . import en, vi

Lang = Literal["vi", "en"]


class Html(str):
    """A string of Telegram HTML that text() passes through without escaping."""

    __slots__ = ()


# Templates are Telegram HTML: a literal "<", ">" or "&" must be written as an entity, and
# a literal brace doubled, because parameters are filled in with str.format.
TEMPLATES: dict[Lang, dict[str, str]] = {"vi": vi.TEMPLATES, "en": en.TEMPLATES}
VI, EN = vi.TEMPLATES, en.TEMPLATES
_COMMANDS: dict[Lang, list[tuple[str, str]]] = {"vi": vi.COMMANDS, "en": en.COMMANDS}


def language_of(language_code: str | None) -> Lang:
    """Return the bot language for a Telegram language_code: English for "en*", else Vietnamese."""
    if language_code and language_code.strip().lower().startswith("en"):
        return "en"
    return "vi"


def text(lang: Lang, key: str, **params: object) -> str:
    """Return the template ``key`` in ``lang`` filled with params, HTML-escaped unless Html."""
    values = {
        name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
        for name, value in params.items()
    }
    return TEMPLATES[lang][key].format(**values)


def command_descriptions(lang: Lang) -> list[tuple[str, str]]:
    """Return (command, description) pairs for the bot's command menu in ``lang``."""
    return list(_COMMANDS[lang])


def plain(html_text: str) -> str:
    """Return a filled template as plain text, for button answers and toasts (no parse mode)."""
    return html.unescape(html_text)
