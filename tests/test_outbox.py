"""The outbox in the store: which rows are due in what order, and what sending records."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.text.dates import to_iso

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def entry(key: str, hour: int) -> Entry:
    """Return a post published at that hour of DAY."""
    return Entry(
        key=key,
        url=f"https://anbien.example.vn/tin/{key}",
        title=f"Thông báo số {key} về lịch tiếp công dân",
        summary="Ủy ban nhân dân huyện thông báo lịch tiếp công dân.",
        published=DAY + timedelta(hours=hour),
    )


async def subscribe(store: Store, chat_id: int, *categories: str) -> None:
    await store.upsert_chat(chat_id, "private" if chat_id > 0 else "group", "vi")
    await store.subscribe(chat_id, categories or ("thong-bao",))


async def post(store: Store, *entries: Entry, category: str = "thong-bao") -> tuple[int, ...]:
    result = await store.store_entries("nguon", [category], list(entries), now=NOW, plan=Planner())
    return result.new


def rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT id, chat_id, article_id, status, attempts, message_id, error, not_before "
            "FROM deliveries ORDER BY id"
        ).fetchall()


async def test_heads_come_one_per_chat_in_publication_order(store: Store) -> None:
    await subscribe(store, 1)
    await subscribe(store, 2)
    # Stored in one poll, newest first, as feeds list them.
    late, early = await post(store, entry("b", hour=9), entry("a", hour=7))
    due, next_due = await store.due_deliveries(NOW, 10)
    assert [(d.chat_id, d.article_id) for d in due] == [(1, early), (2, early)]
    assert all(d.due_posts == 2 for d in due)
    assert next_due is None  # nothing else waits with a later not_before
    await store.mark_sent([([due[0].id], 77)], NOW)
    due, _ = await store.due_deliveries(NOW, 10)
    # Across chats too, older posts go first.
    assert [(d.chat_id, d.article_id) for d in due] == [(2, early), (1, late)]


async def test_busy_chats_are_skipped_and_limit_holds(store: Store) -> None:
    for chat in (1, 2, 3):
        await subscribe(store, chat)
    await post(store, entry("a", hour=7))
    due, next_due = await store.due_deliveries(NOW, 1, busy={1})
    assert [d.chat_id for d in due] == [2]
    assert next_due is None  # not looked up: the limit was reached


async def test_a_deferred_head_holds_back_its_chat_and_says_when(store: Store) -> None:
    await subscribe(store, 1)
    await subscribe(store, 2)
    await post(store, entry("a", hour=7), entry("b", hour=8))
    heads, _ = await store.due_deliveries(NOW, 10)
    later = NOW + timedelta(seconds=30)
    await store.retry_delivery([heads[0].id], later, "flood control", count=False)
    due, next_due = await store.due_deliveries(NOW, 10)
    # Chat 1's second post is due, but its first is not: chat 1 waits as a whole.
    assert [d.chat_id for d in due] == [2]
    assert next_due == later
    due, _ = await store.due_deliveries(later, 10)
    assert next((d.chat_id, d.id) for d in due) == (1, heads[0].id)


async def test_a_retry_never_goes_before_the_moment_it_was_given(store: Store) -> None:
    """Times are stored to the second: Telegram's retry_after must not be cut short."""
    await subscribe(store, 1)
    await post(store, entry("a", hour=7))
    (head,), _ = await store.due_deliveries(NOW, 10)
    asked = NOW + timedelta(seconds=1, milliseconds=200)
    await store.retry_delivery([head.id], asked, "Flood control exceeded", count=False)
    due, next_due = await store.due_deliveries(asked, 10)
    assert due == []
    assert next_due == NOW + timedelta(seconds=2)
    assert [d.id for d in (await store.due_deliveries(NOW + timedelta(seconds=2), 10))[0]] == [
        head.id
    ]


async def test_higher_priority_goes_first(store: Store, db_path: Path) -> None:
    await subscribe(store, 1)
    await post(store, entry("a", hour=7))
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO broadcasts(id, admin_id, created_at, text, audience, urgent) "
            "VALUES (5, 9, ?, '<b>Bão số 3</b>', 'all', 1)",
            (to_iso(NOW),),
        )
        conn.execute(
            "INSERT INTO deliveries(chat_id, broadcast_id, priority, not_before, created_at) "
            "VALUES (1, 5, 10, ?, ?)",
            (to_iso(NOW), to_iso(NOW)),
        )
    due, _ = await store.due_deliveries(NOW, 10)
    assert [(d.broadcast_id, d.priority) for d in due] == [(5, 10)]
    assert await store.broadcast_message(5) == ("<b>Bão số 3</b>", None)
    assert await store.broadcast_message(6) is None


