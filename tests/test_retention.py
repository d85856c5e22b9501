"""Retention: old outbox rows folded into totals and deleted, /stats unchanged, space given back.

Histories are written straight into the outbox (as the sender would have left it) at a fixed
NOW; retention then runs at NOW and /stats is rendered before and after, as the admins read it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anbien_bot.bot.handlers.admin import CHART_DAYS, RECENT_BROADCASTS
from anbien_bot.bot.reports import stats_report
from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store, database, retention
from anbien_bot.text.dates import VN_TZ, to_iso

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
NAMES = {"thong-bao": "Thông báo"}
CHATS = range(1, 41)
STATUSES = ("sent", "failed", "blocked", "cancelled", "pending")


@dataclass(frozen=True)
class Row:
    """One outbox row of a history: whose, what, how it ended and when (hours before NOW)."""

    chat: int
    article: int | None  # None: the broadcast's row
    status: str
    queued: float
    sent: float | None = None  # hours after queueing, for a sent row


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "bot.sqlite3")
    yield opened
    await opened.close()


async def history(
    store: Store, rows: Sequence[Row], articles: int = 30, now: datetime = NOW
) -> None:
    """Write chats, one article a day for ``articles`` days, two broadcasts and the rows."""
    stamp = to_iso(now - timedelta(days=60))
    async with store.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO chats(id, created_at, updated_at) VALUES (?, ?, ?)",
            [(chat, stamp, stamp) for chat in CHATS],
        )
        await conn.executemany(
            "INSERT INTO subscriptions(chat_id, category, created_at) VALUES (?, 'thong-bao', ?)",
            [(chat, stamp) for chat in CHATS],
        )
        await conn.executemany(
            "INSERT INTO broadcasts(id, admin_id, created_at, text, audience, status, recipients,"
            " started_at, finished_at) VALUES (?, 9001, ?, 'Họp dân', 'all', ?, ?, ?, ?)",
            [
                (1, stamp, "done", len(CHATS), stamp, stamp),
                (2, stamp, "cancelled", len(CHATS), stamp, stamp),
            ],
        )
    entries = [
        Entry(
            key=str(day),
            url=f"https://anbien.example.vn/tin/{day}.html",
            title=f"Thông báo ngày {day}",
            published=now - timedelta(days=day),
        )
        for day in range(articles)
    ]
    await store.store_entries("Cổng huyện", ["thong-bao"], entries, now=now, plan=None)
    async with store.db.transaction() as conn:
        await conn.executemany(
            "INSERT OR IGNORE INTO deliveries(chat_id, article_id, broadcast_id, status, "
            "not_before, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_columns(row, now) for row in rows],
        )


def _columns(row: Row, now: datetime) -> tuple[object, ...]:
    queued = now - timedelta(hours=row.queued)
    sent = None
    if row.status == "sent":
        sent = to_iso(min(queued + timedelta(hours=row.sent or 0), now))
    broadcast = None if row.article is not None else 1 + (row.status == "cancelled")
    return (row.chat, row.article, broadcast, row.status, to_iso(queued), to_iso(queued), sent)


async def stats_text(store: Store, lang: str = "vi") -> list[str]:
    """Return /stats as the admin handler builds it, at NOW."""
    recent = [
        (b, await store.fanout_report(broadcast_id=b.id))
        for b in await store.recent_broadcasts(RECENT_BROADCASTS)
    ]
    return stats_report(
        await store.subscriber_stats(NOW),
        await store.delivery_stats(NOW),
        await store.archive_stats(),
        await store.daily_activity(NOW, CHART_DAYS),
        recent,
        NAMES,
        lang,  # type: ignore[arg-type]
        NOW,
    )


async def outbox(store: Store) -> list[tuple[object, ...]]:
    async with store.db.reading() as conn:
        cur = await conn.execute("SELECT chat_id, article_id, status FROM deliveries ORDER BY id")
        return [tuple(row) for row in await cur.fetchall()]


async def totals(store: Store) -> dict[tuple[str, str], tuple[int, ...]]:
    async with store.db.reading() as conn:
        cur = await conn.execute("SELECT * FROM delivery_days")
        return {(r[0], r[1]): tuple(r[2:]) for r in await cur.fetchall()}


# -- what is folded, what is kept ---------------------------------------------------------------


async def test_old_settled_rows_become_daily_totals_and_failed_rows_stay_longer(
    store: Store,
) -> None:
    day = 24.0
    await history(
        store,
        [
            Row(1, 10, "sent", 10 * day, 1),  # sent 10 days ago: folded
            Row(2, 10, "sent", 10 * day, 2.5 * day),  # queued 10 days ago, sent 7.5: kept
            Row(3, 10, "blocked", 10 * day),  # folded
            Row(4, 10, "failed", 10 * day),  # failed: kept for failed_days
            Row(5, 10, "pending", 10 * day),  # never touched
            Row(6, 20, "failed", 20 * day),  # failed long enough ago: folded
            Row(7, 1, "sent", 1 * day, 1),  # recent: kept
            Row(8, None, "sent", 9 * day, 1),  # a broadcast's row: folded
            Row(9, None, "cancelled", 9 * day),  # folded
        ],
    )

    report = await store.run_retention(NOW, settled_days=8, failed_days=15)

    assert await outbox(store) == [
        (2, 10, "sent"),
        (4, 10, "failed"),
        (5, 10, "pending"),
        (7, 1, "sent"),
    ]
    assert report.folded == {"sent": 2, "blocked": 1, "cancelled": 1, "failed": 1}
    assert report.complete
    # Vietnam days: 03:00 UTC is 10:00 there. Sent rows count on the day sent, others queued.
    assert await totals(store) == {
        ("2026-11-19", "article"): (1, 0, 1, 0),  # sent, failed, blocked, cancelled
        ("2026-11-09", "article"): (0, 1, 0, 0),
        ("2026-11-20", "broadcast"): (1, 0, 0, 1),
    }


async def test_folding_twice_adds_to_the_days_totals(store: Store) -> None:
    # Queued 12 days ago; sent 11 days and 1 hour ago (two rows), then 10 days 23 hours ago.
    rows = [Row(1, 10, "sent", 288, 23), Row(2, 10, "sent", 288, 23), Row(3, 10, "sent", 288, 25)]
    await history(store, rows)
    await store.run_retention(NOW, 11, 90)
    assert await totals(store) == {("2026-11-18", "article"): (2, 0, 0, 0)}
    assert await outbox(store) == [(3, 10, "sent")]
    await store.run_retention(NOW, 8, 90)
    assert await totals(store) == {("2026-11-18", "article"): (3, 0, 0, 0)}
    assert await outbox(store) == []


async def test_batches_are_short_units_of_work_that_let_residents_in(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH_ROWS", 10)
    await history(
        store, [Row(chat, a, "sent", 24 * 12, 1) for a in range(10, 20) for chat in CHATS]
    )
    run = asyncio.create_task(store.run_retention(NOW, 8, 90))
    await asyncio.sleep(0)  # the run holds the store for its first batch
    chat = await store.chat(1)  # a resident's command, reading the store meanwhile
    assert chat is not None
    assert not run.done()  # it got in between two batches, not after the whole run
    report = await run
    assert report.folded["sent"] == 400
    assert report.batches >= 40
    assert await outbox(store) == []


async def test_a_run_stops_between_batches_when_asked_and_the_next_goes_on(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH_ROWS", 10)
    await history(store, [Row(chat, 10, "sent", 24 * 12, 1) for chat in CHATS])
    asked = 0

    def stopping() -> bool:
        nonlocal asked
        asked += 1
        return asked > 2  # the bot began to stop after two batches

    first = await store.run_retention(NOW, 8, 90, stopping=stopping)
    assert (first.complete, first.folded["sent"]) == (False, 20)
    assert len(await outbox(store)) == 20
    second = await store.run_retention(NOW, 8, 90)
    assert (second.complete, second.folded["sent"]) == (True, 20)
    assert await totals(store) == {("2026-11-17", "article"): (40, 0, 0, 0)}


# -- /stats reads the same --------------------------------------------------------------------


async def test_stats_read_the_same_before_and_after_retention(store: Store) -> None:
    rows = []
    for article in range(30):  # one article a day, each day's fan-out ending every way
        for chat in CHATS:
            status = STATUSES[(chat + article) % 5] if article > 2 else "sent"
            if status == "pending" and article > 5:
                status = "sent"
            rows.append(Row(chat, article + 1, status, 24 * article + chat % 7, chat % 30))
    rows += [Row(chat, None, STATUSES[chat % 4], 24 * 9, chat) for chat in CHATS]
    await history(store, rows)
    before = {lang: await stats_text(store, lang) for lang in ("vi", "en")}

    report = await store.run_retention(NOW, settled_days=7, failed_days=7)

    assert sum(report.folded.values()) > len(rows) / 2
    assert {lang: await stats_text(store, lang) for lang in ("vi", "en")} == before


async def test_the_counts_of_posts_sent_leave_announcements_out_and_the_chart_adds_them(
    store: Store,
) -> None:
    # Posts: 3 sent in the last day, 2 more this week; an announcement: 4 sent in the last day.
    rows = [Row(chat, 1, "sent", 2, 1) for chat in (1, 2, 3)]
    rows += [Row(chat, 3, "sent", 24 * 3, 1) for chat in (1, 2)]
    rows += [Row(chat, None, "sent", 3, 1) for chat in (5, 6, 7, 8)]
    await history(store, rows)
    stats = await store.delivery_stats(NOW)
    assert (stats.sent_day, stats.sent_week) == (3, 5)
    chart = {d.day.isoformat(): d.sent for d in await store.daily_activity(NOW, 4)}
    assert chart == {"2026-11-26": 2, "2026-11-27": 0, "2026-11-28": 0, "2026-11-29": 7}


row_strategy = st.builds(
    Row,
    chat=st.sampled_from(CHATS),
    article=st.one_of(st.none(), st.integers(1, 30)),
    status=st.sampled_from(STATUSES),
    queued=st.floats(0, 24 * 40),
    sent=st.floats(0, 24 * 10),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row_strategy, max_size=120),
    settled=st.integers(7, 20),
    longer=st.integers(0, 30),
)
def test_any_history_reads_the_same_in_stats_after_retention(
    rows: list[Row], settled: int, longer: int
) -> None:
    async def check() -> None:
        store = await Store.open(":memory:")
        try:
            await history(store, rows)
            before = await stats_text(store)
            await store.run_retention(NOW, settled, settled + longer)
            assert await stats_text(store) == before
        finally:
            await store.close()

    asyncio.run(check())


async def test_a_broadcasts_report_counts_the_rows_folded(store: Store) -> None:
    rows = [Row(chat, None, ("sent", "blocked")[chat % 2], 24 * 10, 0.5) for chat in CHATS]
    rows += [Row(chat, None, "cancelled", 24 * 10) for chat in range(1, 5)]
    await history(store, rows)
    before = [await store.fanout_report(broadcast_id=b) for b in (1, 2)]
    assert before[0].recipients == len(CHATS)

    await store.run_retention(NOW, 8, 90)

    assert await outbox(store) == []
    assert [await store.fanout_report(broadcast_id=b) for b in (1, 2)] == before


# -- nothing twice --------------------------------------------------------------------------


async def test_a_story_whose_rows_were_folded_is_never_queued_again(store: Store) -> None:
    await history(store, [], articles=0)
    old = NOW - timedelta(days=10)
    story = Entry(
        key="a-1", url="https://anbien.example.vn/tin/1.html", title="Lịch tiếp dân", published=old
    )
    first = await store.store_entries(
        "Cổng huyện", ["thong-bao"], [story], now=old, plan=Planner()
    )
    assert first.enqueued == len(CHATS)
    async with store.db.reading() as conn:
        ids = [r[0] for r in await (await conn.execute("SELECT id FROM deliveries")).fetchall()]
    await store.mark_sent([([i], 100 + i) for i in ids], old)
    await store.run_retention(NOW, 8, 90)
    assert await outbox(store) == []

    # Another source carries the same story (same title and minute) under another category.
    repost = Entry(
        key="b-1", url="https://tinh.example.vn/tin/1.html", title="Lịch tiếp dân", published=old
    )
    again = await store.store_entries(
        "Cổng tỉnh", ["thong-bao"], [repost], now=NOW, plan=Planner()
    )
    assert (again.reposts, again.enqueued) == (1, 0)
    assert await outbox(store) == []
    fresh = Entry(
        key="a-2", url="https://anbien.example.vn/tin/2.html", title="Tin mới", published=NOW
    )
    later = await store.store_entries(
        "Cổng huyện", ["thong-bao"], [fresh], now=NOW, plan=Planner()
    )
    assert later.enqueued == len(CHATS)  # a new story goes to everyone, as ever


# -- space ----------------------------------------------------------------------------------


def file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


async def test_the_space_of_deleted_rows_goes_back_to_the_disk(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "bot.sqlite3"
    await history(store, [], articles=1)
    stamp = to_iso(NOW - timedelta(days=20))
    async with store.db.transaction() as conn:
        await conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 40999) "
            "INSERT INTO chats(id, created_at, updated_at) SELECT i, ?, ? FROM n",
            (stamp, stamp),
        )
        await conn.execute(
            "INSERT INTO deliveries(chat_id, article_id, status, not_before, created_at, sent_at)"
            " SELECT id, 1, 'sent', ?, ?, ? FROM chats WHERE id >= 1000",
            (stamp, stamp, stamp),
        )
    await store.db.checkpoint()
    full = path.stat().st_size

    report = await store.run_retention(NOW, 8, 90)

    assert report.folded["sent"] == 40_000
    assert report.pages_released > 0
    assert await store.db.pragma("freelist_count") == 0
    assert path.stat().st_size < full * 0.75  # the chats stay; the outbox's pages are gone


def legacy_database(path: Path) -> None:
    """Write a database as the bot made it before incremental vacuum (auto_vacuum off)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA auto_vacuum = NONE")
        conn.execute("CREATE TABLE padding(x)")
        conn.executemany("INSERT INTO padding VALUES (?)", [("x" * 1000,)] * 200)
    conn.close()


