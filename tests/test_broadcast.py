"""Broadcasts run for real: preview, audience, Send through the outbox, progress, report, stop.

The bot is the real Application polling the loopback fake Bot API, with a SQLite store; the
fake rejects whatever Telegram would (bad HTML, too long), so a formatting slip fails here.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, Message, MessageEntity

from anbien_bot.bot.handlers.broadcast import announcement_html
from anbien_bot.texts import text
from tests.admin_chat import (
    ADMIN,
    OTHER_ADMIN,
    add_subscribers,
    admin_config,
    button_data,
    create_database,
    entity,
    push,
    query,
    raw_message,
    replies_to,
    table_rows,
)
from tests.conversation import WITNESS, database, handled
from tests.fake_telegram import Call, FakeTelegram
from tests.harness import eventually, running_bot
from tests.telegram_rules import check_telegram_html

BODY = "Cúp nước ngày 30/11 tại ấp Xẻo Nhàu từ 8 giờ đến 16 giờ. Xem lịch"
LINK = "https://anbien.example.vn/lich?ngay=30&ap=2"
EXPECTED = (
    "<b>Cúp nước</b> ngày 30/11 tại ấp Xẻo Nhàu từ 8 giờ đến 16 giờ. "
    '<a href="https://anbien.example.vn/lich?ngay=30&amp;ap=2">Xem lịch</a>'
)

pytestmark = [
    # Blocked chats answer 403 on purpose; anything else would be a call Telegram refuses.
    pytest.mark.telegram(may_refuse={403}),
    pytest.mark.bot(config=admin_config),
]


@pytest.fixture(autouse=True)
def quick_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look at the progress often, so a finished broadcast's report comes without delay."""
    monkeypatch.setattr("anbien_bot.bot.progress.PROGRESS_SECONDS", 0.3)


def announcement(body: str = BODY) -> dict[str, Any]:
    """Return the admin's /broadcast message: bold words and a link with "&" in its URL."""
    command = f"/broadcast {body}"
    return raw_message(
        ADMIN,
        text=command,
        entities=[
            entity("bold", command, "Cúp nước"),
            entity("text_link", command, "Xem lịch", url=LINK),
        ],
    )


async def draft(fake: FakeTelegram, message: dict[str, Any]) -> tuple[Call, Call]:
    """Send an admin's /broadcast and return the preview and the control message."""
    before = len(fake.sent_to(ADMIN))
    push(fake, message)
    sent = await replies_to(fake, ADMIN, before + 2)
    return sent[before], sent[before + 1]


def report_of(fake: FakeTelegram, chat_id: int = ADMIN) -> Call | None:
    """Return the final report of a broadcast sent to the admin, if it came."""
    for call in fake.sent_to(chat_id):
        if str(call.params.get("text", "")).startswith(("✅", "⏹")):
            return call
    return None


def status_counts(db_path: Path) -> dict[str, int]:
    return dict(query(db_path, "SELECT status, count(*) FROM deliveries GROUP BY status"))


# -- composing and previewing ----------------------------------------------------------------


