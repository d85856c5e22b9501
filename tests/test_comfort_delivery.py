"""Alerts, digests, quiet hours and urgent posts in the outbox, on a clock the test sets."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from anbien_bot.config import (
    DEFAULT_URGENT_WORDS,
    Category,
    Config,
    DeliveryConfig,
    PollingConfig,
    StorageConfig,
)
from anbien_bot.delivery.alerts import MAX_ALERTS, index_key, query_words
from anbien_bot.delivery.outgoing import Composer
from anbien_bot.delivery.planner import Planner, Urgency, slot_for
from anbien_bot.delivery.render import TEXT_LIMIT, visible_length
from anbien_bot.models import Entry, QuietHours
from anbien_bot.store import Store
from anbien_bot.store.preferences import AlertAdded
from anbien_bot.telegramconfig import TelegramConfig
from anbien_bot.text.dates import VN_TZ
from anbien_bot.values import Priority, digest_priority, is_digest

CATEGORIES = (
    Category("thong-bao", "Thông báo"),
    Category("tin-tuc", "Tin tức"),
    Category("mat-dien", "Lịch cúp điện"),
)
CONFIG = Config(
    telegram=TelegramConfig("1:test"),
    storage=StorageConfig(),
    polling=PollingConfig(),
    delivery=DeliveryConfig(),
    categories=CATEGORIES,
    sources=(),
)
NIGHT = QuietHours(22 * 60, 6 * 60)
PLANNER = Planner(Urgency(phrases=tuple(query_words(w) for w in DEFAULT_URGENT_WORDS)))
DIGEST, QUIET, INSTANT = 1, 2, 3


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=VN_TZ)


@pytest.fixture
async def store(store: Store) -> Store:
    """The store with three subscribers: one on a digest, one with quiet hours, one instant."""
    for chat_id in (DIGEST, QUIET, INSTANT):
        await store.activate_chat(chat_id, "private", "vi", now=vn(1, 12))
        await store.subscribe(chat_id, ["thong-bao"])
    await store.set_digest(DIGEST, 7, vn(1, 12), replan=slot_for)
    await store.set_quiet_hours(QUIET, NIGHT, vn(1, 12), replan=slot_for)
    return store


async def post(
    store: Store,
    title: str,
    at: datetime,
    category: str = "thong-bao",
    planner: Planner = PLANNER,
) -> int:
    """Store one new article seen (and published) at ``at``; return its id."""
    entry = Entry(
        key=title,
        url=f"https://anbien.kiengiang.gov.vn/tin/{abs(hash(title))}",
        title=title,
        summary=f"{title}.",
        published=at,
    )
    result = await store.store_entries("portal", [category], [entry], now=at, plan=planner)
    return result.new[0]


async def add_alert(store: Store, chat_id: int, words: tuple[str, ...]) -> AlertAdded:
    """Add an alert as /alert does: filed under its longest word, at most MAX_ALERTS a chat."""
    return await store.add_alert(chat_id, words, vn(1, 12), key=index_key(words), limit=MAX_ALERTS)


async def heads(store: Store, now: datetime) -> dict[int, tuple[int, int | None]]:
    """Return each chat's due head as (priority, article id)."""
    rows, _ = await store.due_deliveries(now, 100)
    return {r.chat_id: (r.priority, r.article_id) for r in rows}


def rows_of(db_path: Path, chat_id: int) -> list[tuple[int, int, str]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT article_id, priority, status FROM deliveries WHERE chat_id = ? ORDER BY id",
            (chat_id,),
        ).fetchall()


