"""Searching the archive: what a resident typed, made safe for FTS5, and a page of results.

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
import secrets
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..delivery.render import render_post_list
from ..models import Article
from ..texts import Lang, text
from .vntext import clean_line, cut_at_word, fold, nfc

PER_PAGE = 5  # results in one message
MAX_RESULTS = 500  # matches counted and paged through; beyond that, more words help more
MAX_TERMS = 8  # words of a query that count; the rest of a pasted paragraph is ignored
MAX_TERM_CHARS = 40  # longer "words" are noise (a pasted URL, a key held down)
MIN_PREFIX_CHARS = 2  # a one-letter last word would expand to half the index
QUERY_ECHO_CHARS = 60  # how much of the query a reply repeats

# Runs of letters and digits: exactly what FTS5's unicode61 keeps together as one token
# (``_`` is punctuation to it, so it separates here too).
_TERM = re.compile(r"[^\W_]+")
_CALLBACK = re.compile(r"^srch:([A-Za-z0-9_-]{1,16}):(\d{1,4}):([a-z0-9_-]{0,32})$")
CALLBACK_PATTERN = r"^srch:"
_KEPT_CHARS = 1000  # of a query kept for its buttons: far more than MAX_TERMS words need


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


@dataclass(frozen=True, slots=True)
class SearchHits:
    """One slice of a search's results, best first, and what the whole search found."""

    articles: tuple[Article, ...]
    total: int  # matches found, at most MAX_RESULTS
    categories: tuple[str, ...] = ()  # category keys among the first matches, most first


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


def page_count(total: int) -> int:
    """Return how many result messages a search with ``total`` matches pages through."""
    return max(1, -(-total // PER_PAGE))


def echo(query: SearchQuery) -> str:
    """Return the query as a reply repeats it: cut at a word if long."""
    return cut_at_word(query.typed, QUERY_ECHO_CHARS)


def render_results(
    hits: SearchHits,
    query: SearchQuery,
    page: int,
    lang: Lang,
    category_names: Mapping[str, str],
    *,
    category: str | None = None,
) -> str:
    """Render one page of results (title, date, categories and link each) under a header."""
    if not hits.articles:
        return text(lang, "nothing_found", query=echo(query))
    first = (page - 1) * PER_PAGE + 1
    total = f"{hits.total}+" if hits.total >= MAX_RESULTS else str(hits.total)
    params = {"query": echo(query), "first": first, "last": first + len(hits.articles) - 1}
    if category is None:
        header = text(lang, "search_header", total=total, **params)
    else:
        name = category_names.get(category, category)
        header = text(lang, "search_header_category", total=total, category=name, **params)
    if query.cut:
        header += "\n" + text(lang, "search_words_cut", count=MAX_TERMS)
    return render_post_list(hits.articles, lang, category_names, header=header)


def results_callback(token: str, page: int, category: str | None = None) -> str:
    """Return the callback data of a results button: page ``page`` of search ``token``."""
    return f"srch:{token}:{page}:{category or ''}"


def parse_results_callback(data: object) -> tuple[str, int, str | None] | None:
    """Return (token, page, category) from a results button's data, or None if forged."""
    match = _CALLBACK.match(data) if isinstance(data, str) else None
    if match is None or int(match[2]) < 1:
        return None
    return match[1], int(match[2]), match[3] or None


def index_text(title: str, summary: str, body: str) -> str:
    """Return the folded text the search index holds for an article (as articles.search_text)."""
    return fold(" ".join((title, summary, body)))


class RecentSearches:
    """What was searched lately, by a short random token the result buttons carry.

    Buttons hold 64 bytes, too few for a Vietnamese query, so the query stays here, in
    memory only (searches are never written to disk). A token belongs to the chat it was
    made for; the oldest are forgotten past ``capacity``, as are all on restart.
    """

    def __init__(self, capacity: int = 2000) -> None:
        self._capacity = capacity
        self._queries: OrderedDict[str, tuple[int, str]] = OrderedDict()

    def remember(self, chat_id: int, typed: str) -> str:
        """Keep a chat's query and return its token."""
        token = secrets.token_urlsafe(6)
        self._queries[token] = (chat_id, typed[:_KEPT_CHARS])
        while len(self._queries) > self._capacity:
            self._queries.popitem(last=False)
        return token

    def recall(self, chat_id: int, token: str) -> str | None:
        """Return the query behind a token if it was made for this chat, else None."""
        found = self._queries.get(token)
        if found is None or found[0] != chat_id:
            return None
        self._queries.move_to_end(token)
        return found[1]
