"""Searching the archive through the bot: PTB polling the fake Bot API, a real SQLite store."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.text.search import MAX_TERMS
from anbien_bot.texts import text
from tests.fake_telegram import ApiError, Call, FakeTelegram
from tests.harness import eventually, running_bot, write_config
from tests.telegram_rules import text_rejection
from tests.test_store_search import fixture_entries

USER = 1001
OTHER_USER = 1002
GROUP = -1001234567890
NOW = datetime(2024, 7, 1, tzinfo=UTC)


class InlineFakeTelegram(FakeTelegram):
    """The fake Bot API, also answering inline queries as Telegram checks them."""

    def _m_answerInlineQuery(self, params: dict[str, Any], files: object) -> bool:
        results = params.get("results") or []
        ids = [str(r.get("id", "")) for r in results]
        if len(results) > 50 or len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(str(params.get("next_offset") or "").encode()) > 64:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        for result in results:
            if not str(result.get("title") or "").strip():
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            rejection = text_rejection(result["input_message_content"], "message_text", 4096)
            if rejection is not None:
                raise ApiError(400, rejection)
        return True


@pytest.fixture
async def fake() -> AsyncIterator[InlineFakeTelegram]:
    async with InlineFakeTelegram() as server:
        yield server
        # Telegram would have accepted every call the bot made.
        assert [c for c in server.calls if c.status not in (0, 200)] == []


@pytest.fixture
async def bot(tmp_path: Path, fake: FakeTelegram) -> AsyncIterator[Any]:
    config = write_config(
        tmp_path,
        telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
    )
    async with running_bot(config) as app:
        store: Store = app.bot_data["services"].store
        for category, entry in fixture_entries():
            await store.store_entries("portal", [category], [entry], now=NOW, plan=None)
        yield app


async def outages(app: Any, count: int, category: str = "thong-bao", start: int = 0) -> None:
    """Store ``count`` power-cut notices, the higher the number the newer."""
    store: Store = app.bot_data["services"].store
    entries = [
        Entry(
            key=f"cup-{n}",
            url=f"https://anbien.kiengiang.gov.vn/tin/cup-{n}",
            title=f"Lịch cúp điện ấp {n}",
            published=NOW + timedelta(hours=n),
        )
        for n in range(start, start + count)
    ]
    await store.store_entries("dien-luc", [category], entries, now=NOW, plan=None)


async def replies(fake: FakeTelegram, chat_id: int, count: int) -> list[Call]:
    """Wait until the bot has sent ``count`` messages to the chat and return them."""
    await eventually(lambda: len(fake.sent_to(chat_id)) >= count)
    return fake.sent_to(chat_id)


async def ask(fake: FakeTelegram, message: str, chat_id: int = USER, **kwargs: Any) -> Call:
    """Send a message as the user and return the bot's one reply."""
    before = len(fake.sent_to(chat_id))
    fake.push_message(chat_id, message, **kwargs)
    return (await replies(fake, chat_id, before + 1))[before]


async def calls(fake: FakeTelegram, method: str, count: int) -> list[Call]:
    """Wait until ``count`` calls of ``method`` were made and return them."""
    await eventually(lambda: len([c for c in fake.calls if c.method == method]) >= count)
    return [c for c in fake.calls if c.method == method]


def buttons(call: Call) -> list[tuple[str, str]]:
    """Return (text, callback_data) of each button under a message."""
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def listed(call: Call) -> list[str]:
    """Return the titles a result message lists, in order."""
    body = html.unescape(re.sub(r"<[^>]*>", "", call.params["text"]))
    return [line[2:] for line in body.splitlines() if line.startswith("• ")]


def pressed(fake: FakeTelegram, label: str, call: Call, chat_id: int = USER) -> None:
    """Press the button with this label under the message a call sent or edited."""
    data = dict(buttons(call))[label]
    message_id = call.params.get("message_id")
    fake.push_callback(chat_id, data, message_id=int(message_id) if message_id else None)


async def test_search_command_lists_title_date_category_and_link(
    fake: FakeTelegram, bot: Any
) -> None:
    reply = await ask(fake, "/search dan van kheo")
    body = reply.params["text"]
    assert body.startswith("🔎 Kết quả cho “dan van kheo”: tin 1–1 trong 1\n\n")
    assert (
        '• <a href="https://anbien.kiengiang.gov.vn/tin/a1">Ban Dân vận Huyện ủy tuyên dương '
        "các mô hình “Dân vận khéo” năm 2023</a>\n🗓 12/01/2024 09:30 · Hoạt động Huyện ủy"
    ) in body
    assert buttons(reply) == []
    assert reply.params["link_preview_options"] == {"is_disabled": True}


