"""Keyword alerts and urgent words: which articles a resident's words, or the config's, match.

Words match whole, case-insensitively, and every word of an alert must be there (in any
order). A word typed without marks matches with any marks, like search: ``mat dien thu ba``
matches "Mất điện ... Thứ Ba". A word typed with marks matches only those marks, wherever
the tone sits ("hoà" and "hòa" are one word): folded, "bão" (storm) would be "bao", and every
"thông báo" (announcement) on the portal would wake the whole district.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..config import Config
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


def text_words(text: str) -> TextWords:
    """Return the words of a text for matching."""
    found = query_words(text)
    return TextWords(frozenset(fold(w) for w in found), frozenset(tone_key(w) for w in found))


def matches(words: Sequence[str], text: TextWords) -> bool:
    """Return whether every word of an alert is a whole word of the text."""
    return bool(words) and all(
        tone_key(w) in text.keyed if is_marked(w) else w in text.folded for w in words
    )


def _word_matches(wanted: str, found: str) -> bool:
    """Return whether one word of a phrase matches one word of a text."""
    return tone_key(wanted) == tone_key(found) if is_marked(wanted) else wanted == fold(found)


@dataclass(frozen=True, slots=True)
class Urgency:
    """What makes a post urgent: its source, one of its categories, or words in its title."""

    sources: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()

    def is_urgent(self, source: str, categories: Iterable[str], title: str) -> bool:
        """Return whether a post is urgent.

        Only the title is read: a warning names its danger there, while a body mentioning
        "phòng cháy" (fire prevention) in passing would otherwise wake everyone at night.
        """
        if source in self.sources or not self.categories.isdisjoint(categories):
            return True
        found = query_words(title)
        for phrase in self.phrases:
            for start in range(len(found) - len(phrase) + 1):
                if all(_word_matches(w, found[start + i]) for i, w in enumerate(phrase)):
                    return True
        return False


def urgency_of(config: Config) -> Urgency:
    """Return the urgency rules of the configuration."""
    return Urgency(
        sources=frozenset(s.name for s in config.sources if s.urgent),
        categories=frozenset(config.urgent.categories),
        phrases=tuple(p for p in (query_words(w) for w in config.urgent.words) if p),
    )
