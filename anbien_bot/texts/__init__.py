"""Every user-visible text of the bot, in Vietnamese and English, as Telegram HTML templates."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Literal

from . import en, vi
from .plurals import Plural

Lang = Literal["vi", "en"]


class Html(str):
    """A string of Telegram HTML that text() passes through without escaping."""

    __slots__ = ()


# Templates are Telegram HTML: a literal "<", ">" or "&" must be written as an entity, and
# a literal brace doubled, because parameters are filled in with str.format. A template whose
# wording follows a count has a form per plural category (plurals.py).
TEMPLATES: dict[Lang, Mapping[str, str | Plural]] = {"vi": vi.TEMPLATES, "en": en.TEMPLATES}
VI, EN = vi.TEMPLATES, en.TEMPLATES
_COMMANDS: dict[Lang, list[tuple[str, str]]] = {"vi": vi.COMMANDS, "en": en.COMMANDS}


def language_of(language_code: str | None) -> Lang:
    """Return the bot language for a Telegram language_code: English for "en*", else Vietnamese."""
    if language_code and language_code.strip().lower().startswith("en"):
        return "en"
    return "vi"


def text(lang: Lang, key: str, **params: object) -> str:
    """Return the template ``key`` in ``lang`` filled with params, HTML-escaped unless Html.

    A plural template takes the form for the count in the parameter it names (an int).
    """
    template = TEMPLATES[lang][key]
    if isinstance(template, Plural):
        template = template.choose(lang, params)
    values = {
        name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
        for name, value in params.items()
    }
    return template.format(**values)


def command_descriptions(lang: Lang) -> list[tuple[str, str]]:
    """Return (command, description) pairs for the bot's command menu in ``lang``."""
    return list(_COMMANDS[lang])


def plain(html_text: str) -> str:
    """Return a filled template as plain text, for button answers and toasts (no parse mode)."""
    return html.unescape(html_text)