async def test_the_vietnamese_alias_and_english_users(fake: FakeTelegram, bot: Any) -> None:
    reply = await ask(fake, "/timkiem Thứ Ba")
    titles = {e.key: e.title for _, e in fixture_entries()}
    assert listed(reply)[:2] == [titles["a5"], titles["a3"]]
    english = await ask(fake, "/search uy ban", language_code="en")
    assert english.params["text"].startswith("🔎 Results for “uy ban”: 1–")


async def test_plain_text_in_a_private_chat_is_a_search_without_the_hint(
    fake: FakeTelegram, bot: Any
) -> None:
    reply = await ask(fake, "kien hai")
    assert listed(reply) == ["Huyện ủy Kiên Hải làm việc với đoàn kiểm tra của Tỉnh ủy"]
    await asyncio.sleep(0.3)
    assert len(fake.sent_to(USER)) == 1  # no "use the buttons" hint besides the results


async def test_plain_text_in_a_group_is_not_a_search_but_the_command_is(
    fake: FakeTelegram, bot: Any
) -> None:
    fake.push_message(GROUP, "hoi nghi tong ket", chat_type="supergroup")
    command = "/search@anbien_test_bot hoi nghi tong ket"
    reply = await ask(fake, command, GROUP, chat_type="supergroup")
    assert listed(reply) == ["Hội nghị tổng kết mô hình tôm – lúa vụ 2023–2024"]
    await asyncio.sleep(0.3)
    assert len(fake.sent_to(GROUP)) == 1


async def test_usage_no_words_and_nothing_found_are_polite(fake: FakeTelegram, bot: Any) -> None:
    assert (await ask(fake, "/search")).params["text"] == text("vi", "search_usage")
    assert (await ask(fake, "🙏🙏 ***")).params["text"] == text("vi", "search_no_words")
    nothing = await ask(fake, "tàu ngầm")
    assert nothing.params["text"] == text("vi", "nothing_found", query="tàu ngầm")
    assert "ít từ hơn" in nothing.params["text"]
    assert buttons(nothing) == []


@pytest.mark.parametrize(
    "typed",
    [
        'title: "Thứ Ba" OR -x* NEAR(a b)',
        "covid-19 AND (phong",
        "exact:duong folded:*",
        "<b>Đường</b> &amp; 😀",
    ],
)
async def test_fts_syntax_gets_results_or_a_polite_reply(
    fake: FakeTelegram, bot: Any, typed: str
) -> None:
    reply = await ask(fake, typed)
    assert reply.params["text"].startswith(("🔎", "Không tìm thấy"))


async def test_a_pasted_essay_searches_its_first_words(fake: FakeTelegram, bot: Any) -> None:
    reply = await ask(fake, ("Đường Xuồng Thứ Ba " * 300)[:4000])
    assert f"(chỉ tìm theo {MAX_TERMS} từ đầu)" in reply.params["text"]


async def test_arrows_page_through_results_by_editing_the_message(
    fake: FakeTelegram, bot: Any
) -> None:
    await outages(bot, 12)
    first = await ask(fake, "lich cup dien")
    assert listed(first) == [f"Lịch cúp điện ấp {n}" for n in range(11, 6, -1)]
    assert "tin 1–5 trong 12" in first.params["text"]
    assert [label for label, _ in buttons(first)] == ["▶"]
    assert all(len(data.encode()) <= 64 for _, data in buttons(first))
    pressed(fake, "▶", first)
    (second,) = await calls(fake, "editMessageText", 1)
    assert listed(second) == [f"Lịch cúp điện ấp {n}" for n in range(6, 1, -1)]
    assert "tin 6–10 trong 12" in second.params["text"]
    assert [label for label, _ in buttons(second)] == ["◀", "▶"]
    assert second.params["chat_id"] == str(USER)
    pressed(fake, "▶", second)
    third = (await calls(fake, "editMessageText", 2))[-1]
    assert listed(third) == ["Lịch cúp điện ấp 1", "Lịch cúp điện ấp 0"]
    assert [label for label, _ in buttons(third)] == ["◀"]
    pressed(fake, "◀", third)
    back = (await calls(fake, "editMessageText", 3))[-1]
    assert listed(back) == listed(second)
    assert len({c.params["message_id"] for c in (second, third, back)}) == 1
    assert len(await calls(fake, "answerCallbackQuery", 3)) == 3
    assert len(fake.sent_to(USER)) == 1  # pages are edits, not new messages


