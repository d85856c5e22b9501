"""The search query builder and the indexed text, without Telegram or aiosqlite."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.models import Entry
from anbien_bot.store.articles import INDEX_ARTICLE, INSERT_ARTICLE, article_row, placement
from anbien_bot.store.schema import MIGRATIONS
from anbien_bot.text.search import (
    MAX_TERM_CHARS,
    MAX_TERMS,
    index_text,
    match_expression,
    parse_query,
)
from anbien_bot.text.vntext import fold

HOSTILE = [
    '"',
    '""',
    'dan van" OR 1=1 --',
    "covid-19",
    "-mat dien",
    "mat*",
    "*",
    "AND",
    "phong OR",
    "NOT dien",
    "NEAR(mat dien, 2)",
    "(phong",
    "title: Thứ Ba",
    "folded:duong",
    "exact : (x)",
    "^huyen",
    "a:b:c",
    "{folded exact}: x",
    "o'clock",
    '\\"',
    "✅🔥 mất điện 🙏",
    "\x00\u200b\ufeff",
    "ﬁ ß İ ǅ",
    "x" * 4000,
    "mất điện " * 500,
]


def words_only(expression: str) -> bool:
    """Return whether an FTS expression is a column filter over quoted words only."""
    return re.fullmatch(r'(folded|exact) : \(("[^\W_]+"\*? ?)+\)', expression) is not None


@pytest.fixture(scope="module")
def index() -> Iterator[sqlite3.Connection]:
    """Return an in-memory database with the real schema and a few articles."""
    conn = sqlite3.connect(":memory:")
    for migration in MIGRATIONS:
        conn.executescript(migration)
    seen = "2024-01-01T00:00:00+00:00"
    for i, title in enumerate(("Dân vận khéo", "Đường Xuồng mất điện", "Thứ Ba"), 1):
        entry = Entry(key=str(i), url=f"https://x.vn/{i}", title=title, summary="")
        conn.execute(INSERT_ARTICLE, article_row(i, entry, placement(entry, seen), seen))
        conn.execute(INDEX_ARTICLE, (i, index_text(title, "", "")))
    yield conn
    conn.close()


def test_query_without_marks_searches_folded_words_only() -> None:
    query = parse_query("  dan   van KHEO ")
    assert query is not None
    assert query.folded == ("dan", "van", "kheo")
    assert query.exact == ()
    assert query.exact_match is None
    assert query.match == 'folded : ("dan" "van" "kheo"*)'
    assert query.typed == "dan van KHEO"


def test_query_with_marks_also_asks_for_the_words_as_written() -> None:
    query = parse_query("Dân vận ĐƯỜNG")
    assert query is not None
    assert query.folded == ("dan", "van", "duong")
    assert query.exact == ("dân", "vận", "đường")
    assert query.exact_match == 'exact : ("dân" "vận" "đường"*)'
    assert query.other_match == f"{query.match} NOT {query.exact_match}"


def test_decomposed_input_reads_like_composed() -> None:
    decomposed = "Thu\u031b\u0301 Ba"  # "Thứ Ba" as some keyboards send it
    query = parse_query(decomposed)
    assert query is not None
    assert query.exact == ("thứ", "ba")


@pytest.mark.parametrize("typed", ["", "   ", "😀🙏", "!!! *** ---", '"', "\u200b"])
def test_text_without_letters_or_digits_is_no_query(typed: str) -> None:
    assert parse_query(typed) is None


def test_a_pasted_paragraph_searches_its_first_words_and_says_so() -> None:
    query = parse_query("mất điện ấp Kênh Tư " * 400)
    assert query is not None
    assert len(query.folded) == MAX_TERMS
    assert query.cut
    short = parse_query("mất điện")
    assert short is not None
    assert not short.cut


def test_an_endless_word_is_cut() -> None:
    query = parse_query("x" * 4000)
    assert query is not None
    assert query.folded == ("x" * MAX_TERM_CHARS,)


@pytest.mark.parametrize(
    ("terms", "expression"),
    [
        (["kien", "ha"], 'folded : ("kien" "ha"*)'),
        (["thu", "2"], 'folded : ("thu" "2")'),  # one character would match half the index
        (["a"], 'folded : ("a")'),
        (['x"y'], 'folded : ("x""y"*)'),
    ],
)
def test_last_word_is_a_prefix_from_two_characters(terms: list[str], expression: str) -> None:
    assert match_expression("folded", terms) == expression


@pytest.mark.parametrize("typed", HOSTILE)
def test_fts_syntax_in_user_text_becomes_plain_words(
    typed: str, index: sqlite3.Connection
) -> None:
    query = parse_query(typed)
    if query is None:
        return
    expressions = [query.match, query.exact_match]
    assert all(words_only(e) for e in expressions if e is not None)
    for expression in (query.match, query.exact_match, query.other_match):
        if expression is not None:
            index.execute("SELECT rowid FROM archive_fts WHERE archive_fts MATCH ?", (expression,))


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    + "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
PIECES = (
    list(VIETNAMESE + VIETNAMESE.upper() + "0123456789")
    + list(" \t\n\"'*-+^:(){}[],.;!?_\\/|&%$#@~`")
    + ["AND", "OR", "NOT", "NEAR", "folded:", "exact:", "😀", "🇻🇳", "\u0301", "\u200b"]
)
WILD = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


@settings(max_examples=250, deadline=None)
@given(typed=WILD)
def test_random_vietnamese_with_fts_syntax_never_breaks_a_search(typed: str) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS:
            conn.executescript(migration)
        query = parse_query(typed)
        if query is None:
            assert not re.search(r"[^\W_]", fold(typed))
            return
        assert 1 <= len(query.folded) <= MAX_TERMS
        for expression in (query.match, query.exact_match, query.other_match):
            if expression is not None:
                conn.execute(
                    "SELECT rowid FROM archive_fts WHERE archive_fts MATCH ?", (expression,)
                ).fetchall()
    finally:
        conn.close()


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_fold_through_its_table_is_exactly_the_whole_text_fold(text: str) -> None:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    expected = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    assert fold(text) == expected


def test_indexed_text_is_the_folded_title_summary_and_body() -> None:
    entry = Entry(
        key="1",
        url="https://x.vn/1",
        title="ĐƯỜNG Xuồng",
        summary="Tạm ngưng cung cấp điện",
        body="Ấp Kênh Tư\n\nxã Tây Yên A",
    )
    assert index_text(entry.title, entry.summary, entry.body) == (
        "duong xuong tam ngung cung cap dien ap kenh tu\n\nxa tay yen a"
    )
