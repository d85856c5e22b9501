"""The residents' conversation, run for real: PTB polling the fake Bot API, a SQLite store."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from anbien_bot.config import BotConfig
from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.text.dates import format_vn
from anbien_bot.texts import command_descriptions, text
from tests.conversation import (
    bot_config,
    buttons,
    calls_of,
    database,
    replies,
    rows_of_chat,
    say,
    store_of,
)
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, running_bot

USER = 1001
KEYBOARD_EMPTY = [("Thông báo", "cat:thong-bao"), ("Hoạt động Huyện ủy", "cat:hoat-dong-huyen-uy")]

pytestmark = pytest.mark.telegram(may_refuse=())  # Telegram would accept every call


# -- /start and the keyboard ----------------------------------------------------------------


async def test_start_greets_by_name_and_shows_the_category_keyboard(
    fake: FakeTelegram, bot: Any
) -> None:
    fake.push_message(USER, "/start", first_name="Lan")
    greeting, keyboard = await replies(fake, USER, 2)
    assert greeting.params["text"] == text(
        "vi", "start", name="Lan", portal=BotConfig().portal("vi")
    )
    assert keyboard.params["text"] == text("vi", "categories_prompt")
    assert buttons(keyboard) == KEYBOARD_EMPTY
    chat = await store_of(bot).chat(USER)
    assert chat is not None
    assert (chat.type, chat.language, chat.active) == ("private", "vi", True)


async def test_pressing_a_category_toggles_its_check_in_place(
    fake: FakeTelegram, bot: Any
) -> None:
    fake.push_message(USER, "/categories")
    await replies(fake, USER, 1)
    pressed = fake.push_callback(USER, "cat:hoat-dong-huyen-uy")
    (edit,) = await calls_of(fake, "editMessageReplyMarkup", 1)
    assert buttons(edit) == [
        ("Thông báo", "cat:thong-bao"),
        ("✅ Hoạt động Huyện ủy", "cat:hoat-dong-huyen-uy"),
    ]
    message_id = pressed["callback_query"]["message"]["message_id"]
    assert (edit.params["chat_id"], edit.params["message_id"]) == (str(USER), str(message_id))
    assert await store_of(bot).subscriptions(USER) == ["hoat-dong-huyen-uy"]
    answers = await calls_of(fake, "answerCallbackQuery", 1)
    assert answers[0].params["text"] == "✅ Đã đăng ký: Hoạt động Huyện ủy"

    fake.push_callback(USER, "cat:hoat-dong-huyen-uy")
    edits = await calls_of(fake, "editMessageReplyMarkup", 2)
    assert buttons(edits[1]) == KEYBOARD_EMPTY
    assert edits[1].params["message_id"] == edit.params["message_id"]
    assert await store_of(bot).subscriptions(USER) == []
    assert len(fake.sent_to(USER)) == 1  # edited in place, no new message


async def test_keyboard_shows_checks_for_what_the_chat_already_receives(
    fake: FakeTelegram, bot: Any
) -> None:
    await say(fake, USER, "/subscribe thong-bao")
    fake.push_message(USER, "/chuyenmuc")
    keyboard = (await replies(fake, USER, 2))[1]
    assert buttons(keyboard)[0] == ("✅ Thông báo", "cat:thong-bao")


# -- subscribing by command -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["thong-bao", "Thông báo", "thong bao", "THONG BAO", "  thông   BÁO "]
)
async def test_subscribe_by_key_or_by_name_with_or_without_diacritics(
    fake: FakeTelegram, bot: Any, typed: str
) -> None:
    reply = await say(fake, USER, f"/subscribe {typed}")
    assert reply == text("vi", "subscribed", category="Thông báo")
    assert await store_of(bot).subscriptions(USER) == ["thong-bao"]
    again = await say(fake, USER, "/subscribe thong bao")
    assert again == text("vi", "already_subscribed", category="Thông báo")


async def test_subscribe_without_a_name_shows_the_keyboard(fake: FakeTelegram, bot: Any) -> None:
    fake.push_message(USER, "/subscribe")
    (keyboard,) = await replies(fake, USER, 1)
    assert buttons(keyboard) == KEYBOARD_EMPTY


async def test_mysubs_lists_names_in_config_order(fake: FakeTelegram, bot: Any) -> None:
    assert await say(fake, USER, "/mysubs") == text("vi", "no_subscriptions")
    await say(fake, USER, "/subscribe hoat dong huyen uy")
    await say(fake, USER, "/subscribe thong bao")
    listing = await say(fake, USER, "/mysubs")
    assert listing == text(
        "vi", "my_subscriptions", categories="• Thông báo\n• Hoạt động Huyện ủy"
    )


async def test_unsubscribe_one_then_all(fake: FakeTelegram, bot: Any) -> None:
    await say(fake, USER, "/subscribe all")
    assert sorted(await store_of(bot).subscriptions(USER)) == [
        "hoat-dong-huyen-uy",
        "thong-bao",
    ]
    reply = await say(fake, USER, "/unsubscribe Thong Bao")
    assert reply == text("vi", "unsubscribed", category="Thông báo")
    again = await say(fake, USER, "/unsubscribe thong-bao")
    assert again == text("vi", "not_subscribed", category="Thông báo")
    assert await say(fake, USER, "/unsubscribe all") == text("vi", "unsubscribed_all")
    assert await store_of(bot).subscriptions(USER) == []


# -- /latest --------------------------------------------------------------------------------


async def store_articles(db_path: Path) -> None:
    """Store seven articles, one a day, the newest two of them under hoat-dong-huyen-uy."""
    store = await Store.open(db_path)
    try:
        start = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
        for day in range(7):
            entry = Entry(
                key=str(day),
                url=f"https://anbien.kiengiang.gov.vn/tin/{day}",
                title=f"Thông báo số {day} về lịch tiếp công dân & họp",
                summary="Ủy ban nhân dân huyện thông báo lịch làm việc.",
                published=start + timedelta(days=day),
            )
            category = "hoat-dong-huyen-uy" if day >= 5 else "thong-bao"
            await store.store_entries(
                "portal", [category], [entry], now=start + timedelta(days=day), plan=None
            )
    finally:
        await store.close()


async def test_latest_lists_the_five_newest_posts_in_one_message(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    await store_articles(database(tmp_path))
    async with running_bot(bot_config(tmp_path, fake)):
        listing = await say(fake, USER, "/latest")
        filtered = await say(fake, USER, "/moinhat thong bao")
        unknown = await say(fake, USER, "/latest lua gao")
    assert listing.startswith(text("vi", "latest_header"))
    assert [n for n in range(7) if f"Thông báo số {n} " in listing] == [2, 3, 4, 5, 6]
    assert listing.index("số 6") < listing.index("số 2")  # newest first
    assert "&amp; họp" in listing  # source text escaped
    assert "https://anbien.kiengiang.gov.vn/tin/6" in listing
    assert "06/03/2024 09:00" in listing  # Vietnam time
    assert filtered.startswith(text("vi", "latest_header_category", category="Thông báo"))
    assert [n for n in range(7) if f"Thông báo số {n} " in filtered] == [0, 1, 2, 3, 4]
    assert unknown == text("vi", "unknown_category", name="lua gao")
    first = fake.sent_to(USER)[0]
    assert first.params["link_preview_options"] == {"is_disabled": True}


async def test_latest_without_posts_says_so(fake: FakeTelegram, bot: Any) -> None:
    assert await say(fake, USER, "/latest") == text("vi", "no_posts")


# -- /stop ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/stop", "/huy"])
async def test_stop_deletes_everything_kept_about_the_chat(
    tmp_path: Path, fake: FakeTelegram, bot: Any, command: str
) -> None:
    other = USER + 1
    await say(fake, USER, "/subscribe thong bao")
    await say(fake, other, "/subscribe thong bao")
    entry = Entry(key="1", url="https://anbien.kiengiang.gov.vn/tin/1", title="Lịch cúp điện")
    now = datetime.now(UTC)
    await store_of(bot).store_entries("portal", ["thong-bao"], [entry], now=now, plan=Planner())
    assert rows_of_chat(database(tmp_path), USER) == {
        "chats": 1,
        "subscriptions": 1,
        "deliveries": 1,
    }
    assert await say(fake, USER, command) == text("vi", "stopped")
    assert rows_of_chat(database(tmp_path), USER) == {
        "chats": 0,
        "subscriptions": 0,
        "deliveries": 0,
    }
    assert rows_of_chat(database(tmp_path), other)["subscriptions"] == 1


async def test_start_after_stop_begins_afresh(fake: FakeTelegram, bot: Any) -> None:
    await say(fake, USER, "/subscribe thong bao")
    await say(fake, USER, "/stop")
    fake.push_message(USER, "/start")
    keyboard = (await replies(fake, USER, 4))[3]
    assert buttons(keyboard) == KEYBOARD_EMPTY


# -- language -------------------------------------------------------------------------------


async def test_an_english_user_gets_english_and_the_chat_remembers_it(
    fake: FakeTelegram, bot: Any
) -> None:
    fake.push_message(USER, "/start", language_code="en-GB", first_name="Ann")
    greeting, keyboard = await replies(fake, USER, 2)
    assert greeting.params["text"] == text(
        "en", "start", name="Ann", portal=BotConfig().portal("en")
    )
    assert keyboard.params["text"] == text("en", "categories_prompt")
    assert buttons(keyboard) == KEYBOARD_EMPTY  # category names are the portal's own
    chat = await store_of(bot).chat(USER)
    assert chat is not None
    assert chat.language == "en"
    fake.push_callback(USER, "cat:thong-bao", language_code="en")
    (answer,) = await calls_of(fake, "answerCallbackQuery", 1)
    assert answer.params["text"] == "✅ Following: Thông báo"
    reply = await say(fake, USER, "/subscribe nonsense", language_code="en")
    assert reply == text("en", "unknown_category", name="nonsense")
    assert await say(fake, USER, "/help", language_code="en") == text("en", "help")


async def test_help_carries_the_privacy_note(fake: FakeTelegram, bot: Any) -> None:
    reply = await say(fake, USER, "/help")
    assert reply == text("vi", "help")
    assert "/stop" in reply.split("🔒", 1)[1]


# -- the command menu and restarts ----------------------------------------------------------


async def test_command_menu_is_set_in_vietnamese_and_english(fake: FakeTelegram, bot: Any) -> None:
    menus = await calls_of(fake, "setMyCommands", 2)
    by_language = {m.params.get("language_code"): m.params["commands"] for m in menus}
    for code, lang in ((None, "vi"), ("en", "en")):
        expected = [{"command": c, "description": d} for c, d in command_descriptions(lang)]
        assert by_language[code] == expected
    assert by_language[None][1]["description"] == "Chọn chuyên mục nhận tin"


async def test_a_restart_keeps_subscriptions(tmp_path: Path, fake: FakeTelegram) -> None:
    config = bot_config(tmp_path, fake)
    async with running_bot(config):
        await say(fake, USER, "/subscribe thong bao")
    async with running_bot(config):
        listing = await say(fake, USER, "/mysubs")
        fake.push_message(USER, "/categories")
        keyboard = (await replies(fake, USER, 3))[2]
    assert listing == text("vi", "my_subscriptions", categories="• Thông báo")
    assert buttons(keyboard)[0] == ("✅ Thông báo", "cat:thong-bao")


# -- end to end: a new post reaches those who asked for it, and only them --------------------

POLL_SECONDS = 2
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # enough of a JPEG for anyone who sniffs it


def feed(portal: FakePortal, items: list[tuple[int, datetime]]) -> str:
    """Return an RSS feed of items (number, publication time) under the fake portal."""
    body = "".join(
        f"<item><title>Thông báo lịch cúp điện số {n} &amp; giờ đóng điện</title>"
        f"<link>{portal.url(f'/tin/{n}.html')}</link><guid isPermaLink='false'>{n}</guid>"
        f"<pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<description><![CDATA[<p>Điện lực An Biên thông báo tạm ngừng cấp điện "
        f"ấp Xẻo Nhàu từ 7 giờ đến 11 giờ (tin {n}).</p>]]></description>"
        f"<enclosure url='{portal.url(f'/anh/{n}.jpg')}' type='image/jpeg'/></item>"
        for n, published in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Thông báo</title><link>{portal.url('/')}</link>{body}</channel></rss>"
    )


def photos_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    """Return the captions of the photos sent to a chat."""
    return [
        str(c.params.get("caption", "")) for c in fake.sent_to(chat_id) if c.method == "sendPhoto"
    ]


@pytest.mark.slow  # its point is also an upper bound: the post comes within one poll interval
async def test_a_new_post_reaches_its_subscribers_as_a_photo_and_nobody_else(
    tmp_path: Path, fake: FakeTelegram, portal: FakePortal
) -> None:
    reader, other, neighbour = USER, USER + 1, USER + 2
    now = datetime.now(UTC).replace(microsecond=0)
    for n in (1, 2, 3):
        portal.serve(f"/anh/{n}.jpg", JPEG, "image/jpeg")
    portal.serve("/thong-bao.xml", feed(portal, [(1, now - timedelta(hours=2))]))
    source = {
        "name": "Thông báo",
        "url": portal.url("/thong-bao.xml"),
        "category": "thong-bao",
    }
    config = bot_config(
        tmp_path, fake, sources=[source], polling={"interval_seconds": POLL_SECONDS}
    )
    async with running_bot(config) as app:
        store = store_of(app)
        fake.push_message(reader, "/start")
        await replies(fake, reader, 2)
        fake.push_callback(reader, "cat:thong-bao")
        await calls_of(fake, "editMessageReplyMarkup", 1)
        await say(fake, other, "/subscribe hoat dong huyen uy")
        await say(fake, neighbour, "/subscribe thong bao")

        async def seeded() -> bool:
            return (await store.source_state("Thông báo")).seeded

        await eventually(seeded)  # the back catalogue is recorded, never announced
        items = [(1, now - timedelta(hours=2)), (2, now - timedelta(minutes=5))]
        portal.serve("/thong-bao.xml", feed(portal, items))
        served = time.monotonic()
        await eventually(lambda: photos_to(fake, reader))
        photo = next(c for c in fake.sent_to(reader) if c.method == "sendPhoto")
        assert photo.at - served <= POLL_SECONDS + 1  # within one poll interval

        (caption,) = photos_to(fake, reader)
        assert "<b>Thông báo lịch cúp điện số 2 &amp; giờ đóng điện</b>" in caption
        assert format_vn(now - timedelta(minutes=5)) in caption
        assert f'href="{portal.url("/tin/2.html")}"' in caption
        assert "số 1 " not in caption
        assert not [c for c in fake.sent_to(other) if c.method != "sendMessage"]
        assert len(fake.sent_to(other)) == 1  # only the answer to its own command

        await say(fake, reader, "/stop")
        items.append((3, now - timedelta(minutes=1)))
        portal.serve("/thong-bao.xml", feed(portal, items))
        await eventually(lambda: len(photos_to(fake, neighbour)) == 2)
        assert len(photos_to(fake, reader)) == 1  # nothing after /stop...
        # ...nor owed later: post 3's outbox rows were written with it, before the neighbour's.
        assert rows_of_chat(database(tmp_path), reader)["deliveries"] == 0
        assert photos_to(fake, other) == []
