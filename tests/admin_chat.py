"""Talking to the running bot as an editor in tests: raw admin messages, subscribers in bulk."""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anbien_bot.store import Store
from anbien_bot.text.dates import to_iso
from tests.conversation import bot_config, replies
from tests.fake_telegram import Call, FakeTelegram
from tests.telegram_rules import utf16_length

ADMIN = 9001
OTHER_ADMIN = 9002
RESIDENT = 1001
_MESSAGE_IDS = itertools.count(500_000)
BROADCAST_TABLES = ("broadcasts", "deliveries", "chats", "subscriptions")


def admin_config(
    directory: Path,
    fake: FakeTelegram,
    *,
    admins: Sequence[int] = (ADMIN, OTHER_ADMIN),
    delivery: Mapping[str, Any] | None = None,
    polling: Mapping[str, Any] | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Write a config with admins whose bot talks to the fake and sends fast."""
    return bot_config(
        directory,
        fake,
        telegram={"admins": list(admins)},
        delivery={"messages_per_second": 1000, "concurrency": 8, **(delivery or {})},
        polling=polling,
        sources=sources,
    )


def entity(kind: str, body: str, part: str, **extra: Any) -> dict[str, Any]:
    """Return a message entity of the given type over the first occurrence of part in body."""
    start = body.index(part)
    return {
        "type": kind,
        "offset": utf16_length(body[:start]),
        "length": utf16_length(part),
        **extra,
    }


def raw_message(
    chat_id: int,
    *,
    user_id: int | None = None,
    text: str | None = None,
    entities: Sequence[Mapping[str, Any]] = (),
    photo: str | None = None,
    caption: str | None = None,
    reply_to: Mapping[str, Any] | None = None,
    chat_type: str = "private",
    language_code: str = "vi",
) -> dict[str, Any]:
    """Return a raw incoming message; a leading /command gets its bot_command entity."""
    user = user_id if user_id is not None else chat_id
    message: dict[str, Any] = {
        "message_id": next(_MESSAGE_IDS),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type}
        | ({"first_name": "Biên tập"} if chat_type == "private" else {"title": "Nhóm"}),
        "from": {
            "id": user,
            "is_bot": False,
            "first_name": "Biên tập",
            "language_code": language_code,
        },
    }
    body = text if photo is None else caption
    key = "entities" if photo is None else "caption_entities"
    marks = list(entities)
    if body is not None and body.startswith("/"):
        command = body.split(maxsplit=1)[0]
        marks.insert(0, {"type": "bot_command", "offset": 0, "length": utf16_length(command)})
    if photo is None:
        if text is not None:
            message["text"] = text
    else:
        message["photo"] = [
            {"file_id": photo, "file_unique_id": f"u{photo}", "width": 800, "height": 600}
        ]
        if caption is not None:
            message["caption"] = caption
    if marks:
        message[key] = marks
    if reply_to is not None:
        message["reply_to_message"] = dict(reply_to)
    return message


def push(fake: FakeTelegram, message: Mapping[str, Any]) -> dict[str, Any]:
    """Queue a raw message as an update."""
    return fake.push_update({"message": dict(message)})


# The editors' tests' name for waiting until a chat has received count messages.
replies_to = replies


async def create_database(db_path: Path) -> None:
    """Create the bot's database with its current schema, as the bot would on its first start."""
    store = await Store.open(db_path)
    await store.close()


def add_subscribers(
    db_path: Path,
    chats: Iterable[int],
    category: str = "thong-bao",
    *,
    active: bool = True,
    language: str = "vi",
    chat_type: str = "private",
    created: datetime | None = None,
) -> None:
    """Write subscribed chats straight into the database (bot running or not)."""
    stamp = to_iso(created or datetime.now(UTC))
    ids = list(chats)
    with sqlite3.connect(db_path, timeout=10) as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO chats(id, type, language, active, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(i, chat_type, language, int(active), stamp, stamp) for i in ids],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO subscriptions(chat_id, category, created_at) VALUES (?, ?, ?)",
            [(i, category, stamp) for i in ids],
        )
    conn.close()


def table_rows(db_path: Path, tables: Sequence[str] = BROADCAST_TABLES) -> dict[str, list[Any]]:
    """Return every row of the given tables, for "nothing changed" comparisons."""
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    finally:
        conn.close()


def query(db_path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one read query on the database and return its rows."""
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def button_data(call: Call) -> list[str]:
    """Return the callback data of every button under a sent or edited message."""
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