async def test_a_7_oclock_digest_holds_exactly_the_days_posts_of_categories_and_alerts(
    store: Store, db_path: Path
) -> None:
    assert await add_alert(store, DIGEST, query_words("mat dien thu ba")) is (AlertAdded.ADDED)
    await post(store, "Họp dân ấp Xẻo Nhàu", vn(5, 8))
    await post(store, "Mất điện xã Thứ Ba", vn(5, 15), category="mat-dien")  # by the alert
    await post(store, "Lễ hội đua ghe", vn(5, 16), category="tin-tuc")  # neither
    await post(store, "Lịch tiếp dân tháng 3", vn(6, 6, 59))
    await post(store, "Tin của ngày hôm sau", vn(6, 7, 30))

    assert DIGEST not in await heads(store, vn(6, 6, 59))
    due = await store.due_deliveries(vn(6, 7), 100)
    head = next(r for r in due[0] if r.chat_id == DIGEST)
    assert head.priority == digest_priority(vn(6, 7))
    out = await Composer(store, CONFIG).compose(head)
    assert out is not None
    assert len(out.ids) == 3
    assert "Bản tin ngày 06/03/2024" in out.rendered.text
    for title in ("Họp dân ấp Xẻo Nhàu", "Mất điện xã Thứ Ba", "Lịch tiếp dân tháng 3"):
        assert title in out.rendered.text
    assert "Lễ hội" not in out.rendered.text
    assert "hôm sau" not in out.rendered.text

    await store.mark_sent([(out.ids, 99)], vn(6, 7))
    assert DIGEST not in await heads(store, vn(7, 6, 59))
    (tomorrow,) = [
        r for r in (await store.due_deliveries(vn(7, 7), 100))[0] if r.chat_id == DIGEST
    ]
    nxt = await Composer(store, CONFIG).compose(tomorrow)
    assert nxt is not None
    assert len(nxt.ids) == 1
    assert "hôm sau" in nxt.rendered.text


async def test_a_long_digest_is_split_only_where_telegram_demands(store: Store) -> None:
    for i in range(60):
        await post(
            store,
            f"Thông báo số {i} về việc " + "tổ chức lấy ý kiến nhân dân " * 3,
            vn(5, 8) + timedelta(minutes=i),
        )
    composer, sent = Composer(store, CONFIG), 0
    messages = 0
    while due := [
        r for r in (await store.due_deliveries(vn(6, 7), 100))[0] if r.chat_id == DIGEST
    ]:
        out = await composer.compose(due[0])
        assert out is not None
        assert visible_length(out.rendered.text) <= TEXT_LIMIT
        await store.mark_sent([(out.ids, messages)], vn(6, 7))
        sent += len(out.ids)
        messages += 1
    assert sent == 60
    assert 1 < messages <= 3


async def test_a_post_at_23_for_a_chat_quiet_22_to_6_arrives_at_6(store: Store) -> None:
    article = await post(store, "Họp dân ấp Xẻo Nhàu", vn(5, 23))
    assert (await heads(store, vn(5, 23)))[INSTANT] == (0, article)
    assert QUIET not in await heads(store, vn(6, 5, 59))
    assert (await heads(store, vn(6, 6)))[QUIET] == (0, article)


async def test_quiet_posts_go_out_in_order_when_the_hours_end(store: Store) -> None:
    first = await post(store, "Tin thứ nhất", vn(5, 22, 30))
    second = await post(store, "Tin thứ hai", vn(6, 1))
    assert await store.due_posts(QUIET, 0, vn(6, 5, 59)) == []
    assert [a for _, a in await store.due_posts(QUIET, 0, vn(6, 6))] == [first, second]


async def test_an_urgent_post_at_23_arrives_at_once_and_before_waiting_ones(
    store: Store,
) -> None:
    waiting = await post(store, "Họp dân ấp Xẻo Nhàu", vn(5, 22, 50))
    urgent = await post(store, "Bão số 9 đổ bộ vào Kiên Giang", vn(5, 23))
    due = await heads(store, vn(5, 23))
    assert due[QUIET] == (Priority.URGENT, urgent)
    assert due[DIGEST] == (Priority.URGENT, urgent)
    assert due[INSTANT] == (Priority.URGENT, urgent)  # before the one already waiting
    assert waiting != urgent


async def test_an_urgent_category_bypasses_digest_and_quiet_hours(store: Store) -> None:
    planner = Planner(Urgency(categories=frozenset({"mat-dien"})))
    for chat_id in (DIGEST, QUIET):
        await store.subscribe(chat_id, ["mat-dien"])
    article = await post(
        store, "Lịch cúp điện ngày mai", vn(5, 23), category="mat-dien", planner=planner
    )
    due = await heads(store, vn(5, 23))
    assert due[DIGEST] == due[QUIET] == (Priority.URGENT, article)


async def test_an_alert_and_a_category_matching_one_article_make_one_message(
    store: Store, db_path: Path
) -> None:
    await add_alert(store, INSTANT, query_words("họp dân"))
    await add_alert(store, INSTANT, query_words("xeo nhau"))
    article = await post(store, "Họp dân ấp Xẻo Nhàu", vn(5, 9))
    assert rows_of(db_path, INSTANT) == [(article, 0, "pending")]


