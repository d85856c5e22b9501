"""A post to many subscribers is queued as a record and written to the outbox in batches.

The store keeps the planner's decision with the article and writes the outbox rows a batch
of chat ids at a time (store/expansion.py), so storing a post never holds the store for
long. These tests hold the expansion to what writing every row at once gave: each chat one
row at the slot of its timing, nothing lost when the store is closed half-way, and no chat
sent a later post before an earlier one.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from anbien_bot.config import load_config
from anbien_bot.delivery.planner import Planner, slot_for
from anbien_bot.delivery.sender import Sender
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.store.expansion import BATCH
from anbien_bot.store.fanout import WITH_ARTICLE
from anbien_bot.store.schema import MIGRATIONS
from anbien_bot.text.dates import to_iso
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, write_config

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 10:00 in An Biên
MANY = WITH_ARTICLE + BATCH + 500  # the rows written with the post, then two batches
NEWS, PARTY = "thong-bao", "hoat-dong-huyen-uy"


def post(key: str, published: datetime = NOW) -> Entry:
    return Entry(
        key=key,
        url=f"https://anbien.example.vn/tin/{key}.html",
        title=f"Thông báo số {key}: lịch cúp điện",
        published=published,
    )


def add_subscribers(path: Path, chats: Iterable[int], category: str = NEWS) -> None:
    """Write chats and their subscriptions straight into the database, as many as needed."""
    chats = list(chats)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO chats(id, type, language, created_at, updated_at) "
            "VALUES (?, ?, 'vi', ?, ?)",
            [(c, "private" if c > 0 else "group", to_iso(NOW), to_iso(NOW)) for c in chats],
        )
        conn.executemany(
            "INSERT INTO subscriptions(chat_id, category, created_at) VALUES (?, ?, ?)",
            [(c, category, to_iso(NOW)) for c in chats],
        )


def outbox(path: Path) -> list[tuple[int, int, int, str]]:
    """Return (chat, article, priority, not_before) of every outbox row."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT chat_id, article_id, priority, not_before FROM deliveries ORDER BY 1, 2"
        ).fetchall()


def records(path: Path) -> list[int]:
    """Return how far each fan-out record has been written (its cursor)."""
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT reached FROM fanouts ORDER BY id")]


async def expand_all(store: Store) -> int:
    """Write every remaining batch; return how many there were."""
    batches = 0
    while await store.expand_fanouts():
        batches += 1
    return batches + 1


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def store(path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(path)
    yield opened
    await opened.close()


async def test_a_post_to_few_subscribers_is_queued_whole_with_the_article(
    store: Store, path: Path
) -> None:
    add_subscribers(path, range(1, WITH_ARTICLE + 1))
    result = await store.store_entries("portal", [NEWS], [post("1")], now=NOW, plan=Planner())
    assert (result.enqueued, result.expanding) == (WITH_ARTICLE, 0)
    assert records(path) == []


async def test_a_post_to_many_is_written_in_batches_once_per_chat(
    store: Store, path: Path
) -> None:
    add_subscribers(path, range(-50, 0))  # groups: negative ids come first
    add_subscribers(path, range(1, MANY + 1))
    add_subscribers(path, range(MANY - 100, MANY + 300), PARTY)  # 100 in both categories
    result = await store.store_entries(
        "portal", [NEWS, PARTY], [post("1")], now=NOW, plan=Planner()
    )
    assert (result.enqueued, result.expanding) == (WITH_ARTICLE, 1)
    report = await store.fanout_report(article_id=1)
    assert (report.recipients, report.expanding) == (WITH_ARTICLE, True)
    assert await expand_all(store) == 2
    rows = outbox(path)
    assert [chat for chat, *_ in rows] == [*range(-50, 0), *range(1, MANY + 300)]
    assert records(path) == []
    assert not (await store.fanout_report(article_id=1)).expanding


async def test_a_store_closed_mid_expansion_goes_on_from_its_cursor(
    store: Store, path: Path
) -> None:
    add_subscribers(path, range(1, MANY + 1))
    await store.store_entries("portal", [NEWS], [post("1")], now=NOW, plan=Planner())
    assert await store.expand_fanouts()  # one batch more: another to go
    assert records(path) == [WITH_ARTICLE + BATCH]
    await store.close()
    reopened = await Store.open(path)
    try:
        assert await expand_all(reopened) == 1
    finally:
        await reopened.close()
    chats = Counter(chat for chat, *_ in outbox(path))
    assert set(chats) == set(range(1, MANY + 1))
    assert set(chats.values()) == {1}


async def test_no_chat_is_sent_a_later_post_before_an_earlier_one_still_expanding(
    store: Store, path: Path
) -> None:
    add_subscribers(path, range(1, MANY + 1))
    add_subscribers(path, range(MANY - 9, MANY + 1), PARTY)
    early = post("early", NOW - timedelta(hours=1))
    await store.store_entries("portal", [NEWS], [early], now=NOW, plan=Planner())
    # The later post reaches its ten chats at once, before the earlier one has.
    later = await store.store_entries("party", [PARTY], [post("late")], now=NOW, plan=Planner())
    assert (later.enqueued, later.expanding) == (10, 0)
    heads, _ = await store.due_deliveries(NOW + timedelta(hours=1), 10 * MANY)
    assert len(heads) == WITH_ARTICLE
    assert max(h.chat_id for h in heads) == WITH_ARTICLE
    await expand_all(store)
    heads, _ = await store.due_deliveries(NOW + timedelta(hours=1), 10 * MANY)
    assert len(heads) == MANY
    assert {h.article_id for h in heads} == {1}  # the earlier post first, everywhere
    assert {h.queued for h in heads if h.chat_id > MANY - 10} == {2}


async def test_a_timing_changed_before_the_expansion_arrives_moves_the_post_too(
    store: Store, path: Path
) -> None:
    add_subscribers(path, range(1, MANY + 1))
    await store.store_entries("portal", [NEWS], [post("1")], now=NOW, plan=Planner())
    chat = MANY - 1  # not reached yet
    await store.set_digest(chat, 17, NOW + timedelta(minutes=5), replan=slot_for)
    await expand_all(store)
    rows = {row[0]: row[2:] for row in outbox(path)}
    at_five = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)  # 17:00 in An Biên
    assert rows[chat] == (slot_for_digest_priority(at_five), to_iso(at_five))
    assert rows[chat - 1] == (rows[1][0], to_iso(NOW))  # its neighbour: at once, as before


