"""Searching the stored archive in Vietnamese, and importing a back catalogue quietly."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.store.schema import MIGRATIONS
from anbien_bot.text.search import MAX_RESULTS, SearchQuery, parse_query
from tests.test_search import HOSTILE

ARCHIVE = Path(__file__).parent / "data" / "archive" / "titles.json"
NOW = datetime(2024, 7, 1, tzinfo=UTC)


def fixture_entries() -> list[tuple[str, Entry]]:
    """Return the fixture archive as (category, entry) pairs, oldest first."""
    return [
        (
            item["category"],
            Entry(
                key=item["key"],
                url=f"https://anbien.kiengiang.gov.vn/tin/{item['key']}",
                title=item["title"],
                summary=item["summary"],
                body=item.get("body", ""),
                published=datetime.fromisoformat(item["published"]).astimezone(UTC),
            ),
        )
        for item in json.loads(ARCHIVE.read_text(encoding="utf-8"))
    ]


TITLES = {entry.key: entry.title for _, entry in fixture_entries()}


@pytest.fixture
async def store(store: Store) -> Store:
    """The store holding the search fixtures."""
    for category, entry in fixture_entries():
        await store.store_entries("portal", [category], [entry], now=NOW, plan=None)
    return store


def query(typed: str) -> SearchQuery:
    parsed = parse_query(typed)
    assert parsed is not None
    return parsed


async def titles(store: Store, typed: str, **kwargs: object) -> list[str]:
    hits = await store.search(query(typed), limit=20, **kwargs)  # type: ignore[arg-type]
    return [a.title for a in hits.articles]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("dan van kheo", "a1"),
        ("duong", "a4"),
        ("kien ha", "a2"),
        ("Thu Ba", "a5"),
        ("uy ban", "a6"),
        ("hoi nghi", "a7"),
        ("HOI NGHI TONG KET", "a7"),
        ("hỘi NgHị", "a7"),
        ("Dân Vận Khéo", "a1"),
        ("TÔM LÚA", "a7"),
        ("kenh tu", "a8"),  # only in the body
        ("thong bao tam ngung", "a3"),
    ],
)
async def test_residents_find_posts_with_or_without_diacritics(
    store: Store, typed: str, key: str
) -> None:
    assert TITLES[key] in await titles(store, typed)


async def test_a_query_with_diacritics_lists_exact_matches_first(store: Store) -> None:
    # The unmarked "Duong dan vao …" is newer, yet "Đường" asks for the marks; "tuyên
    # dương" has the same letters and is found too, after them.
    found = await titles(store, "Đường")
    assert found == [TITLES[k] for k in ("a10", "a4", "a3", "a9", "a1")]


async def test_without_diacritics_equal_matches_come_newest_first(store: Store) -> None:
    assert await titles(store, "duong") == [TITLES[k] for k in ("a10", "a9", "a4", "a3", "a1")]


async def test_thu_ba_typed_with_marks_ranks_the_town_above_thu_phi_ba_thang(
    store: Store,
) -> None:
    found = await titles(store, "Thứ Ba")
    assert found[:2] == [TITLES["a5"], TITLES["a3"]]
    assert TITLES["a10"] in found[2:]  # "thu phí … ba tháng": the same letters, found too


async def test_words_must_all_match_and_only_the_last_is_a_prefix(store: Store) -> None:
    assert await titles(store, "kien hai lam viec") == [TITLES["a2"]]
    assert await titles(store, "kien h") == []  # one letter is a word, not a prefix
    assert await titles(store, "ha kien") == []  # "ha" is not a prefix when not last


async def test_nothing_found_is_an_empty_page(store: Store) -> None:
    hits = await store.search(query("tàu ngầm hạt nhân"))
    assert (hits.articles, hits.total) == ((), 0)


async def test_pages_slice_the_same_ranking(store: Store) -> None:
    whole = (await store.search(query("huyen"), limit=20)).articles
    assert len(whole) > 3
    first = await store.search(query("huyen"), offset=0, limit=2)
    second = await store.search(query("huyen"), offset=2, limit=2)
    assert first.articles + second.articles == whole[:4]
    assert first.total == second.total == len(whole)


async def test_narrowing_to_a_category_and_the_categories_offered(store: Store) -> None:
    hits = await store.search(query("huyen"), limit=20)
    assert set(hits.categories) == {"thong-bao", "hoat-dong-huyen-uy"}
    narrowed = await store.search(query("huyen"), limit=20, category="thong-bao")
    assert narrowed.articles
    assert all(a.categories == ("thong-bao",) for a in narrowed.articles)
    assert narrowed.categories == ()
    assert narrowed.total < hits.total


async def test_an_edited_title_is_found_by_its_new_words_only(store: Store) -> None:
    _, original = fixture_entries()[4]
    assert await titles(store, "ngay hoi dai doan ket") == [original.title]
    edited = replace(original, title="Thị trấn Thứ Ba tổ chức hội thao")
    await store.store_entries("portal", ["hoat-dong-huyen-uy"], [edited], now=NOW, plan=Planner())
    assert await titles(store, "hoi thao") == ["Thị trấn Thứ Ba tổ chức hội thao"]
    assert await titles(store, "ngay hoi dai doan ket") == []


@pytest.mark.parametrize("typed", HOSTILE)
async def test_fts_syntax_never_breaks_a_search(store: Store, typed: str) -> None:
    parsed = parse_query(typed)
    if parsed is not None:
        hits = await store.search(parsed)
        assert hits.total >= 0


async def test_matches_are_counted_up_to_the_cap(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "many.sqlite3")
    try:
        entries = [
            Entry(
                key=str(n),
                url=f"https://x.vn/{n}",
                title=f"Lịch cúp điện số {n}",
                published=NOW - timedelta(hours=n),
            )
            for n in range(MAX_RESULTS + 20)
        ]
        await store.import_entries("portal", ["thong-bao"], entries, now=NOW)
        hits = await store.search(query("lich cup dien"), offset=MAX_RESULTS - 2, limit=5)
        assert hits.total == MAX_RESULTS
        assert [a.title for a in hits.articles] == [
            f"Lịch cúp điện số {n}" for n in (MAX_RESULTS - 2, MAX_RESULTS - 1)
        ]
    finally:
        await store.close()


# -- importing a back catalogue -----------------------------------------------------------


async def test_import_stores_only_what_is_missing_and_queues_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path)
    try:
        await store.upsert_chat(42, "private", "vi")
        await store.subscribe(42, ["thong-bao", "hoat-dong-huyen-uy"])
        entries = [entry for _, entry in fixture_entries()]
        first = await store.import_entries("portal", ["thong-bao"], entries[:6], now=NOW)
        assert len(first.new) == 6
        again = await store.import_entries("portal", ["thong-bao"], entries, now=NOW)
        assert len(again.new) == 4
        assert (await store.import_entries("portal", ["thong-bao"], entries, now=NOW)).new == ()
        assert await store.article_count() == 10
        assert TITLES["a1"] in await titles(store, "dan van kheo")
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 0


async def test_import_keeps_a_stored_article_as_it_is(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        _, original = fixture_entries()[0]
        await store.import_entries("portal", ["thong-bao"], [original], now=NOW)
        changed = replace(original, title="Tiêu đề khác")
        result = await store.import_entries("portal", ["thong-bao"], [changed], now=NOW)
        assert result.new == ()
        assert await titles(store, "dan van kheo") == [original.title]
    finally:
        await store.close()


async def test_imported_story_another_source_carries_joins_that_article(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        _, story = fixture_entries()[2]
        await store.store_entries("province", ["thong-bao"], [story], now=NOW, plan=None)
        copy = replace(story, key="district-77", url="https://x.vn/77")
        result = await store.import_entries("district", ["hoat-dong-huyen-uy"], [copy], now=NOW)
        assert (result.new, result.reposts) == ((), 1)
        assert await store.article_count() == 1
        [article] = (await store.search(query("Đường Xuồng"))).articles
        assert set(article.categories) == {"thong-bao", "hoat-dong-huyen-uy"}
    finally:
        await store.close()


async def test_imported_and_polled_articles_are_searched_alike(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        pairs = fixture_entries()
        for category, entry in pairs[::2]:
            await store.store_entries("portal", [category], [entry], now=NOW, plan=None)
        for category, entry in pairs[1::2]:
            await store.import_entries("portal", [category], [entry], now=NOW)
        assert await titles(store, "duong") == [TITLES[k] for k in ("a10", "a9", "a4", "a3", "a1")]
    finally:
        await store.close()


async def test_an_older_database_gets_its_articles_indexed_when_migrated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        for number, migration in enumerate(MIGRATIONS[:3], 1):
            conn.executescript(f"{migration}\nPRAGMA user_version = {number};")
        conn.execute(
            "INSERT INTO articles(url, title, summary, published_at, first_seen_at, story_key, "
            "search_text) VALUES ('https://x.vn/1', 'Hội nghị tổng kết năm', '', "
            "'2020-01-01T00:00:00+00:00', '2020-01-01T00:00:00+00:00', 'k', "
            "'hoi nghi tong ket nam')"
        )
    store = await Store.open(path)
    try:
        assert await titles(store, "hoi nghi") == ["Hội nghị tổng kết năm"]
        assert await titles(store, "Hội nghị") == ["Hội nghị tổng kết năm"]
    finally:
        await store.close()
