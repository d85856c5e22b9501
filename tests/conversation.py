"""Talking to the running bot in tests: configs pointing at the fake, waiting for replies."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from anbien_bot.store import Store
from tests.fake_telegram import Call, FakeTelegram
from tests.harness import eventually, write_config

GROUP = -1001234567890
GROUP_ADMIN = 501
GROUP_MEMBER = 502
ANONYMOUS_ADMIN_BOT = 1087968824  # Telegram's GroupAnonymousBot, the "from" of anonymous admins
WITNESS = 7_000_001  # a private chat of its own, whose /help tells that earlier updates are done
TABLES = ("chats", "subscriptions", "deliveries")


def bot_config(
    directory: Path,
    fake: FakeTelegram,
    *,
    telegram: Mapping[str, Any] | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
    polling: Mapping[str, Any] | None = None,
    delivery: Mapping[str, Any] | None = None,
) -> Path:
    """Write a config whose bot talks to the fake Bot API."""
    return write_config(
        directory,
        telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url}
        | dict(telegram or {}),
        sources=sources,
        polling=polling,
        delivery=delivery,
    )


def database(directory: Path) -> Path:
    """Return the database file of a config written by bot_config."""
    return directory / "bot.sqlite3"


def store_of(app: Any) -> Store:
    """Return the running bot's store."""
    return app.bot_data["services"].store


async def replies(
    fake: FakeTelegram,
    chat_id: int,
    count: int,
    timeout: float = 10,  # noqa: ASYNC109 - a test helper polling, not an I/O call
) -> list[Call]:
    """Wait until the bot has sent ``count`` messages to the chat and return them all."""
    await eventually(lambda: len(fake.sent_to(chat_id)) >= count, timeout=timeout)
    return fake.sent_to(chat_id)


async def ask(fake: FakeTelegram, chat_id: int, message: str, **kwargs: Any) -> Call:
    """Send a message as the user and return the bot's one reply."""
    before = len(fake.sent_to(chat_id))
    fake.push_message(chat_id, message, **kwargs)
    return (await replies(fake, chat_id, before + 1))[before]


async def say(fake: FakeTelegram, chat_id: int, message: str, **kwargs: Any) -> str:
    """Send a message as the user and return the text of the bot's one reply."""
    return str((await ask(fake, chat_id, message, **kwargs)).params["text"])


async def handled(fake: FakeTelegram, chat_id: int = WITNESS) -> Call:
    """Return once the bot has handled every update pushed before this call.

    The bot handles updates one at a time, in the order Telegram gave them (the Application's
    concurrent_updates stays off; running_bot checks it), so its answer to a /help pushed now
    comes only after it is done with all earlier updates: a test that wants to show an update
    got no answer asserts after this barrier, not after a sleep. The /help comes from a chat
    of its own so no chat's pacing delays it; its answer is returned, for tests counting sends.
    """
    return await ask(fake, chat_id, "/help")


async def calls_of(fake: FakeTelegram, method: str, count: int) -> list[Call]:
    """Wait until ``count`` successful calls of ``method`` were made and return them all."""
    await eventually(lambda: len([c for c in fake.calls if c.method == method]) >= count)
    return [c for c in fake.calls if c.method == method]


def rows(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of the residents' tables, for "nothing changed" comparisons."""
    conn = sqlite3.connect(db_path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}
    finally:
        conn.close()


def rows_of_chat(db_path: Path, chat_id: int) -> dict[str, int]:
    """Return how many rows each residents' table holds for one chat."""
    conn = sqlite3.connect(db_path)
    try:
        return {
            "chats": conn.execute(
                "SELECT count(*) FROM chats WHERE id = ?", (chat_id,)
            ).fetchone()[0],
            **{
                t: conn.execute(
                    f"SELECT count(*) FROM {t} WHERE chat_id = ?", (chat_id,)
                ).fetchone()[0]
                for t in ("subscriptions", "deliveries")
            },
        }
    finally:
        conn.close()


def refused(fake: FakeTelegram) -> list[Call]:
    """Return the calls the fake refused (none, when Telegram would accept all the bot did)."""
    return [c for c in fake.calls if c.status not in (0, 200)]


def answers(fake: FakeTelegram) -> list[dict[str, Any]]:
    """Return the parameters of every answerCallbackQuery, oldest first."""
    return [c.params for c in fake.calls if c.method == "answerCallbackQuery"]


def buttons(call: Call) -> list[tuple[str, str]]:
    """Return (text, callback_data) of each button of a call's inline keyboard (none: [])."""
    keyboard = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in keyboard for b in row]


def group_message(
    chat_id: int, text: str, *, sender_chat_id: int, message_id: int
) -> dict[str, Any]:
    """Return a raw group message written on behalf of a chat (an anonymous admin)."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "supergroup", "title": "Nhóm ấp"},
        "from": {"id": ANONYMOUS_ADMIN_BOT, "is_bot": True, "first_name": "Group"},
        "sender_chat": {"id": sender_chat_id, "type": "supergroup", "title": "Nhóm ấp"},
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split(maxsplit=1)[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return message
