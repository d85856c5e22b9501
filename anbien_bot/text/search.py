"""Searching the archive: what a resident typed, made safe for FTS5, and the indexed text.

Matching is diacritic- and case-insensitive: the query is folded in Python (vntext.fold, which
also turns đ into d) exactly as the index's text was, and the last word matches as a prefix,
so ``kien ha`` finds "Kiên Hải". A query typed with diacritics also asks for the words as
written in a title or lead; those exact matches come first, and within each part the newest
come first. User text never reaches FTS ``MATCH`` raw: the expression is built only from
quoted runs of letters and digits, so quotes, ``-``, ``*``, AND/OR/NEAR, parentheses and
``column:`` prefixes are plain words or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .vntext import clean_line, fold, nfc

MAX_RESULTS = 500  # matches counted and paged through; beyond that, more words help more
MAX_TERMS = 8  # words of a query that count; the rest of a pasted paragraph is ignored
MAX_TERM_CHARS = 40  # longer "words" are noise (a pasted URL, a key held down)
MIN_PREFIX_CHARS = 2  # a one-letter last word would expand to half the index

# Runs of letters and digits: exactly what FTS5's unicode61 keeps together as one token
# (``_`` is punctuation to it, so it separates here too).
_TERM = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A query ready for the index: its folded words and, if typed with marks, its exact words."""

    typed: str  # as typed, on one line, for repeating back
    folded: tuple[str, ...]
    exact: tuple[str, ...] = ()  # empty when the query was typed without diacritics
    cut: bool = False  # words beyond MAX_TERMS were ignored

    @property
    def match(self) -> str:
        """Return the FTS5 expression for every match, exact or not."""
        return match_expression("folded", self.folded)

    @property
    def exact_match(self) -> str | None:
        """Return the FTS5 expression for the exact matches, or None without diacritics."""
        return match_expression("exact", self.exact) if self.exact else None

    @property
    def other_match(self) -> str:
        """Return the FTS5 expression for the matches that are not exact."""
        exact = self.exact_match
        return self.match if exact is None else f"{self.match} NOT {exact}"


def parse_query(typed: str) -> SearchQuery | None:
    """Return the query in what a user typed, or None if it holds no letters or digits."""
    line = clean_line(typed)
    folded = [t[:MAX_TERM_CHARS] for t in _TERM.findall(fold(line))]
    if not folded:
        return None
    exact = [t[:MAX_TERM_CHARS] for t in _TERM.findall(nfc(line).lower())]
    cut = len(folded) > MAX_TERMS
    folded, exact = folded[:MAX_TERMS], exact[:MAX_TERMS]
    # Words typed with marks ask for those marks; an odd split between the two ways of
    # reading the text (a letter fold() turns into two) just drops the exact ranking.
    with_marks = exact != folded and [fold(t) for t in exact] == folded
    return SearchQuery(
        typed=line, folded=tuple(folded), exact=tuple(exact) if with_marks else (), cut=cut
    )


def match_expression(column: str, terms: Sequence[str]) -> str:
    """Return an FTS5 expression requiring every term in the column, the last as a prefix."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if terms and len(terms[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] += "*"
    return f"{column} : ({' '.join(quoted)})"


def index_text(title: str, summary: str, body: str) -> str:
    """Return the folded text the search index holds for an article (as articles.search_text)."""
    return fold(" ".join((title, summary, body)))