async def test_an_alert_brings_posts_from_outside_the_chats_categories(
    store: Store, db_path: Path
) -> None:
    await add_alert(store, INSTANT, query_words("thu ba"))
    matching = await post(store, "Mất điện xã Thứ Ba", vn(5, 9), category="mat-dien")
    await post(store, "Mất điện xã Nam Thái", vn(5, 10), category="mat-dien")
    await post(store, "Thứ Bảy tình nguyện", vn(5, 11), category="tin-tuc")  # not whole words
    assert [r[0] for r in rows_of(db_path, INSTANT)] == [matching]


async def test_an_inactive_chat_gets_nothing_from_its_alerts(store: Store, db_path: Path) -> None:
    await add_alert(store, INSTANT, query_words("thu ba"))
    await store.set_active(INSTANT, False)
    await post(store, "Mất điện xã Thứ Ba", vn(5, 9), category="mat-dien")
    assert rows_of(db_path, INSTANT) == []


async def test_alerts_are_limited_and_never_doubled(store: Store) -> None:
    for i in range(30):
        assert await add_alert(store, INSTANT, (f"ap{i}",)) is AlertAdded.ADDED
    assert await add_alert(store, INSTANT, ("ap0",)) is AlertAdded.EXISTS
    assert await add_alert(store, INSTANT, ("them",)) is AlertAdded.FULL
    first = (await store.alerts(INSTANT))[0]
    assert await store.remove_alert(INSTANT, first.id)
    assert not await store.remove_alert(DIGEST, (await store.alerts(INSTANT))[0].id)
    assert await add_alert(store, INSTANT, ("them",)) is AlertAdded.ADDED


async def test_changing_timing_moves_the_posts_already_waiting(store: Store) -> None:
    held = await post(store, "Họp dân ấp Xẻo Nhàu", vn(5, 23))
    await store.set_quiet_hours(QUIET, None, vn(5, 23, 5), replan=slot_for)
    assert (await heads(store, vn(5, 23, 5)))[QUIET] == (0, held)
    await store.set_digest(DIGEST, None, vn(5, 23, 5), replan=slot_for)
    assert (await heads(store, vn(5, 23, 5)))[DIGEST] == (0, held)
    await store.set_digest(INSTANT, 20, vn(5, 23, 5), replan=slot_for)
    assert INSTANT not in await heads(store, vn(6, 19, 59))
    priority, article = (await heads(store, vn(6, 20)))[INSTANT]
    assert is_digest(priority)
    assert article == held


async def test_settings_and_alerts_survive_a_restart(store: Store, db_path: Path) -> None:
    await add_alert(store, DIGEST, query_words("mất điện Thứ Ba"))
    await store.set_language(DIGEST, "en", vn(1, 12))
    before = (await store.chat_settings(DIGEST), await store.alerts(DIGEST))
    reopened = await Store.open(db_path)
    try:
        assert (await reopened.chat_settings(DIGEST), await reopened.alerts(DIGEST)) == before
        assert before[0].timing.digest_hour == 7
        assert before[0].language == "en"
        assert (await reopened.chat_settings(QUIET)).timing.quiet == NIGHT
    finally:
        await reopened.close()


async def test_a_chosen_language_outlasts_the_client_language_written_on_activation(
    store: Store,
) -> None:
    await store.set_language(QUIET, "en", vn(1, 12))
    await store.activate_chat(QUIET, "private", "vi")
    chat = await store.chat(QUIET)
    assert chat is not None
    assert chat.language == "en"
    await store.activate_chat(INSTANT, "private", "en")  # no choice made: the client's wins
    chat = await store.chat(INSTANT)
    assert chat is not None
    assert chat.language == "en"


async def test_forgetting_a_chat_deletes_its_alerts_and_settings(
    store: Store, db_path: Path
) -> None:
    await add_alert(store, DIGEST, query_words("mat dien"))
    await store.forget_chat(DIGEST)
    with sqlite3.connect(db_path) as conn:
        for table in ("alerts", "chat_settings"):
            count = conn.execute(f"SELECT count(*) FROM {table} WHERE chat_id = ?", (DIGEST,))
            assert count.fetchone()[0] == 0, table
    assert await store.alerts(DIGEST) == []
    assert (await store.chat_settings(DIGEST)).timing.digest_hour is None