async def test_a_small_database_made_before_gets_incremental_vacuum_when_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    legacy_database(path)
    store = await Store.open(path)
    try:
        assert await store.db.pragma("auto_vacuum") == 2  # INCREMENTAL
        assert await store.db.pragma("user_version") >= 8  # and migrated as ever
    finally:
        await store.close()


async def test_a_big_one_is_left_as_it_is_with_a_hint_until_maintain_vacuum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from anbien_bot.cli import maintain
    from anbien_bot.config import load_config
    from tests.harness import write_config

    monkeypatch.setattr(database, "VACUUM_AT_OPEN_BYTES", 1024)
    config = load_config(write_config(tmp_path, telegram={}), environ={})
    legacy_database(config.storage.database)
    with caplog.at_level(logging.WARNING):
        store = await Store.open(config.storage.database)
        try:
            assert await store.db.pragma("auto_vacuum") == 0
        finally:
            await store.close()
    assert "anbien-bot maintain --vacuum" in caplog.text

    assert await maintain(config, vacuum=True) == 0
    with sqlite3.connect(config.storage.database) as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    conn.close()


async def test_maintain_folds_now_and_says_when_the_database_is_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from anbien_bot.cli import maintain
    from anbien_bot.config import load_config
    from tests.harness import write_config

    config = load_config(write_config(tmp_path, telegram={}), environ={})
    store = await Store.open(config.storage.database)
    try:
        await history(store, [Row(chat, 10, "sent", 24 * 12, 1) for chat in CHATS])
    finally:
        await store.close()

    assert await maintain(config, vacuum=False) == 0
    out = capsys.readouterr().out
    assert "40 sent" in out
    assert "database OK" in out

    # A subscription left behind by a chat deleted with foreign keys off: a broken link.
    with sqlite3.connect(config.storage.database) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM chats WHERE id = 1")
    conn.close()
    assert await maintain(config, vacuum=False) == 1
    assert "integrity check: foreign key" in capsys.readouterr().err


