"""Who may use the admin commands, the admins' command menu, and /stats and /sources end to end."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.texts import command_descriptions, text
from tests.admin_chat import (
    ADMIN,
    OTHER_ADMIN,
    RESIDENT,
    add_subscribers,
    admin_config,
    push,
    query,
    raw_message,
    replies_to,
    table_rows,
)
from tests.conversation import database, handled, store_of
from tests.fake_portal import FakePortal
from tests.fake_telegram import Call, FakeTelegram
from tests.harness import eventually, running_bot

GROUP = -1005550001
ADMIN_COMMANDS = ["broadcast", "cancel", "stats", "sources"]

pytestmark = pytest.mark.bot(config=admin_config)


def menus(fake: FakeTelegram) -> dict[tuple[str, int | None, str], list[str]]:
    """Return the command menus the bot set: (scope type, chat id, language) -> commands."""
    result = {}
    for call in fake.calls:
        if call.method == "setMyCommands" and call.status == 200:
            scope = call.params.get("scope") or {"type": "default"}
            key = (scope["type"], scope.get("chat_id"), call.params.get("language_code") or "")
            result[key] = [c["command"] for c in call.params["commands"]]
    return result


async def drafted(fake: FakeTelegram) -> None:
    """Have the admin draft broadcast #1 and wait until the bot is done with it."""
    push(fake, raw_message(ADMIN, text="/broadcast Họp dân ấp Xẻo Đước lúc 19 giờ"))
    await replies_to(fake, ADMIN, 2)
    await handled(fake)  # the control message's id is stored only after it was sent


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/broadcast Tin giả mạo", "/stats", "/sources", "/cancel"])
@pytest.mark.parametrize("chat_type", ["private", "supergroup"])
async def test_a_non_admin_is_refused_politely_and_nothing_changes(
    tmp_path: Path, fake: FakeTelegram, bot: Any, command: str, chat_type: str
) -> None:
    add_subscribers(database(tmp_path), [11, 12])
    await drafted(fake)
    before, sends = table_rows(database(tmp_path)), len(fake.sent())
    chat = RESIDENT if chat_type == "private" else GROUP
    push(fake, raw_message(chat, user_id=RESIDENT, text=command, chat_type=chat_type))
    (answer,) = await replies_to(fake, chat, 1)
    assert answer.params["text"] == text("vi", "admin_only")
    await handled(fake)
    assert table_rows(database(tmp_path)) == before
    assert len(fake.sent()) == sends + 2  # the refusal and the barrier's, nothing to anyone else


