"""The store: schema upgrades, atomic units of work, and one article per story."""

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import SchemaTooNewError, Store
from anbien_bot.store.schema import MIGRATIONS, SCHEMA_VERSION
from anbien_bot.text.dates import from_iso, to_iso
from anbien_bot.values import FailureKind

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
PUBLISHED = datetime(2020, 5, 29, 3, 59, tzinfo=UTC)
FETCH, LAYOUT = FailureKind.FETCH, FailureKind.LAYOUT


def entry(key: str, title: str = "Thông báo lịch cúp điện", **kw) -> Entry:
    return Entry(
        key=key,
        url=f"https://example.gov.vn/tin/{key}",
        title=title,
        summary=kw.pop("summary", "Tóm tắt"),
        published=kw.pop("published", PUBLISHED),
        **kw,
    )


async def subscriber(store: Store, chat_id: int, *categories: str) -> None:
    await store.upsert_chat(chat_id, "private", "vi")
    await store.subscribe(chat_id, categories)


def outbox(path) -> list[tuple[int, int]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT chat_id, article_id FROM deliveries ORDER BY 1, 2").fetchall()


async def test_new_database_gets_current_schema_with_wal(tmp_path):
    store = await Store.open(tmp_path / "db.sqlite3")
    await store.close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_older_database_is_migrated_in_place_keeping_its_articles(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        conn.execute(
            "INSERT INTO articles(url, title, published_at, first_seen_at, story_key) "
            "VALUES ('https://x.vn/1', 'Tin cũ', '2020-01-01T00:00:00+00:00', "
            "'2020-01-01T00:00:00+00:00', 'k')"
        )
    store = await Store.open(path)
    try:
        assert await store.article_count() == 1
        await subscriber(store, 42, "thong-bao")  # a table of a later schema version
        assert await store.subscriptions(42) == ["thong-bao"]
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_times_in_both_old_formats_become_one_and_layout_errors_get_their_kind(tmp_path):
    """Version 6 wrote outbox times with microseconds beside seconds elsewhere."""
    path = tmp_path / "v6.sqlite3"
    micro, seconds = "2026-11-29T03:00:04.250000+00:00", "2026-11-29T03:00:04+00:00"
    with sqlite3.connect(path) as conn:
        conn.executescript("\n".join(MIGRATIONS[:6]) + "\nPRAGMA user_version = 6;")
        conn.execute(
            "INSERT INTO chats(id, created_at, updated_at) VALUES (1, ?, ?)", (seconds, seconds)
        )
        conn.executemany(
            "INSERT INTO articles(id, url, title, published_at, first_seen_at, story_key) "
            "VALUES (?, 'https://x.vn', 'Tin', ?, ?, 'k')",
            [(i, seconds, seconds) for i in range(1, 6)],
        )
        conn.executemany(
            "INSERT INTO deliveries(chat_id, article_id, status, not_before, created_at, sent_at) "
            "VALUES (1, ?, ?, ?, ?, ?)",
            [
                (1, "pending", micro, micro, None),  # a retry after 4.25 s: waits until 5 s
                (2, "pending", seconds, seconds, None),  # written by to_iso: left alone
                (3, "pending", "2026-11-29T23:59:59.500000+00:00", micro, None),  # next day
                (4, "sent", "2026-11-29T03:00:00.000000+00:00", micro, micro),  # exactly 0 s
                (5, "pending", "2026-11-29T03:00:04.000001+00:00", seconds, None),
            ],
        )
        conn.execute(
            "INSERT INTO telegram_files(url, file_id, stored_at) VALUES ('u', 'f', ?)", (micro,)
        )
        conn.executemany(
            "INSERT INTO sources(name, last_error, consecutive_failures) VALUES (?, ?, 1)",
            [("html", "layout changed? the listing yielded no articles"), ("rss", "HTTP 500")],
        )
    store = await Store.open(path)
    try:
        assert (await store.source_state("html")).last_error_kind is LAYOUT
        assert (await store.source_state("rss")).last_error_kind is None  # cannot be told
        assert await store.telegram_file("u") == "f"
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT not_before, created_at, sent_at FROM deliveries ORDER BY article_id"
        ).fetchall()
        stored_at = conn.execute("SELECT stored_at FROM telegram_files").fetchone()[0]
    assert rows == [
        ("2026-11-29T03:00:05+00:00", seconds, None),
        (seconds, seconds, None),
        ("2026-11-30T00:00:00+00:00", seconds, None),
        ("2026-11-29T03:00:00+00:00", seconds, seconds),
        ("2026-11-29T03:00:05+00:00", seconds, None),  # rounded up, never down
    ]
    assert stored_at == seconds
    for when in (value for row in rows for value in row if value is not None):
        assert to_iso(from_iso(when)) == when  # one format: what to_iso writes


async def test_database_from_a_newer_bot_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError):
        await Store.open(path)


