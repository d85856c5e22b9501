"""The search query builder, result pages and their buttons, without Telegram or aiosqlite."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.models import Article, Entry
from anbien_bot.store.schema import MIGRATIONS
from anbien_bot.text.search import (
    MAX_RESULTS,
    MAX_TERM_CHARS,
    MAX_TERMS,
    RecentSearches,
    SearchHits,
    index_text,
    match_expression,
    page_count,
    parse_query,
    parse_results_callback,
    render_results,
    results_callback,
)
from anbien_bot.text.vntext import fold
from tests.telegram_rules import check_telegram_html

NAMES = {"thong-bao": "Thông báo", "hoat-dong-huyen-uy": "Hoạt động Huyện ủy"}
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
    for i, title in enumerate(("Dân vận khéo", "Đường Xuồng mất điện", "Thứ Ba"), 1):
        conn.execute(
            "INSERT INTO articles(url, title, published_at, first_seen_at, story_key, "
            "search_text) VALUES (?, ?, '2024-01-01T00:00:00+00:00', "
            "'2024-01-01T00:00:00+00:00', ?, ?)",
            (f"https://x.vn/{i}", title, str(i), fold(title)),
        )
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


def test_callback_data_round_trips_within_telegrams_64_bytes() -> None:
    key = "k" * 32  # the longest category key the config allows
    data = results_callback("Ab-_9xYz", 100, key)
    assert len(data.encode()) <= 64
    assert parse_results_callback(data) == ("Ab-_9xYz", 100, key)
    assert parse_results_callback(results_callback("tok", 2)) == ("tok", 2, None)


@pytest.mark.parametrize(
    "data",
    [None, 5, "", "srch:", "srch:tok", "srch:tok:0:", "srch:tok:x:", "srch:t:1:BAD KEY", "cat:x"],
)
def test_forged_callback_data_is_refused(data: object) -> None:
    assert parse_results_callback(data) is None


def test_recent_searches_belong_to_their_chat_and_the_oldest_are_forgotten() -> None:
    recent = RecentSearches(capacity=2)
    first = recent.remember(1, "mat dien")
    assert recent.recall(1, first) == "mat dien"
    assert recent.recall(2, first) is None  # another chat cannot page someone's search
    second = recent.remember(1, "thu ba")
    recent.recall(1, first)  # used again: now the newest
    recent.remember(1, "uy ban")
    assert recent.recall(1, second) is None
    assert recent.recall(1, first) == "mat dien"
    assert recent.recall(1, "never-made") is None


def article(number: int, title: str = "Thông báo lịch cúp điện") -> Article:
    moment = datetime(2024, 3, number, 1, 0, tzinfo=UTC)
    return Article(
        id=number,
        url=f"https://anbien.kiengiang.gov.vn/tin/{number}",
        title=f"{title} {number}",
        summary="",
        image_url=None,
        published=moment,
        first_seen=moment,
        categories=("thong-bao",),
    )


def test_a_result_page_shows_which_results_of_how_many_with_date_category_and_link() -> None:
    query = parse_query("lich cup <b>dien</b>")
    assert query is not None
    hits = SearchHits(tuple(article(n) for n in range(6, 11)), 12)
    page = render_results(hits, query, 2, "vi", NAMES)
    header, first, *_ = page.split("\n\n")
    assert header == "🔎 Kết quả cho “lich cup &lt;b&gt;dien&lt;/b&gt;”: tin 6–10 trong 12"
    assert first == (
        '• <a href="https://anbien.kiengiang.gov.vn/tin/6">Thông báo lịch cúp điện 6</a>\n'
        "🗓 06/03/2024 08:00 · Thông báo"
    )
    check_telegram_html(page, 4096)
    english = render_results(hits, query, 2, "en", NAMES, category="thong-bao")
    assert english.startswith(
        "🔎 Results for “lich cup &lt;b&gt;dien&lt;/b&gt;” in Thông báo: 6–10 of 12"
    )


def test_more_matches_than_counted_show_as_a_floor() -> None:
    query = parse_query("dien")
    assert query is not None
    page = render_results(SearchHits((article(1),), MAX_RESULTS), query, 1, "vi", NAMES)
    assert f"trong {MAX_RESULTS}+" in page.split("\n")[0]


def test_nothing_found_suggests_fewer_words_and_repeats_a_long_query_cut() -> None:
    query = parse_query("thông báo " * 40)
    assert query is not None
    page = render_results(SearchHits((), 0), query, 1, "vi", NAMES)
    assert "ít từ hơn" in page
    assert "…" in page
    assert len(page) < 300
    check_telegram_html(page, 4096)


def test_a_cut_query_says_only_its_first_words_were_searched() -> None:
    query = parse_query("mất điện ấp Kênh Tư " * 10)
    assert query is not None
    page = render_results(SearchHits((article(1),), 1), query, 1, "vi", NAMES)
    assert f"(chỉ tìm theo {MAX_TERMS} từ đầu)" in page


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (5, 1), (6, 2), (500, 100)])
def test_page_count(total: int, pages: int) -> None:
    assert page_count(total) == pages
