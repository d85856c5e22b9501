"""Word matching for keyword alerts and urgent words: which texts a resident's words match.

Words match whole, case-insensitively, and every word of an alert must be there (in any
order). A word typed without marks matches with any marks, like search: ``mat dien thu ba``
matches "Mất điện ... Thứ Ba". A word typed with marks matches only those marks, wherever
the tone sits ("hoà" and "hòa" are one word): folded, "bão" (storm) would be "bao", and every
"thông báo" (announcement) on the portal would wake the whole district.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..text.vntext import fold, nfc

MAX_ALERTS = 30  # per chat: a few dozen at most
MAX_WORDS = 8  # per alert
MAX_LENGTH = 100  # characters of an alert as typed

_WORD = re.compile(r"\w+")
# The five tone marks, as combining characters; the other marks shape the vowel (ă â ê ô ơ ư).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def query_words(typed: str) -> tuple[str, ...]:
    """Return the words of what a resident typed: NFC, case-folded, marks kept."""
    return tuple(_WORD.findall(nfc(typed).casefold()))


def is_marked(word: str) -> bool:
    """Return whether a word carries any Vietnamese mark (or đ)."""
    return fold(word) != word


def tone_key(word: str) -> str:
    """Return a word's comparison key with marks: tone moved to the end, so its place is moot."""
    decomposed = unicodedata.normalize("NFD", nfc(word).casefold())
    tones = "".join(sorted({c for c in decomposed if c in _TONES}))
    bare = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", bare) + tones


def index_key(words: Sequence[str]) -> str:
    """Return the folded word an alert is looked up by: its longest, the rarest in practice."""
    return fold(max(words, key=len))


@dataclass(frozen=True, slots=True)
class TextWords:
    """The words of an article, folded and with their marks, for matching alerts."""

    folded: frozenset[str]
    keyed: frozenset[str]


def folded_words(text: str) -> frozenset[str]:
    """Return the folded words of a text: the keys of the alerts it may match (index_key)."""
    return frozenset(fold(w) for w in query_words(text))


def text_words(text: str) -> TextWords:
    """Return the words of a text for matching."""
    found = query_words(text)
    return TextWords(frozenset(fold(w) for w in found), frozenset(tone_key(w) for w in found))


def matches(words: Sequence[str], text: TextWords) -> bool:
    """Return whether every word of an alert is a whole word of the text."""
    return bool(words) and all(
        tone_key(w) in text.keyed if is_marked(w) else w in text.folded for w in words
    )


def holds_phrase(phrase: Sequence[str], text: str) -> bool:
    """Return whether the words of a phrase (from query_words) stand in text side by side."""
    found = query_words(text)
    return any(
        all(_word_matches(w, found[start + i]) for i, w in enumerate(phrase))
        for start in range(len(found) - len(phrase) + 1)
    )


def _word_matches(wanted: str, found: str) -> bool:
    """Return whether one word of a phrase matches one word of a text."""
    return tone_key(wanted) == tone_key(found) if is_marked(wanted) else wanted == fold(found)