async def test_a_category_button_narrows_the_results_and_another_widens_them(
    fake: FakeTelegram, bot: Any
) -> None:
    await outages(bot, 3, "thong-bao")
    await outages(bot, 4, "hoat-dong-huyen-uy", start=10)
    first = await ask(fake, "cup dien")
    labels = [label for label, _ in buttons(first)]
    assert labels == ["▶", "Hoạt động Huyện ủy", "Thông báo"]  # the more frequent first
    pressed(fake, "Thông báo", first)
    (narrowed,) = await calls(fake, "editMessageText", 1)
    assert narrowed.params["text"].startswith("🔎 Kết quả cho “cup dien” – Thông báo: tin 1–3")
    assert listed(narrowed) == [f"Lịch cúp điện ấp {n}" for n in (2, 1, 0)]
    assert [label for label, _ in buttons(narrowed)] == ["Mọi chuyên mục"]
    pressed(fake, "Mọi chuyên mục", narrowed)
    widened = (await calls(fake, "editMessageText", 2))[-1]
    assert widened.params["text"] == first.params["text"]


async def test_a_stale_or_forged_button_gets_a_polite_answer_and_changes_nothing(
    fake: FakeTelegram, bot: Any
) -> None:
    await outages(bot, 7)
    first = await ask(fake, "lich cup dien")
    data = dict(buttons(first))["▶"]
    for forged in ("srch:nosuchtoken:2:", "srch:../../etc:1:", "srch:" + "x" * 40):
        fake.push_callback(USER, forged)
    fake.push_callback(OTHER_USER, data)  # someone else's search, from another chat
    fake.push_callback(USER, data.replace(":2:", ":2:no-such-category"))
    answered = await calls(fake, "answerCallbackQuery", 5)
    expired = html.unescape(text("vi", "search_expired"))
    assert [a.params.get("text") for a in answered] == [expired] * 5
    assert [c for c in fake.calls if c.method == "editMessageText"] == []


async def test_inline_mode_offers_matching_posts_to_share(fake: FakeTelegram, bot: Any) -> None:
    fake.push_inline_query(OTHER_USER, "Đường")
    (answer,) = await calls(fake, "answerInlineQuery", 1)
    results = answer.params["results"]
    assert [r["title"] for r in results][:3] == [
        "Tăng cường thu phí bảo trì đường bộ ba tháng cuối năm",
        "Sửa chữa Đường giao thông nông thôn ấp Xẻo Đước, xã Nam Thái",
        "Thông báo tạm ngưng cung cấp điện tuyến Đường Xuồng – Thứ Ba",
    ]
    content = results[1]["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith("<b>Sửa chữa Đường giao thông nông thôn")
    assert content["link_preview_options"]["url"] == "https://anbien.kiengiang.gov.vn/tin/a4"
    assert results[1]["description"].startswith("15/03/2024 10:15 · Thông báo\nCông trình dài")
    assert "next_offset" not in answer.params  # no more results


async def test_inline_mode_with_no_words_offers_the_newest_and_pages_long_lists(
    fake: FakeTelegram, bot: Any
) -> None:
    await outages(bot, 14)
    fake.push_inline_query(OTHER_USER, "")
    (newest,) = await calls(fake, "answerInlineQuery", 1)
    assert newest.params["results"][0]["title"] == "Lịch cúp điện ấp 13"
    fake.push_inline_query(OTHER_USER, "lich cup")
    matching = (await calls(fake, "answerInlineQuery", 2))[-1]
    assert len(matching.params["results"]) == 10
    assert matching.params["next_offset"] == "10"
    user = {"id": OTHER_USER, "is_bot": False, "first_name": "Dân", "language_code": "vi"}
    fake.push_update(
        {"inline_query": {"id": "more", "from": user, "query": "lich cup", "offset": "10"}}
    )
    rest = (await calls(fake, "answerInlineQuery", 3))[-1]
    assert [r["title"] for r in rest.params["results"]] == [
        f"Lịch cúp điện ấp {n}" for n in (3, 2, 1, 0)
    ]
    assert "next_offset" not in rest.params
