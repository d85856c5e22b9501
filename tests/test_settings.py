"""Keyword alerts and the settings menu, run for real: PTB polling the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from anbien_bot.delivery.planner import Planner, slot_for
from anbien_bot.models import Entry, QuietHours
from anbien_bot.text.dates import VN_TZ
from anbien_bot.texts import text
from tests.conversation import answers, ask, buttons, calls_of, store_of
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually

USER = 1001

pytestmark = pytest.mark.telegram(may_refuse=())  # Telegram would accept every call


async def press(fake: FakeTelegram, data: str, **kwargs: Any) -> Any:
    """Press a button on the last message and return the edit of that message."""
    before = len([c for c in fake.calls if c.method == "editMessageText"])
    fake.push_callback(USER, data, **kwargs)
    return (await calls_of(fake, "editMessageText", before + 1))[before]


async def test_an_alert_is_added_listed_and_removed_with_its_button(
    fake: FakeTelegram, bot: Any
) -> None:
    reply = await ask(fake, USER, "/theodoi mất điện  Thứ Ba")
    assert reply.params["text"] == text("vi", "alert_added", words="mất điện thứ ba")
    again = await ask(fake, USER, "/alert Mất Điện thứ ba")
    assert again.params["text"] == text("vi", "alert_exists", words="mất điện thứ ba")
    (alert,) = await store_of(bot).alerts(USER)

    listing = await ask(fake, USER, "/alerts")
    assert listing.params["text"] == text("vi", "alerts_header")
    assert buttons(listing) == [("❌ mất điện thứ ba", f"alert:del:{alert.id}")]
    edit = await press(fake, f"alert:del:{alert.id}")
    assert edit.params["text"] == text("vi", "alerts_none")
    assert answers(fake)[-1]["text"] == "Đã xóa: mất điện thứ ba"
    assert await store_of(bot).alerts(USER) == []


async def test_an_alert_without_words_or_too_long_is_explained(
    fake: FakeTelegram, bot: Any
) -> None:
    assert (await ask(fake, USER, "/alert")).params["text"] == text("vi", "alert_usage")
    long = await ask(fake, USER, "/alert " + " ".join(["tu"] * 9))
    assert long.params["text"] == text("vi", "alert_too_long", words=8, chars=100)
    assert await store_of(bot).alerts(USER) == []


async def test_settings_menu_sets_a_digest_hour_quiet_hours_and_the_language(
    fake: FakeTelegram, bot: Any
) -> None:
    menu = await ask(fake, USER, "/settings")
    assert "ngay khi có tin" in menu.params["text"]
    assert ("✅ ⚡ Nhận ngay", "set:instant") in buttons(menu)

    picker = await press(fake, "set:digest")
    assert ("07:00", "set:digest:7") in buttons(picker)
    saved = await press(fake, "set:digest:7")
    assert "bản tin hằng ngày lúc 07:00" in saved.params["text"]
    assert ("✅ 📰 Bản tin hằng ngày", "set:digest") in buttons(saved)

    await press(fake, "set:quiet")
    saved = await press(fake, "set:quiet:22-6")
    assert "22:00–06:00" in saved.params["text"]

    saved = await press(fake, "set:lang:en")
    assert saved.params["text"].startswith("⚙️ <b>Settings</b>")
    settings = await store_of(bot).chat_settings(USER)
    assert settings.timing.digest_hour == 7
    assert settings.timing.quiet == QuietHours(22 * 60, 6 * 60)
    assert settings.language == "en"
    chat = await store_of(bot).chat(USER)
    assert chat is not None
    assert chat.language == "en"
    # The chosen language answers from now on, whatever the client's language.
    assert (await ask(fake, USER, "/alert")).params["text"] == text("en", "alert_usage")
    assert (await ask(fake, USER, "/help")).params["text"] == text("en", "help")
    assert (await ask(fake, USER, "/search")).params["text"] == text("en", "search_usage")

    await press(fake, "set:instant")
    assert (await store_of(bot).chat_settings(USER)).timing.digest_hour is None


async def test_a_forged_settings_button_changes_nothing(fake: FakeTelegram, bot: Any) -> None:
    await ask(fake, USER, "/settings")
    fake.push_callback(USER, "set:digest:3")
    await eventually(lambda: len(answers(fake)) == 1)
    assert answers(fake)[0]["text"] == "Nút này không còn dùng được. Gõ /categories để mở lại."
    assert (await store_of(bot).chat_settings(USER)).timing.digest_hour is None


async def test_stop_deletes_alerts_and_settings(fake: FakeTelegram, bot: Any) -> None:
    await ask(fake, USER, "/alert mat dien")
    await ask(fake, USER, "/settings")
    await press(fake, "set:digest:7")
    await ask(fake, USER, "/stop")
    store = store_of(bot)
    assert await store.alerts(USER) == []
    assert (await store.chat_settings(USER)).timing.digest_hour is None


async def test_during_quiet_hours_only_the_urgent_post_arrives(
    fake: FakeTelegram, bot: Any
) -> None:
    await ask(fake, USER, "/subscribe thong bao")
    store = store_of(bot)
    local = datetime.now(VN_TZ)
    minute = local.hour * 60 + local.minute
    # Quiet from an hour ago to an hour ahead of the real clock: this run is inside them.
    await store.set_quiet_hours(
        USER,
        QuietHours((minute - 60) % 1440, (minute + 60) % 1440),
        datetime.now(UTC),
        replan=slot_for,
    )
    entries = [
        Entry(key="1", url="https://anbien.kiengiang.gov.vn/tin/1", title="Họp dân ấp 3"),
        Entry(key="2", url="https://anbien.kiengiang.gov.vn/tin/2", title="Bão số 9 sắp đổ bộ"),
    ]
    sent_before = len(fake.sent_to(USER))
    planner = Planner.from_config(bot.bot_data["services"].config)  # [urgent] words: bão
    await store.store_entries(
        "portal", ["thong-bao"], entries, now=datetime.now(UTC), plan=planner
    )
    bot.bot_data["services"].sender.wake()
    await eventually(lambda: len(fake.sent_to(USER)) > sent_before)
    await bot.bot_data["services"].sender.wait_idle()
    delivered = fake.sent_to(USER)[sent_before:]
    assert len(delivered) == 1
    assert "Bão số 9" in delivered[0].params["text"]
    assert await store.pending_deliveries() == 1  # the ordinary post waits for the morning
