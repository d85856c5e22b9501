"""Search result pages, their buttons and the recent searches behind them, without Telegram."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from anbien_bot.bot.results import (
    RecentSearches,
    page_count,
    parse_results_callback,
    render_results,
    results_callback,
)
from anbien_bot.models import Article, SearchHits
from anbien_bot.text.search import MAX_RESULTS, MAX_TERMS, parse_query
from tests.telegram_rules import check_telegram_html

NAMES = {"thong-bao": "Thông báo", "hoat-dong-huyen-uy": "Hoạt động Huyện ủy"}


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
