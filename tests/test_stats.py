"""The counts behind /stats, and how /stats and a broadcast's progress read."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.bot.reports import (
    activity_chart,
    bar,
    duration,
    join_blocks,
    number,
    progress_text,
    stats_report,
)
from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.store.broadcasts import Broadcast
from anbien_bot.store.outbox import FanoutReport
from anbien_bot.store.stats import ArchiveStats, DayActivity, DeliveryStats, SubscriberStats
from anbien_bot.text.dates import to_iso
from tests.admin_chat import add_subscribers
from tests.telegram_rules import check_telegram_html, parse_telegram_html

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
NAMES = {"thong-bao": "Thông báo", "hoat-dong-huyen-uy": "Hoạt động Huyện ủy"}


async def publish(store: Store, *days_ago: float) -> list[int]:
    entries = [
        Entry(
            key=f"{ago}",
            url=f"https://anbien.example.vn/tin/{ago}.html",
            title=f"Thông báo số {i} ({ago} ngày trước)",
            published=NOW - timedelta(days=ago),
        )
        for i, ago in enumerate(days_ago)
    ]
    result = await store.store_entries(
        "Cổng huyện", ["thong-bao"], entries, now=NOW, plan=Planner()
    )
    return list(result.new)


def deliver(db_path: Path, rows: list[tuple[int, int, str, datetime, datetime | None]]) -> None:
    """Write outbox rows (chat, article, status, queued at, sent at) straight in."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM deliveries")
        conn.executemany(
            "INSERT INTO deliveries(chat_id, article_id, status, not_before, created_at, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (chat, article, status, to_iso(queued), to_iso(queued), sent and to_iso(sent))
                for chat, article, status, queued, sent in rows
            ],
        )
    conn.close()


async def test_subscribers_are_counted_by_state_category_language_and_kind(
    store: Store, db_path: Path
) -> None:
    old = NOW - timedelta(days=30)
    add_subscribers(db_path, [1, 2], created=old)
    add_subscribers(db_path, [2, 3], "hoat-dong-huyen-uy", created=NOW - timedelta(days=2))
    add_subscribers(db_path, [4], language="en", chat_type="supergroup", created=NOW)
    add_subscribers(db_path, [5], active=False, created=NOW)
    await store.upsert_chat(6, "private", "vi", now=NOW)  # started, chose nothing
    stats = await store.subscriber_stats(NOW)
    assert (stats.active, stats.without_categories, stats.inactive) == (4, 1, 1)
    assert stats.new_this_week == 2  # chat 3 and chat 4; chat 6 has no subscription
    assert stats.by_category == {"thong-bao": 3, "hoat-dong-huyen-uy": 2}
    assert stats.by_language == {"vi": 3, "en": 1}
    assert stats.by_type == {"private": 3, "supergroup": 1}


async def test_posts_sent_and_lost_are_counted_by_day_and_week(
    store: Store, db_path: Path
) -> None:
    add_subscribers(db_path, range(1, 8))
    a, b = await publish(store, 0.1, 3)
    hour, days3, days10 = (NOW - timedelta(hours=h) for h in (1, 72, 240))
    deliver(
        db_path,
        [
            (1, a, "sent", hour, hour),
            (2, a, "sent", hour, hour),
            (3, a, "failed", hour, None),
            (4, a, "blocked", hour, None),
            (5, a, "pending", hour, None),
            (1, b, "sent", days3, days3),
            (2, b, "failed", days3, None),
            (3, b, "sent", days10, days10),  # too old to count
        ],
    )
    stats = await store.delivery_stats(NOW)
    assert stats == DeliveryStats(
        sent_day=2,
        sent_week=3,
        failed_day=1,
        failed_week=2,
        blocked_day=1,
        blocked_week=1,
        pending=1,
    )