# -- in the bot -----------------------------------------------------------------------------


async def test_the_bot_runs_retention_every_night_and_stats_read_the_same(
    tmp_path: Path,
) -> None:
    from tests.admin_chat import ADMIN, admin_config, push, raw_message, replies_to
    from tests.fake_telegram import FakeTelegram
    from tests.harness import running_bot

    now = datetime.now(UTC).replace(microsecond=0)
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        # Post a was sent a days and half an hour ago, to every chat.
        rows = [Row(chat, a, "sent", 24 * a + 1, 0.5) for a in range(1, 20) for chat in CHATS]
        await history(store, [*rows, Row(1, 25, "blocked", 24 * 25)], now=now)
    finally:
        await store.close()
    async with FakeTelegram() as fake, running_bot(admin_config(tmp_path, fake)) as app:
        (job,) = app.job_queue.get_jobs_by_name("retention")
        at = job.next_t.astimezone(VN_TZ)
        assert (at.hour, at.minute) == (3, 30)
        assert job.next_t - datetime.now(UTC) <= timedelta(days=1)
        push(fake, raw_message(ADMIN, text="/stats"))
        (before,) = await replies_to(fake, ADMIN, 1)

        await job.run(app)

        store = app.bot_data["services"].store
        assert len(await outbox(store)) == 7 * len(CHATS)  # sent in the last 8 days
        push(fake, raw_message(ADMIN, text="/stats"))
        after = (await replies_to(fake, ADMIN, 2))[1]
    # The first line says when (to the minute); the rest must read the same.
    assert after.params["text"].split("\n")[1:] == before.params["text"].split("\n")[1:]


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["settled_days", "failed_days"])
def test_the_example_documents_each_retention_key_and_its_range(key: str) -> None:
    from dataclasses import fields

    from anbien_bot.serviceconfig import RetentionConfig
    from tests.test_config import example_paragraph, number

    (field,) = [f for f in fields(RetentionConfig) if f.name == key]
    low, high = field.metadata["range"]
    paragraph = example_paragraph(key)
    assert f"{number(low)} to {number(high)}" in paragraph
    assert f"{key} = {field.default}" in paragraph


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"settled_days": 6}, "retention.settled_days: must be from 7 to 3650"),
        ({"settled_days": 30, "failed_days": 10}, "retention.failed_days: must be at least"),
        ({"keep": 3}, "retention"),
    ],
)
def test_retention_days_out_of_range_are_refused(
    tmp_path: Path, table: dict[str, int], message: str
) -> None:
    from anbien_bot.config import ConfigError, load_config
    from tests.harness import write_config

    path = write_config(tmp_path, telegram={})
    lines = "".join(f"{key} = {value}\n" for key, value in table.items())
    path.write_text(path.read_text(encoding="utf-8") + f"\n[retention]\n{lines}", "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path, environ={})


async def test_maintain_on_a_file_that_is_no_database_says_so_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from anbien_bot.cli import maintain
    from anbien_bot.config import load_config
    from tests.harness import write_config

    config = load_config(write_config(tmp_path, telegram={}), environ={})
    config.storage.database.write_bytes(b"not a database, just some bytes " * 200)
    assert await maintain(config, vacuum=False) == 1
    assert "file is not a database" in capsys.readouterr().err