async def test_a_non_admins_photo_captioned_broadcast_is_refused(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    photo = (await bot.bot.send_photo(RESIDENT, "https://anbien.example.vn/a.jpg")).photo[-1]
    before = table_rows(database(tmp_path))
    push(fake, raw_message(RESIDENT, photo=photo.file_id, caption="/broadcast Ảnh giả"))
    answer = (await replies_to(fake, RESIDENT, 2))[1]
    assert answer.params["text"] == text("vi", "admin_only")
    assert table_rows(database(tmp_path)) == before


@pytest.mark.parametrize("action", ["send", "stop", "discard", "all", "me", "c:thong-bao"])
async def test_forged_buttons_from_a_non_admin_change_nothing_and_reach_no_one(
    tmp_path: Path, fake: FakeTelegram, bot: Any, action: str
) -> None:
    add_subscribers(database(tmp_path), [11, 12])
    await drafted(fake)
    before, sends = table_rows(database(tmp_path)), len(fake.sent())
    # Pressed in the resident's own chat, and forged onto the admin's control message.
    fake.push_callback(RESIDENT, f"bc:1:{action}", user_id=RESIDENT)
    fake.push_callback(ADMIN, f"bc:1:{action}", user_id=RESIDENT)
    await eventually(lambda: len(_answers(fake)) == 2)
    for answer in _answers(fake):
        assert answer.params["text"] == text("vi", "admin_only")
        assert answer.params["show_alert"] in (True, "true")
    await handled(fake)
    assert table_rows(database(tmp_path)) == before
    assert len(fake.sent()) == sends + 1  # the barrier's answer only
    assert [c for c in fake.calls if c.method.startswith("edit")] == []


def _answers(fake: FakeTelegram) -> list[Call]:
    return [c for c in fake.calls if c.method == "answerCallbackQuery" and c.status == 200]


async def test_an_admin_in_a_group_is_asked_to_write_privately(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    for command in ("/stats", "/broadcast Họp dân"):
        before = len(fake.sent_to(GROUP))
        push(fake, raw_message(GROUP, user_id=ADMIN, text=command, chat_type="supergroup"))
        answer = (await replies_to(fake, GROUP, before + 1))[before]
        assert answer.params["text"] == text("vi", "admin_private_only")
    assert query(database(tmp_path), "SELECT count(*) FROM broadcasts") == [(0,)]


# -- the command menu ------------------------------------------------------------------------


async def test_only_admins_get_the_admin_commands_in_their_menu(
    fake: FakeTelegram, bot: Any
) -> None:
    set_menus = menus(fake)
    residents = {lang: [c for c, _ in command_descriptions(lang)] for lang in ("vi", "en")}
    assert set_menus[("default", None, "")] == residents["vi"]
    assert set_menus[("default", None, "en")] == residents["en"]
    for admin in (ADMIN, OTHER_ADMIN):
        assert set_menus[("chat", admin, "")] == residents["vi"] + ADMIN_COMMANDS
        assert set_menus[("chat", admin, "en")] == residents["en"] + ADMIN_COMMANDS
    assert {key[0] for key in set_menus} == {"default", "chat"}


async def test_an_admin_who_never_opened_the_bot_gets_the_menu_on_start(
    tmp_path: Path, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # The residents' two menus go first; the admin's is then refused as Telegram does.
    fake.fail(method="setMyCommands", code=400, description="Bad Request: chat not found", times=3)
    caplog.set_level(logging.WARNING, logger="anbien_bot")
    async with running_bot(admin_config(tmp_path, fake, admins=[ADMIN])):
        assert ("chat", ADMIN, "") not in menus(fake)
        assert f"admin={ADMIN} command menu not set" in caplog.text
        fake.push_message(ADMIN, "/start")
        await eventually(lambda: ("chat", ADMIN, "en") in menus(fake))
        assert menus(fake)[("chat", ADMIN, "")][-4:] == ADMIN_COMMANDS


# -- /stats and /sources ---------------------------------------------------------------------


async def test_stats_counts_subscribers_posts_and_the_archive(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    add_subscribers(database(tmp_path), [11, 12, 13])
    add_subscribers(database(tmp_path), [14], language="en")
    add_subscribers(database(tmp_path), [15], active=False)
    published = datetime(2020, 5, 29, 3, 0, tzinfo=UTC)
    entries = [
        Entry(
            key=str(n),
            url=f"https://anbien.example.vn/tin/{n}.html",
            title=f"Thông báo số {n}",
            published=published + timedelta(days=n),
        )
        for n in range(3)
    ]
    svc = bot.bot_data["services"]
    await svc.store.store_entries(
        "Cổng huyện", ["thong-bao"], entries, now=datetime.now(UTC), plan=Planner()
    )
    svc.sender.wake()
    await eventually(lambda: len([c for c in fake.sent() if c.chat_id in (11, 12, 13, 14)]) == 12)
    push(fake, raw_message(ADMIN, text="/stats"))
    (report,) = await replies_to(fake, ADMIN, 1)
    body = report.params["text"]
    assert "Đang nhận: 4 (mới trong 7 ngày: 4)" in body
    assert "đã chặn hoặc rời bot: 1" in body
    assert "Theo chuyên mục: Thông báo 4" in body
    assert "Theo ngôn ngữ: tiếng Việt 3, tiếng Anh 1" in body
    assert "24 giờ qua: 12 đã gửi · 0 lỗi · 0 bị chặn" in body
    assert "3 bài, đăng từ 29/05/2020 đến 31/05/2020" in body
    assert "<pre>" in body


async def test_sources_shows_each_sources_health(
    tmp_path: Path, fake: FakeTelegram, portal: FakePortal
) -> None:
    portal.serve("/tot.xml", _feed(portal, ["1", "2"]))
    portal.status("/hong.xml", 500)
    sources = [
        {"name": "Cổng huyện", "url": portal.url("/tot.xml"), "category": "thong-bao"},
        {"name": "Báo tỉnh", "url": portal.url("/hong.xml"), "category": "thong-bao"},
    ]
    config = admin_config(tmp_path, fake, sources=sources, polling={"interval_seconds": 60})
    async with running_bot(config) as app:
        await eventually(lambda: _polled(store_of(app), 2), timeout=15)
        push(fake, raw_message(ADMIN, text="/sources"))
        (report,) = await replies_to(fake, ADMIN, 1)
    body = report.params["text"]
    assert body.startswith(text("vi", "sources_title", count=2))
    good, bad = body.split("\n\n")[1:]
    assert good.startswith("✅ <b>Cổng huyện</b> · rss")
    assert "Lỗi liên tiếp: 0 · tin trong 7 ngày: 0" in good  # its items are from 2020
    assert "Lần đọc tới:" in good
    assert bad.startswith("⚠️ <b>Báo tỉnh</b> · rss")
    assert "Đọc được lần cuối: chưa lần nào" in bad
    assert "500" in bad
    assert "Lỗi liên tiếp: 1" in bad


async def _polled(store: Any, count: int) -> bool:
    return len(await store.source_states()) >= count


def _feed(portal: FakePortal, keys: list[str]) -> str:
    items = "".join(
        f"<item><title>Tin {k}</title><link>{portal.url(f'/tin/{k}.html')}</link>"
        f"<guid isPermaLink='false'>{k}</guid>"
        "<pubDate>Fri, 29 May 2020 10:00:00 +0700</pubDate></item>"
        for k in keys
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Thử</title>"
        f"<link>{portal.url('/')}</link>{items}</channel></rss>"
    )
