"""Chats and subscriptions in the store: coming and going, toggling, forgetting, moving."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store
from tests.conversation import database

NOW = datetime(2024, 5, 29, 3, 59, tzinfo=UTC)


def count(tmp_path: Path, table: str, chat_id: int) -> int:
    column = "id" if table == "chats" else "chat_id"
    with sqlite3.connect(database(tmp_path)) as conn:
        return conn.execute(
            f"SELECT count(*) FROM {table} WHERE {column} = ?", (chat_id,)
        ).fetchone()[0]


def statuses(tmp_path: Path, chat_id: int) -> list[str]:
    with sqlite3.connect(database(tmp_path)) as conn:
        query = "SELECT status FROM deliveries WHERE chat_id = ? ORDER BY id"
        return [row[0] for row in conn.execute(query, (chat_id,))]


async def post(store: Store, key: str, category: str = "thong-bao") -> int:
    entry = Entry(key=key, url=f"https://anbien.kiengiang.gov.vn/tin/{key}", title=f"Tin {key}")
    return (
        await store.store_entries("portal", [category], [entry], now=NOW, plan=Planner())
    ).enqueued


async def test_activate_creates_a_chat_once_and_refreshes_its_language(store: Store) -> None:
    assert await store.activate_chat(5, "private", "vi")
    assert not await store.activate_chat(5, "private", "en")
    chat = await store.chat(5)
    assert chat is not None
    assert (chat.type, chat.language, chat.active, chat.from_config) == (
        "private",
        "en",
        True,
        False,
    )


async def test_a_chat_that_left_and_comes_back_keeps_its_choices(
    store: Store, tmp_path: Path
) -> None:
    await store.activate_chat(5, "private", "vi")
    await store.subscribe(5, ["thong-bao", "tin-tuc"])
    assert await post(store, "1") == 1
    await store.set_active(5, False)
    assert statuses(tmp_path, 5) == ["blocked"]  # what was queued will not arrive
    assert await post(store, "2") == 0
    await store.activate_chat(5, "private", "vi")
    chat = await store.chat(5)
    assert chat is not None
    assert chat.active
    assert sorted(await store.subscriptions(5)) == ["thong-bao", "tin-tuc"]
    assert await post(store, "3") == 1


async def test_toggle_adds_then_removes(store: Store) -> None:
    await store.activate_chat(5, "private", "vi")
    assert await store.toggle_subscription(5, "thong-bao")
    assert await store.subscriptions(5) == ["thong-bao"]
    assert not await store.toggle_subscription(5, "thong-bao")
    assert await store.subscriptions(5) == []


async def test_subscribe_and_unsubscribe_report_what_changed(store: Store) -> None:
    await store.activate_chat(5, "private", "vi")
    assert await store.subscribe(5, ["a", "b"]) == ["a", "b"]
    assert await store.subscribe(5, ["b", "c"]) == ["c"]
    assert await store.unsubscribe(5, ["a", "x"]) == ["a"]
    assert await store.unsubscribe(5) == ["b", "c"]
    assert await store.unsubscribe(5) == []


async def test_forget_deletes_the_chat_its_subscriptions_and_outbox_rows(
    store: Store, tmp_path: Path
) -> None:
    for chat_id in (5, 6):
        await store.activate_chat(chat_id, "private", "vi")
        await store.subscribe(chat_id, ["thong-bao"])
    await post(store, "1")
    await store.forget_chat(5)
    assert [count(tmp_path, t, 5) for t in ("chats", "subscriptions", "deliveries")] == [0, 0, 0]
    assert [count(tmp_path, t, 6) for t in ("chats", "subscriptions", "deliveries")] == [1, 1, 1]


async def test_a_migrated_group_keeps_its_choices_and_a_second_notice_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    await store.activate_chat(-40, "group", "vi")
    await store.subscribe(-40, ["thong-bao"])
    await post(store, "1")
    await store.migrate_chat(-40, -10040)
    await store.migrate_chat(-40, -10040)
    assert await store.chat(-40) is None
    assert await store.subscriptions(-10040) == ["thong-bao"]
    assert count(tmp_path, "deliveries", -10040) == 1


async def test_config_channels_are_synced_exactly(store: Store) -> None:
    await store.activate_chat(5, "private", "vi")
    await store.subscribe(5, ["thong-bao"])
    await store.sync_config_channels([(-1001, ["thong-bao", "tin-tuc"]), (-1002, ["tin-tuc"])])
    assert sorted(await store.subscriptions(-1001)) == ["thong-bao", "tin-tuc"]
    await store.sync_config_channels([(-1002, ["thong-bao"])])
    assert await store.chat(-1001) is None
    assert await store.subscriptions(-1002) == ["thong-bao"]
    await store.sync_config_channels([])
    assert await store.chat(-1002) is None
    assert await store.subscriptions(5) == ["thong-bao"]  # residents are not config's to drop
