"""A page of search results as the bot shows it, the buttons that turn it, recent searches.

The buttons carry a short token, the page and a category key; the query itself stays in
memory (RecentSearches), so a button from before a restart, or a forged one, gets a polite
answer and nothing else.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from collections.abc import Mapping

from ..delivery.links import NO_LINKS, ArticleLinks
from ..delivery.render import render_post_list
from ..models import SearchHits
from ..text.search import MAX_RESULTS, MAX_TERMS, SearchQuery
from ..text.vntext import cut_at_word
from ..texts import Lang, text

PER_PAGE = 5  # results in one message
QUERY_ECHO_CHARS = 60  # how much of the query a reply repeats
CALLBACK_PATTERN = r"^srch:"
_CALLBACK = re.compile(r"^srch:([A-Za-z0-9_-]{1,16}):(\d{1,4}):([a-z0-9_-]{0,32})$")
_KEPT_CHARS = 1000  # of a query kept for its buttons: far more than MAX_TERMS words need


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
    links: ArticleLinks = NO_LINKS,
) -> str:
    """Render one page of results (title, date, categories and link each) under a header.

    With a bot username in ``links`` each title opens the archived copy in the bot.
    """
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
    return render_post_list(hits.articles, lang, category_names, header=header, links=links)


def results_callback(token: str, page: int, category: str | None = None) -> str:
    """Return the callback data of a results button: page ``page`` of search ``token``."""
    return f"srch:{token}:{page}:{category or ''}"


def parse_results_callback(data: object) -> tuple[str, int, str | None] | None:
    """Return (token, page, category) from a results button's data, or None if forged."""
    match = _CALLBACK.match(data) if isinstance(data, str) else None
    if match is None or int(match[2]) < 1:
        return None
    return match[1], int(match[2]), match[3] or None


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
