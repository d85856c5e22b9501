"""The archive keeps each article's text once, and its index keeps newest first by itself.

The search index (store/schema.py migration 9) holds only words: its rowid, search_key, is
64 keys per minute of publication, taken in the order articles are stored. These tests hold
it to the order searches had when the key was the minute above the article id: newest
minute first, and within a minute the article stored last first.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.store.schema import MIGRATIONS
from anbien_bot.text.dates import to_iso
from anbien_bot.text.search import index_text, parse_query

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def post(key: str, published: datetime, title: str = "Lịch cúp điện") -> Entry:
    return Entry(key=key, url=f"https://x.vn/{key}", title=f"{title} {key}", published=published)


async def found(store: Store, typed: str, **kwargs: object) -> list[str]:
    """Return the keys (the last word of each title) of every match, in the order shown."""
    query = parse_query(typed)
    assert query is not None
    hits = await store.search(query, limit=1000, **kwargs)  # type: ignore[arg-type]
    return [a.title.rsplit(" ", 1)[-1] for a in hits.articles]


async def newest_first(store: Store) -> list[str]:
    """Return every key in the order searches had: minute of publication, then id, newest first.

    (The order of the old index key, the minute above the article id.)
    """
    articles = await store.latest(limit=100_000)
    ordered = sorted(articles, key=lambda a: (a.published.replace(second=0), a.id), reverse=True)
    return [a.title.rsplit(" ", 1)[-1] for a in ordered]


async def test_matches_come_newest_first_however_the_posts_were_stored(tmp_path: Path) -> None:
    rng = random.Random(15)
    minutes = [NOW - timedelta(minutes=rng.randrange(600)) for _ in range(12)]
    stored = [(f"k{n}", rng.choice(minutes) + timedelta(seconds=n % 60)) for n in range(150)]
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        for n in range(0, len(stored), 10):  # polls and back catalogues, in no time order
            batch = [post(key, at) for key, at in stored[n : n + 10]]
            if n % 20:
                await store.import_entries("portal", ["thong-bao"], batch, now=NOW)
            else:
                await store.store_entries("portal", ["thong-bao"], batch, now=NOW, plan=None)
        assert len(stored) == len(await found(store, "lich cup dien")) > 0
        assert await found(store, "lich cup dien") == await newest_first(store)
        assert await found(store, "Lịch cúp") == await newest_first(store)
    finally:
        await store.close()


async def test_a_minute_with_more_posts_than_its_keys_loses_none(tmp_path: Path) -> None:
    # A back catalogue without dates: every entry is placed at the minute it was seen.
    before = [("early", NOW - timedelta(minutes=1))]
    crowd = [(f"c{n}", NOW) for n in range(90)]
    after = [("late", NOW + timedelta(minutes=1))]
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        for part in (before, crowd, after):
            entries = [post(key, at) for key, at in part]
            await store.import_entries("portal", ["thong-bao"], entries, now=NOW)
        assert await found(store, "lich cup") == await newest_first(store)
        assert len(await found(store, "lich cup")) == 92
    finally:
        await store.close()


async def test_an_edited_post_keeps_its_place_and_loses_its_old_words(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        entries = [post(f"p{n}", NOW + timedelta(minutes=n)) for n in range(3)]
        await store.store_entries("portal", ["thong-bao"], entries, now=NOW, plan=None)
        edited = Entry(
            key="p1",
            url="https://x.vn/p1",
            title="Lịch cúp điện ấp Xẻo Nhàu p1",
            summary="Điện lực tạm ngưng",
            published=NOW + timedelta(minutes=1),
        )
        await store.store_entries("portal", ["thong-bao"], [edited], now=NOW, plan=None)
        assert await found(store, "lich cup dien") == ["p2", "p1", "p0"]
        assert await found(store, "xeo nhau") == ["p1"]
        assert await found(store, "tam ngung") == ["p1"]
        again = Entry(key="p1", url="https://x.vn/p1", title="Lịch cắt điện p1", summary="x")
        await store.store_entries("portal", ["thong-bao"], [again], now=NOW, plan=None)
        assert await found(store, "xeo nhau") == []
        assert await found(store, "lich cat dien") == ["p1"]
    finally:
        await store.close()


async def test_the_articles_table_holds_the_only_copy_of_the_text(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    await store.store_entries("portal", ["thong-bao"], [post("a", NOW)], now=NOW, plan=None)
    await store.close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
    assert "search_text" not in columns
    assert "archive_fts_content" not in tables  # contentless: the index keeps no text
    assert "archive_fts_docsize" not in tables


async def test_a_version_7_archive_is_searched_alike_after_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "v7.sqlite3"
    rows = [  # (id, title, published): stored out of time order, two in one minute
        (1, "Hội nghị tổng kết năm", NOW),
        (2, "Hội nghị sơ kết quý", NOW - timedelta(days=30)),
        (3, "Hội nghị Dân vận khéo", NOW + timedelta(seconds=20)),
        (4, "Hoi nghi viet khong dau", NOW - timedelta(days=400)),
        (5, "Tin khác", NOW + timedelta(days=1)),
    ]
    with sqlite3.connect(path) as conn:
        conn.executescript("\n".join(MIGRATIONS[:7]) + "\nPRAGMA user_version = 7;")
        conn.executemany(
            "INSERT INTO articles(id, url, title, published_at, first_seen_at, story_key, "
            "search_text) VALUES (?, 'https://x.vn', ?, ?, ?, ?, ?)",
            [(i, t, to_iso(at), to_iso(NOW), str(i), index_text(t, "", "")) for i, t, at in rows],
        )
        conn.executemany(
            "INSERT INTO article_categories(article_id, category) VALUES (?, ?)",
            [(i, "thong-bao" if i % 2 else "kinh-te") for i, _, _ in rows],
        )
    store = await Store.open(path)
    try:
        assert await found(store, "hoi nghi") == ["khéo", "năm", "quý", "dau"]
        assert await found(store, "Hội nghị") == ["khéo", "năm", "quý", "dau"]
        assert await found(store, "hoi nghi", category="kinh-te") == ["quý", "dau"]
        # A post stored now in the crowded minute goes after the ones already there.
        late = Entry(key="n", url="https://x.vn/n", title="Hội nghị mới", published=NOW)
        await store.store_entries("portal", ["thong-bao"], [late], now=NOW, plan=None)
        assert await found(store, "hoi nghi") == ["mới", "khéo", "năm", "quý", "dau"]
        edited = Entry(key="n", url="https://x.vn/n", title="Họp báo", published=NOW)
        await store.store_entries("portal", ["thong-bao"], [edited], now=NOW, plan=None)
        assert await found(store, "hoi nghi") == ["khéo", "năm", "quý", "dau"]
    finally:
        await store.close()