async def test_archive_span_and_daily_activity_in_vietnam_days(
    store: Store, db_path: Path
) -> None:
    assert await store.archive_stats() == ArchiveStats(0, None, None)
    add_subscribers(db_path, [1], created=NOW - timedelta(days=1))
    # 18:00 UTC is already the next day in Vietnam.
    add_subscribers(db_path, [2], created=datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    (article,) = await publish(store, 400)
    late = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # 00:30 on the 29th in Vietnam
    deliver(db_path, [(1, article, "sent", late, late), (2, article, "sent", NOW, NOW)])
    archive = await store.archive_stats()
    assert (archive.articles, archive.oldest, archive.newest) == (
        1,
        NOW - timedelta(days=400),
        NOW - timedelta(days=400),
    )
    days = await store.daily_activity(NOW, 3)
    assert days == [
        DayActivity(date(2026, 11, 27), 0, 0),
        DayActivity(date(2026, 11, 28), 2, 0),
        DayActivity(date(2026, 11, 29), 0, 2),
    ]
    assert await store.source_activity(NOW - timedelta(days=7)) == {}
    await publish(store, 1, 2)
    assert await store.source_activity(NOW - timedelta(days=7)) == {"Cổng huyện": 2}


# -- how the reports read --------------------------------------------------------------------


def test_numbers_and_durations_read_as_each_language_writes_them() -> None:
    assert (number(1234567, "vi"), number(1234567, "en"), number(7, "vi")) == (
        "1.234.567",
        "1,234,567",
        "7",
    )
    assert duration(0.2, "vi") == "1 giây"
    assert duration(125, "vi") == "2 phút 5 giây"
    assert duration(3 * 3600 + 61, "en") == "3 h 1 min"


@settings(max_examples=200)
@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_bar_is_never_longer_than_the_scale_and_shows_any_non_zero_value(
    value: int, largest: int
) -> None:
    value = min(value, largest)
    drawn = bar(value, largest, width=10)
    assert len(drawn) <= 10
    assert (drawn != "") == (value > 0)


def test_the_chart_lines_up_days_new_subscribers_and_sends() -> None:
    days = [
        DayActivity(date(2026, 11, 27), 0, 0),
        DayActivity(date(2026, 11, 28), 12, 1500),
        DayActivity(date(2026, 11, 29), 1, 750),
    ]
    chart = activity_chart(days, "vi")
    lines = parse_telegram_html(chart).split("\n")
    assert lines == [
        "Ngày  Mới            Đã gửi",
        "27/11   0            0",
        "28/11 +12 ██████████ 1.500",
        "29/11  +1 █████      750",
    ]


def test_the_stats_report_is_valid_telegram_html_and_splits_only_between_blocks() -> None:
    subscribers = SubscriberStats(
        active=1200,
        without_categories=3,
        inactive=40,
        new_this_week=25,
        by_category={"thong-bao": 1100, "hoat-dong-huyen-uy": 300, "gone": 2},
        by_language={"vi": 1190, "en": 10},
        by_type={"private": 1180, "group": 15, "supergroup": 4, "channel": 1},
    )
    deliveries = DeliveryStats(5000, 30000, 3, 10, 2, 8, 0)
    archive = ArchiveStats(1500, NOW - timedelta(days=2000), NOW)
    days = [DayActivity(date(2026, 11, 29), 5, 4200)]
    broadcast = Broadcast(
        1, 9001, NOW, "<b>x</b>", None, "category:thong-bao", "done", 1000, NOW, NOW, 9001, 7
    )
    report = FanoutReport(1000, 0, 997, 0, 3, 0, 40.0)
    [message] = stats_report(
        subscribers, deliveries, archive, days, [(broadcast, report)], NAMES, "vi", NOW
    )
    check_telegram_html(message, 4096)
    assert "Theo chuyên mục: Thông báo 1.100, Hoạt động Huyện ủy 300" in message
    assert "Theo loại: cá nhân 1.180, nhóm 19, kênh 1" in message
    assert "#1 29/11/2026 10:00 · người đăng ký chuyên mục Thông báo · 997/1.000" in message
    blocks = ["<b>a</b>" + "x" * 3000, "<i>b</i>" + "y" * 3000, "c"]
    assert join_blocks(blocks) == [blocks[0], blocks[1] + "\n\nc"]


def test_the_english_stats_say_one_article_and_count_many_with_separators() -> None:
    subscribers = SubscriberStats(1, 0, 0, 1, {"thong-bao": 1}, {"en": 1}, {"private": 1})
    deliveries = DeliveryStats(0, 0, 0, 0, 0, 0, 0)
    days = [DayActivity(date(2026, 11, 29), 1, 0)]
    for count, written in ((1, "1 article,"), (1234, "1,234 articles,")):
        archive = ArchiveStats(count, NOW, NOW)
        [message] = stats_report(subscribers, deliveries, archive, days, [], NAMES, "en", NOW)
        assert f"\n{written} published" in message
    assert "<b>Last day</b>" in message


def test_progress_estimates_the_time_left_from_the_pace_so_far() -> None:
    broadcast = Broadcast(2, 9001, NOW, "x", None, "all", "sending", 1000, NOW, None, 9001, 7)
    halfway = FanoutReport(1000, 500, 490, 0, 10, 0, 0.0)
    body = progress_text(broadcast, halfway, 50.0, NAMES, "vi")
    check_telegram_html(body, 4096)
    assert "Đã gửi 490/1.000 · còn 500" in body
    assert "Còn khoảng 50 giây" in body
    assert "chưa rõ" in progress_text(
        broadcast, FanoutReport(1000, 1000, 0, 0, 0, 0, 0), 0, NAMES, "vi"
    )
