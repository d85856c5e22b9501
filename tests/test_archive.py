"""Searching the archive through the bot: PTB polling the fake Bot API, a real SQLite store."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from anbien_bot.models import Entry
from anbien_bot.text.search import MAX_TERMS
from anbien_bot.texts import text
from tests.conversation import ask, buttons, calls_of, handled, store_of
from tests.fake_telegram import Call, FakeTelegram
from tests.test_store_search import fixture_entries

USER = 1001
OTHER_USER = 1002
GROUP = -1001234567890
NOW = datetime(2024, 7, 1, tzinfo=UTC)

pytestmark = pytest.mark.telegram(may_refuse=())  # Telegram would accept every call


@pytest.fixture
async def bot(bot: Any) -> Any:
    """The running bot, its store holding the search fixtures."""
    for category, entry in fixture_entries():
        await store_of(bot).store_entries("portal", [category], [entry], now=NOW, plan=None)
    return bot


async def outages(app: Any, count: int, category: str = "thong-bao", start: int = 0) -> None:
    """Store ``count`` power-cut notices, the higher the number the newer."""
    entries = [
        Entry(
            key=f"cup-{n}",
            url=f"https://anbien.kiengiang.gov.vn/tin/cup-{n}",
            title=f"Lịch cúp điện ấp {n}",
            published=NOW + timedelta(hours=n),
        )
        for n in range(start, start + count)
    ]
    await store_of(app).store_entries("dien-luc", [category], entries, now=NOW, plan=None)


def listed(call: Call) -> list[str]:
    """Return the titles a result message lists, in order."""
    body = html.unescape(re.sub(r"<[^>]*>", "", call.params["text"]))
    return [line[2:] for line in body.splitlines() if line.startswith("• ")]


def reads(numbers: Any) -> list[str]:
    """Return the labels of the "read in full" buttons of these power-cut notices."""
    return [f"📖 Lịch cúp điện ấp {n}" for n in numbers]


def pressed(fake: FakeTelegram, label: str, call: Call, chat_id: int = USER) -> None:
    """Press the button with this label under the message a call sent or edited."""
    data = dict(buttons(call))[label]
    message_id = call.params.get("message_id")
    fake.push_callback(chat_id, data, message_id=int(message_id) if message_id else None)


async def test_search_command_lists_title_date_category_and_link(
    fake: FakeTelegram, bot: Any
) -> None:
    reply = await ask(fake, USER, "/search dan van kheo")
    body = reply.params["text"]
    assert body.startswith("🔎 Kết quả cho “dan van kheo”: tin 1–1 trong 1\n\n")
    # The title opens the archived copy in the bot (issue 14); the original page beside it.
    assert (
        '• <a href="https://t.me/anbien_test_bot?start=a1">Ban Dân vận Huyện ủy tuyên dương '
        "các mô hình “Dân vận khéo” năm 2023</a>\n🗓 12/01/2024 09:30 · Hoạt động Huyện ủy"
        ' · <a href="https://anbien.kiengiang.gov.vn/tin/a1">Trang gốc</a>'
    ) in body
    # Each result has its "read in full" button, labelled with its title.
    assert [label for label, _ in buttons(reply)] == [
        "📖 Ban Dân vận Huyện ủy tuyên dương các mô hình…"
    ]
    assert re.fullmatch(r"r:\d+:1", buttons(reply)[0][1])
    assert reply.params["link_preview_options"] == {"is_disabled": True}


async def test_the_vietnamese_alias_and_english_users(fake: FakeTelegram, bot: Any) -> None:
    reply = await ask(fake, USER, "/timkiem Thứ Ba")
    titles = {e.key: e.title for _, e in fixture_entries()}
    assert listed(reply)[:2] == [titles["a5"], titles["a3"]]
    english = await ask(fake, USER, "/search uy ban", language_code="en")
    assert english.params["text"].startswith("🔎 Results for “uy ban”: 1–")


async def test_plain_text_in_a_private_chat_is_a_search_without_the_hint(
    fake: FakeTelegram, bot: Any
) -> None:
    reply = await ask(fake, USER, "kien hai")
    assert listed(reply) == ["Huyện ủy Kiên Hải làm việc với đoàn kiểm tra của Tỉnh ủy"]
    await handled(fake)
    assert len(fake.sent_to(USER)) == 1  # no "use the buttons" hint besides the results


async def test_plain_text_in_a_group_is_not_a_search_but_the_command_is(
    fake: FakeTelegram, bot: Any
) -> None:
    fake.push_message(GROUP, "hoi nghi tong ket", chat_type="supergroup")
    command = "/search@anbien_test_bot hoi nghi tong ket"
    reply = await ask(fake, GROUP, command, chat_type="supergroup")
    assert listed(reply) == ["Hội nghị tổng kết mô hình tôm – lúa vụ 2023–2024"]
    await handled(fake)
    assert len(fake.sent_to(GROUP)) == 1


async def test_usage_no_words_and_nothing_found_are_polite(fake: FakeTelegram, bot: Any) -> None:
    assert (await ask(fake, USER, "/search")).params["text"] == text("vi", "search_usage")
    assert (await ask(fake, USER, "🙏🙏 ***")).params["text"] == text("vi", "search_no_words")
    nothing = await ask(fake, USER, "tàu ngầm")
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
    reply = await ask(fake, USER, typed)
    assert reply.params["text"].startswith(("🔎", "Không tìm thấy"))


async def test_a_pasted_essay_searches_its_first_words(fake: FakeTelegram, bot: Any) -> None:
    reply = await ask(fake, USER, ("Đường Xuồng Thứ Ba " * 300)[:4000])
    assert f"(chỉ tìm theo {MAX_TERMS} từ đầu)" in reply.params["text"]


async def test_arrows_page_through_results_by_editing_the_message(
    fake: FakeTelegram, bot: Any
) -> None:
    await outages(bot, 12)
    first = await ask(fake, USER, "lich cup dien")
    assert listed(first) == [f"Lịch cúp điện ấp {n}" for n in range(11, 6, -1)]
    assert "tin 1–5 trong 12" in first.params["text"]
    assert [label for label, _ in buttons(first)] == [*reads(range(11, 6, -1)), "▶"]
    assert all(len(data.encode()) <= 64 for _, data in buttons(first))
    pressed(fake, "▶", first)
    (second,) = await calls_of(fake, "editMessageText", 1)
    assert listed(second) == [f"Lịch cúp điện ấp {n}" for n in range(6, 1, -1)]
    assert "tin 6–10 trong 12" in second.params["text"]
    assert [label for label, _ in buttons(second)] == [*reads(range(6, 1, -1)), "◀", "▶"]
    assert second.params["chat_id"] == str(USER)
    pressed(fake, "▶", second)
    third = (await calls_of(fake, "editMessageText", 2))[-1]
    assert listed(third) == ["Lịch cúp điện ấp 1", "Lịch cúp điện ấp 0"]
    assert [label for label, _ in buttons(third)] == [*reads((1, 0)), "◀"]
    pressed(fake, "◀", third)
    back = (await calls_of(fake, "editMessageText", 3))[-1]
    assert listed(back) == listed(second)
    assert len({c.params["message_id"] for c in (second, third, back)}) == 1
    assert len(await calls_of(fake, "answerCallbackQuery", 3)) == 3
    assert len(fake.sent_to(USER)) == 1  # pages are edits, not new messages


async def test_a_category_button_narrows_the_results_and_another_widens_them(
    fake: FakeTelegram, bot: Any
) -> None:
    await outages(bot, 3, "thong-bao")
    await outages(bot, 4, "hoat-dong-huyen-uy", start=10)
    first = await ask(fake, USER, "cup dien")
    labels = [label for label, _ in buttons(first)]
    newest = [*range(13, 9, -1), 2]
    # the more frequent first
    assert labels == [*reads(newest), "▶", "Hoạt động Huyện ủy", "Thông báo"]
    pressed(fake, "Thông báo", first)
    (narrowed,) = await calls_of(fake, "editMessageText", 1)
    assert narrowed.params["text"].startswith("🔎 Kết quả cho “cup dien” – Thông báo: tin 1–3")
    assert listed(narrowed) == [f"Lịch cúp điện ấp {n}" for n in (2, 1, 0)]
    assert [label for label, _ in buttons(narrowed)] == [*reads((2, 1, 0)), "Mọi chuyên mục"]
    pressed(fake, "Mọi chuyên mục", narrowed)
    widened = (await calls_of(fake, "editMessageText", 2))[-1]
    assert widened.params["text"] == first.params["text"]


async def test_a_stale_or_forged_button_gets_a_polite_answer_and_changes_nothing(
    fake: FakeTelegram, bot: Any
) -> None:
    await outages(bot, 7)
    first = await ask(fake, USER, "lich cup dien")
    data = dict(buttons(first))["▶"]
    for forged in ("srch:nosuchtoken:2:", "srch:../../etc:1:", "srch:" + "x" * 40):
        fake.push_callback(USER, forged)
    fake.push_callback(OTHER_USER, data)  # someone else's search, from another chat
    fake.push_callback(USER, data.replace(":2:", ":2:no-such-category"))
    answered = await calls_of(fake, "answerCallbackQuery", 5)
    expired = html.unescape(text("vi", "search_expired"))
    assert [a.params.get("text") for a in answered] == [expired] * 5
    assert [c for c in fake.calls if c.method == "editMessageText"] == []


async def test_inline_mode_offers_matching_posts_to_share(fake: FakeTelegram, bot: Any) -> None:
    fake.push_inline_query(OTHER_USER, "Đường")
    (answer,) = await calls_of(fake, "answerInlineQuery", 1)
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
    (newest,) = await calls_of(fake, "answerInlineQuery", 1)
    assert newest.params["results"][0]["title"] == "Lịch cúp điện ấp 13"
    fake.push_inline_query(OTHER_USER, "lich cup")
    matching = (await calls_of(fake, "answerInlineQuery", 2))[-1]
    assert len(matching.params["results"]) == 10
    assert matching.params["next_offset"] == "10"
    user = {"id": OTHER_USER, "is_bot": False, "first_name": "Dân", "language_code": "vi"}
    fake.push_update(
        {"inline_query": {"id": "more", "from": user, "query": "lich cup", "offset": "10"}}
    )
    rest = (await calls_of(fake, "answerInlineQuery", 3))[-1]
    assert [r["title"] for r in rest.params["results"]] == [
        f"Lịch cúp điện ấp {n}" for n in (3, 2, 1, 0)
    ]
    assert "next_offset" not in rest.params