def slot_for_digest_priority(at: datetime) -> int:
    from anbien_bot.models import Timing

    slot = slot_for(Timing(digest_hour=17), NOW + timedelta(minutes=5))
    assert slot.not_before == at
    return int(slot.priority)


async def test_who_gets_the_post_is_read_as_the_expansion_reaches_them(
    store: Store, path: Path
) -> None:
    add_subscribers(path, range(1, MANY + 1))
    await store.store_entries("portal", [NEWS], [post("1")], now=NOW, plan=Planner())
    await store.unsubscribe(5)  # already written: the post still goes
    await store.unsubscribe(MANY)  # not reached yet: it does not
    await store.set_active(MANY - 1, False)  # blocked the bot before the expansion came
    add_subscribers(path, [MANY + 1])  # subscribed before the expansion came: it does
    await expand_all(store)
    chats = {chat for chat, *_ in outbox(path)}
    assert chats == set(range(1, MANY - 1)) | {MANY + 1}


@pytest.mark.slow
async def test_the_sender_writes_the_rows_and_sends_each_chat_its_posts_in_order(
    store: Store, path: Path, tmp_path: Path
) -> None:
    add_subscribers(path, range(1, MANY + 1))
    add_subscribers(path, range(MANY - 9, MANY + 1), PARTY)
    early = post("1", NOW - timedelta(hours=1))
    await store.store_entries("portal", [NEWS], [early], now=NOW, plan=Planner())
    await store.store_entries("party", [PARTY], [post("2")], now=NOW, plan=Planner())
    limits_off = {"messages_per_second": 0, "private_interval_seconds": 0}
    async with FakeTelegram() as fake:
        config = load_config(
            write_config(tmp_path, telegram={"api_base_url": fake.base_url}, delivery=limits_off),
            environ={},
        )
        request = HTTPXRequest(connection_pool_size=32)
        async with Bot(config.telegram.token, base_url=fake.base_url, request=request) as bot:
            sender = Sender(bot, store, config)
            sender.start()
            try:
                await eventually(lambda: len(fake.sent()) >= MANY + 10, timeout=120)
                await sender.wait_idle()
            finally:
                await sender.stop()
        texts: dict[int, list[str]] = {}
        for call in fake.sent():
            texts.setdefault(call.chat_id or 0, []).append(str(call.params["text"])[:17])
    assert set(texts) == set(range(1, MANY + 1))
    expected = ["<b>Thông báo số 1", "<b>Thông báo số 2"]
    assert all(texts[chat] == expected[: 1 + (chat > MANY - 10)] for chat in texts)
    assert records(path) == []


async def test_rows_queued_before_the_upgrade_keep_their_order(tmp_path: Path) -> None:
    """Schema 10 gives the outbox's pending rows their ordering time, as the old query read it."""
    path = tmp_path / "v9.sqlite3"
    stamp = to_iso(NOW)
    with sqlite3.connect(path) as conn:
        conn.executescript("\n".join(MIGRATIONS[:9]) + "\nPRAGMA user_version = 9;")
        conn.execute(
            "INSERT INTO chats(id, created_at, updated_at) VALUES (1, ?, ?)", (stamp, stamp)
        )
        conn.executemany(  # the later post was stored first
            "INSERT INTO articles(id, url, title, published_at, first_seen_at, story_key, "
            "search_key) VALUES (?, 'https://x.vn', 'Tin', ?, ?, ?, ?)",
            [(1, to_iso(NOW + timedelta(hours=1)), stamp, "a", 1), (2, stamp, stamp, "b", 2)],
        )
        conn.executemany(
            "INSERT INTO deliveries(chat_id, article_id, not_before, created_at) "
            "VALUES (1, ?, ?, ?)",
            [(1, stamp, stamp), (2, stamp, stamp)],
        )
    store = await Store.open(path)
    try:
        (head,), _ = await store.due_deliveries(NOW, 10)
        assert (head.article_id, head.queued) == (2, 2)
        # A row written without its ordering time (not by the store) gets it all the same.
        with sqlite3.connect(path) as conn:
            conn.execute(
                "INSERT INTO articles(id, url, title, published_at, first_seen_at, story_key, "
                "search_key) VALUES (3, 'https://x.vn', 'Tin', ?, ?, 'c', 3)",
                (to_iso(NOW - timedelta(hours=1)), stamp),
            )
            conn.execute(
                "INSERT INTO deliveries(chat_id, article_id, not_before, created_at) "
                "VALUES (1, 3, ?, ?)",
                (stamp, stamp),
            )
        (head,), _ = await store.due_deliveries(NOW, 10)
        assert (head.article_id, head.queued) == (3, 3)
    finally:
        await store.close()
