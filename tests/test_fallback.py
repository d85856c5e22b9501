"""Odd input gets a short helpful answer in the user's language and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from anbien_bot.bot import groups
from anbien_bot.bot.services import BotContext
from anbien_bot.texts import text
from tests.conversation import GROUP, answers, ask, database, handled, replies, rows
from tests.fake_telegram import FakeTelegram

USER = 2001

pytestmark = pytest.mark.telegram(may_refuse=())  # Telegram would accept every call


@pytest.fixture
async def bot(bot: Any, fake: FakeTelegram) -> Any:
    """The running bot, the user subscribed to one category."""
    await ask(fake, USER, "/subscribe thong bao")
    return bot


async def reply_to(fake: FakeTelegram, chat_id: int, push: Any) -> str:
    """Push something as the user and return the text of the bot's one reply to it."""
    before = len(fake.sent_to(chat_id))
    push()
    return (await replies(fake, chat_id, before + 1))[before].params["text"]


LONG_TEXT = "Cho hỏi lịch cúp điện ấp Xẻo Nhàu " * 118  # about 4,000 characters


@pytest.mark.parametrize(
    ("typed", "key", "params"),
    [
        ("/frobnicate", "unknown_command", {}),
        ("/subscribe nonsense", "unknown_category", {"name": "nonsense"}),
        ("/unsubscribe lua gao", "unknown_category", {"name": "lua gao"}),
        ("/latest <b>", "unknown_category", {"name": "<b>"}),
        # Plain text in a private chat is a search (handlers/archive.py), never an error.
        ("xin chào", "nothing_found", {"query": "xin chào"}),
    ],
)
async def test_odd_messages_get_a_short_hint_and_change_nothing(
    tmp_path: Path, fake: FakeTelegram, bot: Any, typed: str, key: str, params: dict[str, str]
) -> None:
    before = rows(database(tmp_path))
    reply = await reply_to(fake, USER, lambda: fake.push_message(USER, typed))
    assert reply == text("vi", key, **params)
    assert rows(database(tmp_path)) == before


async def test_a_huge_category_name_is_echoed_short(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    before = rows(database(tmp_path))
    reply = await reply_to(fake, USER, lambda: fake.push_message(USER, "/subscribe " + LONG_TEXT))
    assert reply.startswith("Không có chuyên mục “Cho hỏi lịch cúp điện")
    assert len(reply) < 200
    assert rows(database(tmp_path)) == before


async def test_a_huge_plain_text_is_searched_and_answered_briefly(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    before = rows(database(tmp_path))
    reply = await reply_to(fake, USER, lambda: fake.push_message(USER, LONG_TEXT))
    assert reply.startswith("Không tìm thấy tin nào cho “Cho hỏi lịch cúp điện")
    assert len(reply) < 300
    assert rows(database(tmp_path)) == before


async def test_a_sticker_gets_a_hint(tmp_path: Path, fake: FakeTelegram, bot: Any) -> None:
    before = rows(database(tmp_path))
    assert await reply_to(fake, USER, lambda: fake.push_sticker(USER)) == text("vi", "use_buttons")
    assert rows(database(tmp_path)) == before


async def test_an_english_user_gets_english_hints(fake: FakeTelegram, bot: Any) -> None:
    reply = await reply_to(fake, USER, lambda: fake.push_message(USER, "/x", language_code="en"))
    assert reply == text("en", "unknown_command")
    reply = await reply_to(fake, USER, lambda: fake.push_message(USER, "hi", language_code="en"))
    assert reply == text("en", "nothing_found", query="hi")


@pytest.mark.parametrize(
    "data", ["cat:nope", "cat:", "cat:" + "x" * 60, "sub:thong-bao", "Thông báo", "🙂"]
)
async def test_forged_buttons_are_answered_and_change_nothing(
    tmp_path: Path, fake: FakeTelegram, bot: Any, data: str
) -> None:
    before = rows(database(tmp_path))
    fake.push_callback(USER, data)
    await handled(fake, USER)  # the press is done
    assert [a["text"] for a in answers(fake)] == [text("vi", "button_invalid")]  # once
    assert not [c for c in fake.calls if c.method.startswith("edit")]
    assert rows(database(tmp_path)) == before


async def test_in_a_group_only_commands_named_for_this_bot_get_a_hint(
    fake: FakeTelegram, bot: Any
) -> None:
    member = {"user_id": 7, "chat_type": "supergroup"}
    fake.push_message(GROUP, "chào cả nhà", **member)
    fake.push_message(GROUP, "/weather", **member)
    fake.push_message(GROUP, "/start@other_bot", **member)
    fake.push_sticker(GROUP, user_id=7, chat_type="supergroup")
    fake.push_message(GROUP, "/frobnicate@anbien_test_bot", **member)
    fake.push_message(GROUP, "/help", **member)
    sent = await replies(fake, GROUP, 2)
    assert [c.params["text"] for c in sent] == [
        text("vi", "unknown_command"),
        text("vi", "help"),
    ]


async def test_a_feature_that_takes_plain_text_silences_the_hint(
    fake: FakeTelegram, bot: Any
) -> None:
    async def search(update: Update, context: BotContext) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("🔎 kết quả")

    # Added as every feature adds its handlers: it takes what it handles.
    groups.add(bot, MessageHandler(filters.TEXT & ~filters.COMMAND, search))
    reply = await reply_to(fake, USER, lambda: fake.push_message(USER, "mat dien"))
    fake.push_message(USER, "/help")
    sent = await replies(fake, USER, 3)
    assert (reply, sent[2].params["text"]) == ("🔎 kết quả", text("vi", "help"))


async def test_a_command_whose_handler_failed_gets_no_hint(
    fake: FakeTelegram, bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(update: Update, context: BotContext) -> None:
        raise RuntimeError("the store went away")

    groups.add(bot, CommandHandler("baocao", broken))
    before = len(fake.sent_to(USER))
    fake.push_message(USER, "/baocao")
    fake.push_message(USER, "/help")  # answered once /baocao was handled
    sent = await replies(fake, USER, before + 1)
    assert [c.params["text"] for c in sent[before:]] == [text("vi", "help")]
    assert "the store went away" in caplog.text