async def test_a_failed_unit_of_work_is_rolled_back_even_while_another_commits(store):
    """aiosqlite serialises statements, not transactions: our lock must keep them apart."""
    started = asyncio.Event()

    async def failing() -> None:
        async with store.db.transaction() as conn:
            await conn.execute("INSERT INTO sources(name) VALUES ('half-done')")
            started.set()
            await asyncio.sleep(0.05)
            raise RuntimeError("boom")

    async def committing() -> None:
        await started.wait()
        await store.upsert_chat(7, "private", "vi")

    results = await asyncio.gather(failing(), committing(), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert await store.chat(7) is not None
    assert [s.name for s in await store.source_states()] == []


async def test_new_entries_are_stored_once_and_queued_for_matching_subscribers(store, db_path):
    await subscriber(store, 1, "thong-bao")
    await subscriber(store, 2, "tin-tuc")
    result = await store.store_entries(
        "A", ["thong-bao"], [entry("1"), entry("2", "Khác")], now=NOW, plan=Planner()
    )
    assert len(result.new) == 2
    assert result.enqueued == 2
    assert outbox(db_path) == [(1, result.new[0]), (1, result.new[1])]
    again = await store.store_entries(
        "A", ["thong-bao"], [entry("1"), entry("2", "Khác")], now=NOW, plan=Planner()
    )
    assert again.new == ()
    assert again.enqueued == 0
    assert await store.article_count() == 2


async def test_an_edited_article_is_updated_but_not_announced_again(store, db_path):
    await subscriber(store, 1, "thong-bao")
    first = await store.store_entries("A", ["thong-bao"], [entry("9")], now=NOW, plan=Planner())
    edited = await store.store_entries(
        "A", ["thong-bao"], [entry("9", "Thông báo (đã sửa)", summary="")], now=NOW, plan=Planner()
    )
    assert edited.updated == 1
    assert edited.enqueued == 0
    article = await store.article(first.new[0])
    assert article.title == "Thông báo (đã sửa)"
    assert article.summary == "Tóm tắt"  # a thinner copy keeps what we had
    assert len(outbox(db_path)) == 1


async def test_a_repost_by_another_source_is_one_article_in_two_categories(store, db_path):
    await subscriber(store, 1, "thong-bao", "tin-tuc")  # both: must get it once
    await subscriber(store, 2, "tin-tuc")  # only the second source's category
    first = await store.store_entries("A", ["thong-bao"], [entry("1009")], now=NOW, plan=Planner())
    second = await store.store_entries(
        "B",
        ["tin-tuc"],
        [entry("https://b.vn/x", "  Thông báo lịch CÚP ĐIỆN ")],
        now=NOW,
        plan=Planner(),
    )
    assert second.new == ()
    assert second.reposts == 1
    article = await store.article(first.new[0])
    assert sorted(article.categories) == ["thong-bao", "tin-tuc"]
    assert outbox(db_path) == [(1, article.id), (2, article.id)]


async def test_first_poll_without_announce_queues_nothing(store, db_path):
    await subscriber(store, 1, "thong-bao")
    result = await store.store_entries("A", ["thong-bao"], [entry("1")], now=NOW, plan=None)
    assert len(result.new) == 1
    assert outbox(db_path) == []


async def test_inactive_and_forgotten_chats_get_nothing(store, tmp_path):
    await subscriber(store, 1, "thong-bao")
    await subscriber(store, 2, "thong-bao")
    await store.set_active(1, False)
    await store.forget_chat(2)
    assert (
        await store.store_entries("A", ["thong-bao"], [entry("1")], now=NOW, plan=Planner())
    ).enqueued == 0
    assert await store.chat(2) is None


async def test_latest_is_newest_first_and_filters_by_category(store):
    older = entry("1", "Cũ", published=datetime(2020, 1, 1, tzinfo=UTC))
    newer = entry("2", "Mới", published=datetime(2021, 1, 1, tzinfo=UTC))
    await store.store_entries("A", ["thong-bao"], [older, newer], now=NOW, plan=Planner())
    await store.store_entries("B", ["tin-tuc"], [entry("3", "Tin")], now=NOW, plan=Planner())
    assert [a.title for a in await store.latest("thong-bao")] == ["Mới", "Cũ"]
    assert len(await store.latest()) == 3


async def test_source_health_counts_failures_and_resets_on_success(store):
    assert await store.record_failure("A", "HTTP 500", FETCH, now=NOW, next_poll_at=NOW) == 1
    assert await store.record_failure("A", "no items", LAYOUT, now=NOW, next_poll_at=NOW) == 2
    state = await store.source_state("A")
    assert (state.consecutive_failures, state.last_error) == (2, "no items")
    assert state.last_error_kind is LAYOUT
    await store.record_success("A", now=NOW, next_poll_at=NOW, etag='W/"x"', item_count=3)
    state = await store.source_state("A")
    assert state.consecutive_failures == 0
    assert state.etag == 'W/"x"'
    assert state.last_error == "no items"  # kept for the admin's /sources view
    await store.record_success("A", now=NOW, next_poll_at=NOW)  # a 304 keeps the validators
    assert (await store.source_state("A")).etag == 'W/"x"'