async def test_the_preview_is_the_message_residents_get_and_send_reaches_every_subscriber(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    add_subscribers(database(tmp_path), [11, 12, 13])
    add_subscribers(database(tmp_path), [14], active=False)  # blocked the bot long ago
    add_subscribers(database(tmp_path), [15], "hoat-dong-huyen-uy")
    preview, control = await draft(fake, announcement())
    assert preview.method == "sendMessage"
    assert (preview.params["text"], preview.params["parse_mode"]) == (EXPECTED, "HTML")
    assert control.params["text"] == text(
        "vi", "broadcast_draft", id=1, audience="mọi người đăng ký", count=4
    )
    assert "bc:1:send" in button_data(control)
    assert fake.sent_to(11) == []  # nothing goes out before Send

    fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
    await eventually(lambda: report_of(fake))
    for chat in (11, 12, 13, 15):
        (received,) = fake.sent_to(chat)
        assert (received.method, received.params["text"]) == ("sendMessage", EXPECTED)
        assert received.params["parse_mode"] == "HTML"
    assert fake.sent_to(14) == []
    report = report_of(fake)
    assert report is not None
    assert "Đã nhận: 4/4" in report.params["text"]
    [row] = query(
        database(tmp_path),
        "SELECT admin_id, text, audience, status, recipients, started_at IS NOT NULL, "
        "finished_at IS NOT NULL FROM broadcasts",
    )
    assert row == (ADMIN, EXPECTED, "all", "done", 4, 1, 1)


async def test_a_category_audience_and_a_test_to_oneself(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    add_subscribers(database(tmp_path), [21, 22])
    add_subscribers(database(tmp_path), [23], "hoat-dong-huyen-uy")
    await draft(fake, announcement())
    fake.push_callback(ADMIN, "bc:1:c:hoat-dong-huyen-uy", user_id=ADMIN)
    edit = (await _calls(fake, "editMessageText", 1))[0]
    assert edit.params["text"] == text(
        "vi",
        "broadcast_draft",
        id=1,
        audience="người đăng ký chuyên mục Hoạt động Huyện ủy",
        count=1,
    )
    assert "✅ Hoạt động Huyện ủy" in [
        b["text"] for r in edit.params["reply_markup"]["inline_keyboard"] for b in r
    ]
    fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
    await eventually(lambda: report_of(fake))
    assert [c.chat_id for c in fake.sent() if c.chat_id != ADMIN] == [23]

    await draft(fake, announcement("Thử nghiệm. Cúp nước Xem lịch"))
    fake.push_callback(ADMIN, "bc:2:me", user_id=ADMIN)
    await _calls(fake, "editMessageText", 3)
    fake.push_callback(ADMIN, "bc:2:send", user_id=ADMIN)
    await eventually(
        lambda: (
            len([c for c in fake.sent_to(ADMIN) if "Thử nghiệm" in c.params.get("text", "")]) == 2
        )
    )
    assert [c.chat_id for c in fake.sent() if c.chat_id not in (ADMIN,)] == [23]
    assert query(
        database(tmp_path), "SELECT audience, recipients FROM broadcasts WHERE id = 2"
    ) == [("admin", 1)]


async def _calls(fake: FakeTelegram, method: str, count: int) -> list[Call]:
    await eventually(
        lambda: len([c for c in fake.calls if c.method == method and c.status == 200]) >= count
    )
    return [c for c in fake.calls if c.method == method and c.status == 200]


async def test_a_photo_with_a_broadcast_caption_goes_out_as_that_photo(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    photo = (await bot.bot.send_photo(ADMIN, "https://anbien.example.vn/bao.jpg")).photo[-1]
    add_subscribers(database(tmp_path), [31, 32])
    caption = "/broadcast Bão số 3 đổ bộ đêm nay"
    message = raw_message(
        ADMIN,
        photo=photo.file_id,
        caption=caption,
        entities=[entity("italic", caption, "đêm nay")],
    )
    preview, _ = await draft(fake, message)
    assert preview.method == "sendPhoto"
    assert preview.params["photo"] == photo.file_id
    assert preview.params["caption"] == "Bão số 3 đổ bộ <i>đêm nay</i>"
    fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
    await eventually(lambda: report_of(fake))
    for chat in (31, 32):
        (received,) = fake.sent_to(chat)
        assert received.method == "sendPhoto"
        assert received.params["photo"] == photo.file_id
        assert received.params["caption"] == "Bão số 3 đổ bộ <i>đêm nay</i>"


async def test_replying_with_broadcast_takes_the_replied_message(
    fake: FakeTelegram, bot: Any
) -> None:
    original = raw_message(
        ADMIN,
        text=BODY,
        entities=[
            entity("bold", BODY, "Cúp nước"),
            entity("text_link", BODY, "Xem lịch", url=LINK),
        ],
    )
    preview, control = await draft(fake, raw_message(ADMIN, text="/broadcast", reply_to=original))
    assert preview.params["text"] == EXPECTED
    assert "bc:1:send" in button_data(control)


async def test_editing_the_broadcast_message_makes_no_second_draft(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    message = announcement()
    await draft(fake, message)
    fake.push_update({"edited_message": message | {"edit_date": message["date"] + 5}})
    fake.push_message(ADMIN, "/cancel")  # answered after the edit, which is ignored
    await replies_to(fake, ADMIN, 3)
    assert fake.sent_texts(ADMIN)[2] == text("vi", "broadcast_discarded", id=1)
    assert query(database(tmp_path), "SELECT count(*) FROM broadcasts") == [(1,)]


async def test_nothing_to_send_gets_the_usage_and_other_media_are_refused(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    push(fake, raw_message(ADMIN, text="/broadcast   "))
    (usage,) = await replies_to(fake, ADMIN, 1)
    assert usage.params["text"] == text("vi", "broadcast_usage")
    sticker = raw_message(ADMIN)
    sticker["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "us1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    push(fake, raw_message(ADMIN, text="/broadcast", reply_to=sticker))
    refused = (await replies_to(fake, ADMIN, 2))[1]
    assert refused.params["text"] == text("vi", "broadcast_unsupported")
    assert query(database(tmp_path), "SELECT count(*) FROM broadcasts") == [(0,)]


async def test_a_caption_longer_than_telegram_takes_is_refused_before_any_preview(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    photo = (await bot.bot.send_photo(ADMIN, "https://anbien.example.vn/dai.jpg")).photo[-1]
    before = len(fake.sent_to(ADMIN))
    # Premium users may write captions longer than a bot may send.
    push(fake, raw_message(ADMIN, photo=photo.file_id, caption="/broadcast " + "Mưa lớn. " * 150))
    answer = (await replies_to(fake, ADMIN, before + 1))[before]
    assert answer.params["text"] == text("vi", "too_long", limit=1024)
    assert query(database(tmp_path), "SELECT count(*) FROM broadcasts") == [(0,)]


async def test_a_preview_telegram_refuses_is_reported_and_nothing_is_kept(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    fake.fail(
        ADMIN,
        "sendMessage",
        code=400,
        description="Bad Request: can't parse entities: unsupported start tag",
    )
    push(fake, announcement())
    (answer,) = await replies_to(fake, ADMIN, 1)
    fake.calls[:] = [c for c in fake.calls if c.status != 400]  # the refusal we asked for
    assert answer.params["text"] == text(
        "vi", "broadcast_refused", error="Can't parse entities: unsupported start tag"
    )
    assert query(database(tmp_path), "SELECT count(*) FROM broadcasts") == [(0,)]


def test_formatting_is_clipped_at_the_command_and_what_a_bot_may_not_send_is_dropped() -> None:
    body = "/broadcast 🌊 Triều cường tối nay 😀 chi tiết: https://x.vn/?a=1&b=2 print(1)"
    marks = [
        entity("bold", body, "/broadcast 🌊 Triều"),  # starts on the command itself
        entity("custom_emoji", body, "😀", custom_emoji_id="5368324170671202286"),
        entity("url", body, "https://x.vn/?a=1&b=2"),
        entity("pre", body, "print(1)", language="python"),
    ]
    message = Message(
        1,
        datetime.now(UTC),
        Chat(ADMIN, "private"),
        text=body,
        entities=[MessageEntity.de_json(m, None) for m in marks],
    )
    skip = len("/broadcast ")
    result = announcement_html(message, body, message.entities, skip)
    assert result == (
        "<b>🌊 Triều</b> cường tối nay 😀 chi tiết: https://x.vn/?a=1&amp;b=2 <pre>print(1)</pre>"
    )
    check_telegram_html(result, 4096)


# -- Send, Discard, /cancel -----------------------------------------------------------------


async def test_discard_keeps_the_record_and_sends_nothing(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    add_subscribers(database(tmp_path), [41])
    await draft(fake, announcement())
    fake.push_callback(ADMIN, "bc:1:discard", user_id=ADMIN)
    (edit,) = await _calls(fake, "editMessageText", 1)
    assert edit.params["text"] == text("vi", "broadcast_discarded", id=1)
    fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)  # an old Send button
    await _calls(fake, "answerCallbackQuery", 2)
    await handled(fake)
    assert fake.sent_to(41) == []
    assert query(database(tmp_path), "SELECT status FROM broadcasts") == [("cancelled",)]
    assert status_counts(database(tmp_path)) == {}


async def test_send_pressed_twice_sends_once(tmp_path: Path, fake: FakeTelegram, bot: Any) -> None:
    add_subscribers(database(tmp_path), range(100, 150))
    await draft(fake, announcement())
    fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
    fake.push_callback(ADMIN, "bc:1:send", user_id=OTHER_ADMIN)  # another editor, same moment
    await eventually(lambda: report_of(fake))
    await handled(fake)  # both presses are handled; the report says the sends are done
    per_chat = Counter(c.chat_id for c in fake.sent() if c.chat_id not in (ADMIN, WITNESS))
    assert per_chat == Counter(range(100, 150))
    toasts = [c.params.get("text") for c in fake.calls if c.method == "answerCallbackQuery"]
    assert text("vi", "toast_already") in toasts
    assert status_counts(database(tmp_path)) == {"sent": 50}


async def test_a_thousand_subscribers_of_whom_three_blocked_the_bot(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    config = admin_config(tmp_path, fake)
    await create_database(database(tmp_path))
    add_subscribers(database(tmp_path), range(10_001, 11_001))
    blocked = [10_005, 10_500, 10_999]
    for chat in blocked:
        fake.block(chat)
    async with running_bot(config):
        await draft(fake, announcement())
        fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
        await eventually(lambda: report_of(fake), timeout=60)
    report = report_of(fake)
    assert report is not None
    assert "Đã nhận: 997/1.000" in report.params["text"]
    assert "Đã chặn bot: 3 · lỗi: 0" in report.params["text"]
    progress = [
        c
        for c in fake.calls
        if c.method == "editMessageText" and c.params["text"].startswith("📣")
    ]
    assert progress, "the progress message was never shown"
    assert "bc:1:stop" in button_data(progress[0])
    assert status_counts(database(tmp_path)) == {"sent": 997, "blocked": 3}
    assert query(database(tmp_path), "SELECT count(*) FROM chats WHERE active = 0") == [(3,)]
    assert len({c.chat_id for c in fake.sent()} - {ADMIN}) == 997


async def test_progress_edits_keep_the_admins_chat_spacing_beside_their_own_copy(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    # The progress is looked at every 0.3 s here and changes while 80 sends take 4 s; the
    # admin, a subscriber too, also gets the announcement. Every call to their chat after the
    # control message goes through the pacer: never two within Telegram's second.
    config = admin_config(tmp_path, fake, delivery={"messages_per_second": 20})
    await create_database(database(tmp_path))
    add_subscribers(database(tmp_path), [ADMIN, *range(3001, 3080)])
    async with running_bot(config):
        _, control = await draft(fake, announcement())
        fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
        await eventually(lambda: report_of(fake), timeout=30)
    to_admin = [
        c
        for c in fake.calls
        if c.chat_id == ADMIN and c.at > control.at and c.method != "deleteMessage"
    ]
    methods = [c.method for c in to_admin]
    assert methods.count("editMessageText") >= 2  # the progress, shown more than once
    assert methods.count("sendMessage") == 2  # the admin's copy and the final report
    times = [c.at for c in to_admin]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times)), to_admin


async def test_cancel_stops_what_has_not_gone_out(tmp_path: Path, fake: FakeTelegram) -> None:
    config = admin_config(tmp_path, fake, delivery={"messages_per_second": 20})
    await create_database(database(tmp_path))
    add_subscribers(database(tmp_path), range(2001, 2201))
    async with running_bot(config):
        await draft(fake, announcement())
        fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
        await eventually(lambda: len(fake.sent()) >= 20)
        push(fake, raw_message(ADMIN, text="/cancel"))
        await eventually(lambda: report_of(fake), timeout=15)
        reached = {c.chat_id for c in fake.sent()} - {ADMIN}
    # The bot has stopped, its sends in flight finished: nothing more went out after the report.
    assert {c.chat_id for c in fake.sent()} - {ADMIN} == reached
    report = report_of(fake)
    assert report is not None
    assert report.params["text"].startswith("⏹")
    counts = status_counts(database(tmp_path))
    assert counts["sent"] == len(reached)
    assert counts["cancelled"] == 200 - len(reached) > 100
    assert query(database(tmp_path), "SELECT status FROM broadcasts") == [("cancelled",)]


async def test_cancel_with_nothing_open_says_so(fake: FakeTelegram, bot: Any) -> None:
    push(fake, raw_message(ADMIN, text="/cancel"))
    (answer,) = await replies_to(fake, ADMIN, 1)
    assert answer.params["text"] == text("vi", "nothing_to_cancel")


async def test_cancel_discards_the_admins_draft(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    await draft(fake, announcement())
    before = table_rows(database(tmp_path))
    push(fake, raw_message(ADMIN, text="/cancel"))
    answer = (await replies_to(fake, ADMIN, 3))[2]
    assert answer.params["text"] == text("vi", "broadcast_discarded", id=1)
    (edit,) = await _calls(fake, "editMessageReplyMarkup", 1)
    assert button_data(edit) == []
    assert query(database(tmp_path), "SELECT status FROM broadcasts") == [("cancelled",)]
    assert table_rows(database(tmp_path))["deliveries"] == before["deliveries"] == []