async def test_due_posts_stop_at_the_first_that_is_not_due(store: Store) -> None:
    await subscribe(store, 1)
    a, b, c = await post(store, entry("a", 7), entry("b", 8), entry("c", 9))
    listed = await store.due_posts(1, 0, NOW)
    assert [article for _, article in listed] == [a, b, c]
    await store.retry_delivery([listed[1][0]], NOW + timedelta(minutes=1), "x", count=False)
    assert [article for _, article in await store.due_posts(1, 0, NOW)] == [a]


async def test_sent_retried_and_failed_rows_record_why(store: Store, db_path: Path) -> None:
    for chat in (1, 2, 3):
        await subscribe(store, chat)
    (article,) = await post(store, entry("a", hour=7))
    one, two, three = (d.id for d in (await store.due_deliveries(NOW, 10))[0])
    await store.mark_sent([([one], 501)], NOW)
    await store.retry_delivery([two], NOW + timedelta(seconds=4), "NetworkError: 502")
    await store.mark_failed([three], "NetworkError: Internal Server Error")
    table = {r[0]: r for r in rows(db_path)}
    assert table[one][3:6] == ("sent", 1, 501)
    assert table[two][3:5] == ("pending", 1)
    assert table[two][6] == "NetworkError: 502"
    assert table[two][7] == to_iso(NOW + timedelta(seconds=4))
    assert table[three][3] == "failed"
    assert "Internal Server Error" in table[three][6]
    report = await store.fanout_report(article_id=article)
    assert (report.recipients, report.sent, report.pending, report.failed) == (3, 1, 1, 1)
    assert await store.pending_deliveries() == 1


async def test_several_messages_are_recorded_at_once_each_with_its_id(
    store: Store, db_path: Path
) -> None:
    for chat in (1, 2):
        await subscribe(store, chat)
    await post(store, entry("a", hour=7), entry("b", hour=8))
    with sqlite3.connect(db_path) as conn:
        by_chat = conn.execute("SELECT chat_id, group_concat(id) FROM deliveries GROUP BY 1")
        ids = {chat: [int(i) for i in row.split(",")] for chat, row in by_chat}
    # Chat 1 got both posts as one list message, chat 2 only its first post so far.
    await store.mark_sent([(ids[1], 700), (ids[2][:1], 701)], NOW)
    table = {r[0]: r for r in rows(db_path)}
    assert [table[i][3:6] for i in ids[1]] == [("sent", 1, 700)] * 2
    assert table[ids[2][0]][3:6] == ("sent", 1, 701)
    assert table[ids[2][1]][3:6] == ("pending", 0, None)


async def test_failing_a_row_leaves_a_settled_one_alone(store: Store, db_path: Path) -> None:
    await subscribe(store, 1)
    await post(store, entry("a", hour=7))
    (row,), _ = await store.due_deliveries(NOW, 10)
    await store.mark_sent([([row.id], 9)], NOW)
    await store.mark_failed([row.id], "late timeout")
    await store.retry_delivery([row.id], NOW, "late")
    assert rows(db_path)[0][3] == "sent"


async def test_photo_file_ids_are_kept_and_only_the_refused_one_forgotten(store: Store) -> None:
    url = "https://anbien.example.vn/anh/bao.jpg"
    assert await store.telegram_file(url) is None
    await store.remember_telegram_file(url, "photo-1", NOW)
    await store.remember_telegram_file(url, "photo-2", NOW)
    await store.forget_telegram_file(url, "photo-1")  # an older id: the newer one stays
    assert await store.telegram_file(url) == "photo-2"
    await store.forget_telegram_file(url, "photo-2")
    assert await store.telegram_file(url) is None


async def test_fanout_report_counts_blocked_chats_and_duration(store: Store) -> None:
    for chat in (1, 2):
        await subscribe(store, chat)
    (article,) = await post(store, entry("a", hour=7))
    first, _ = (await store.due_deliveries(NOW, 10))[0]
    await store.mark_sent([([first.id], 1)], NOW + timedelta(seconds=42))
    await store.set_active(2, False)
    report = await store.fanout_report(article_id=article)
    assert (report.sent, report.blocked, report.pending) == (1, 1, 0)
    assert report.seconds == pytest.approx(42)
