"""The loopback fake Bot API, driven by a real python-telegram-bot Bot and Application."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import timedelta

import aiohttp
import pytest
from PIL import Image
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.fake_portal import FakePortal
from tests.fake_telegram import TELEGRAM_USER_AGENT, FakeTelegram
from tests.harness import TOKEN, eventually
from tests.images import camera_jpeg
from tests.telegram_rules import check_telegram_html

PHOTO = "https://anbien.kiengiang.gov.vn/PublishingImages/TinTuc/anh.jpg"
MB = 1024 * 1024


# -- recording -----------------------------------------------------------------------------


async def test_sends_are_recorded_with_chat_time_and_decoded_markup(
    fake: FakeTelegram, api: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Thông báo", callback_data="sub:1")]])
    before = time.monotonic()
    message = await api.send_message(42, "<b>Tin mới</b> &amp; cũ", "HTML", reply_markup=keyboard)
    await api.send_photo(43, PHOTO, caption="Ảnh")
    assert message.text == "Tin mới & cũ"
    assert [c.method for c in fake.sent()] == ["sendMessage", "sendPhoto"]
    first = fake.sent_to(42)[0]
    assert first.chat_id == 42
    assert first.params["text"] == "<b>Tin mới</b> &amp; cũ"
    assert first.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "sub:1"
    assert before <= first.at <= fake.sent_to(43)[0].at <= time.monotonic()
    assert fake.sent_texts(43) == ["Ảnh"]
    assert [c.method for c in fake.calls] == ["getMe", "sendMessage", "sendPhoto"]


async def test_failed_sends_are_calls_but_not_sent(fake: FakeTelegram, api: Bot) -> None:
    fake.block(5)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await api.send_message(5, "Xin chào")
    assert fake.sent() == []
    assert fake.calls[-1].status == 403
    assert fake.calls[-1].chat_id == 5


# -- faults --------------------------------------------------------------------------------


async def test_block_is_permanent_and_only_for_that_chat(fake: FakeTelegram, api: Bot) -> None:
    fake.block(5)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await api.send_photo(5, PHOTO)
    await api.send_message(6, "Vẫn gửi được")
    assert [c.chat_id for c in fake.sent()] == [6]


async def test_flood_raises_retry_after_then_lets_the_send_through(
    fake: FakeTelegram, api: Bot
) -> None:
    fake.flood(7, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await api.send_message(7, "Lần một")
    assert caught.value.retry_after == timedelta(seconds=3)
    await api.send_message(7, "Lần hai")
    assert fake.sent_texts(7) == ["Lần hai"]


async def test_global_flood_hits_any_chat_but_not_get_me(fake: FakeTelegram, api: Bot) -> None:
    fake.global_flood(retry_after=2, times=2)
    await api.get_me()
    for chat in (1, 2):
        with pytest.raises(RetryAfter):
            await api.send_message(chat, "x")
    await api.send_message(3, "x")


async def test_migrated_group_raises_chat_migrated_every_time(
    fake: FakeTelegram, api: Bot
) -> None:
    fake.migrate(-500, -1000500)
    for _ in range(2):
        with pytest.raises(ChatMigrated) as caught:
            await api.send_message(-500, "x")
        assert caught.value.new_chat_id == -1000500
    await api.send_message(-1000500, "x")


async def test_server_error_is_a_network_error_for_the_given_times(
    fake: FakeTelegram, api: Bot
) -> None:
    fake.server_error(8, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await api.send_message(8, "x")
    await api.send_message(8, "x")


async def test_fail_by_method_and_clear_faults(fake: FakeTelegram, api: Bot) -> None:
    fake.fail(method="sendPhoto", code=400, description="Bad Request: chat not found", times=None)
    with pytest.raises(BadRequest, match="Chat not found"):
        await api.send_photo(9, PHOTO)
    await api.send_message(9, "Chữ vẫn đi")
    fake.clear_faults()
    await api.send_photo(9, PHOTO)


async def test_latency_delays_every_answer(fake: FakeTelegram, api: Bot) -> None:
    fake.latency = 0.2
    started = time.monotonic()
    await api.send_message(1, "x")
    assert time.monotonic() - started >= 0.2


# -- photos and files ----------------------------------------------------------------------


async def test_bad_photo_url_is_rejected_but_an_upload_of_it_works(
    fake: FakeTelegram, api: Bot
) -> None:
    fake.bad_photo_url(PHOTO)
    with pytest.raises(BadRequest, match="Wrong type of the web page content"):
        await api.send_photo(1, PHOTO, caption="x")
    message = await api.send_photo(1, io.BytesIO(b"\xff\xd8jpeg"), caption="x")
    assert message.photo
    assert fake.uploads == 1
    assert fake.sent()[0].params["photo"].startswith("<upload ")


async def test_photo_by_url_gets_a_new_file_id_and_by_file_id_keeps_it(
    fake: FakeTelegram, api: Bot
) -> None:
    first = await api.send_photo(1, PHOTO)
    second = await api.send_photo(2, PHOTO)
    file_id = first.photo[-1].file_id
    assert file_id != second.photo[-1].file_id
    again = await api.send_photo(3, file_id)
    assert again.photo[-1].file_id == file_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await api.send_photo(4, "no-such-file-id")


async def test_uploaded_file_can_be_downloaded_again(fake: FakeTelegram, api: Bot) -> None:
    message = await api.send_document(1, io.BytesIO(b"%PDF-1.7 quyet dinh"), filename="qd.pdf")
    assert message.document.file_name == "qd.pdf"
    file = await api.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.7 quyet dinh"


async def test_media_group_returns_one_message_per_item(fake: FakeTelegram, api: Bot) -> None:
    media = [
        InputMediaPhoto(PHOTO, caption="Ảnh 1"),
        InputMediaDocument(io.BytesIO(b"%PDF"), filename="kh.pdf"),
    ]
    messages = await api.send_media_group(1, media)
    assert len(messages) == 2
    assert messages[0].media_group_id == messages[1].media_group_id
    assert messages[1].document.file_name == "kh.pdf"
    assert fake.uploads == 1


# -- what Telegram rejects -----------------------------------------------------------------


async def test_too_long_text_and_caption_are_rejected_by_visible_length(
    fake: FakeTelegram, api: Bot
) -> None:
    await api.send_message(1, "&amp;" * 4096, "HTML")  # 4,096 visible characters
    await api.send_message(1, "😀" * 2048)  # 4,096 UTF-16 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await api.send_message(1, "😀" * 2049)
    await api.send_photo(1, PHOTO, caption="a" * 1024)
    with pytest.raises(BadRequest, match="caption is too long"):
        await api.send_photo(1, PHOTO, caption="<b>" + "a" * 1025 + "</b>", parse_mode="HTML")


async def test_invalid_html_is_rejected_only_with_parse_mode_html(
    fake: FakeTelegram, api: Bot
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await api.send_message(1, "<script>alert(1)</script>", "HTML")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await api.send_message(1, "Giá&nbsp;lúa", "HTML")
    sent = await api.send_message(1, "<script>alert(1)</script>")
    assert sent.text == "<script>alert(1)</script>"


async def test_oversized_callback_data_is_rejected(fake: FakeTelegram, api: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="đ" * 33)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await api.send_message(1, "Chọn", reply_markup=keyboard)


async def test_unknown_method_is_not_found(fake: FakeTelegram, api: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await api.do_api_request("sendTelepathy")


async def test_json_bodies_are_understood(fake: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{fake.base_url}{TOKEN}/sendMessage"
        async with session.post(url, json={"chat_id": 42, "text": "json"}) as response:
            body = await response.json()
    assert body["ok"] is True
    assert fake.sent_to(42)[0].params["text"] == "json"


# -- other methods -------------------------------------------------------------------------


async def test_edits_and_deletes_behave_like_telegram(fake: FakeTelegram, api: Bot) -> None:
    message = await api.send_message(1, "Bản cũ")
    edited = await api.edit_message_text("Bản mới", chat_id=1, message_id=message.message_id)
    assert edited.text == "Bản mới"
    with pytest.raises(BadRequest, match="not modified"):
        await api.edit_message_text("Bản mới", chat_id=1, message_id=message.message_id)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Hủy", callback_data="unsub:1")]])
    await api.edit_message_reply_markup(1, message.message_id, reply_markup=keyboard)
    assert await api.delete_message(1, message.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await api.delete_message(1, message.message_id)


async def test_group_admins_are_configurable(fake: FakeTelegram, api: Bot) -> None:
    fake.group_admins[-100200] = {11}
    assert (await api.get_chat_member(-100200, 11)).status == "administrator"
    assert (await api.get_chat_member(-100200, 12)).status == "member"
    admins = await api.get_chat_administrators(-100200)
    assert [a.user.id for a in admins] == [11]
    chat = await api.get_chat(-100200)
    assert chat.type == "supergroup"


async def test_commands_are_kept_per_language_and_checked(fake: FakeTelegram, api: Bot) -> None:
    await api.set_my_commands([("timkiem", "Tìm tin cũ")], language_code="vi")
    assert [c.command for c in await api.get_my_commands(language_code="vi")] == ["timkiem"]
    assert await api.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await api.set_my_commands([("Tìm-kiếm", "Tìm tin cũ")])
    await api.delete_my_commands(language_code="vi")
    assert await api.get_my_commands(language_code="vi") == ()


# -- updates -------------------------------------------------------------------------------


async def test_get_updates_honours_offset_and_returns_early_on_push(
    fake: FakeTelegram, api: Bot
) -> None:
    fake.push_message(42, "/start")
    first = await api.get_updates(timeout=1)
    assert [u.message.text for u in first] == ["/start"]
    assert first[0].message.entities[0].type == "bot_command"
    # The long poll may last a minute; only a push can end it within the guard's 20 s.
    fake.max_poll = 60
    asyncio.get_running_loop().call_later(0.1, fake.push_message, 42, "xin chào")
    later = api.get_updates(offset=first[-1].update_id + 1, timeout=60)
    second = await asyncio.wait_for(later, 20)
    assert [u.message.text for u in second] == ["xin chào"]
    assert await api.get_updates(offset=second[-1].update_id + 1, timeout=0) == ()


async def test_polling_application_receives_every_kind_of_update(fake: FakeTelegram) -> None:
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message and update.message.text:
            lang = update.effective_user.language_code
            seen.append(f"command {update.message.text} {lang} {update.effective_chat.type}")
            await update.message.reply_text("Xin chào")
        elif update.message and update.message.sticker:
            seen.append("sticker")
        elif update.callback_query:
            seen.append(f"button {update.callback_query.data} {update.effective_user.id}")
            await update.callback_query.answer("Đã lưu")
        elif update.my_chat_member:
            seen.append(f"member {update.my_chat_member.new_chat_member.status}")
        elif update.inline_query:
            seen.append(f"inline {update.inline_query.query}")

    app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", record))
    app.add_handler(MessageHandler(filters.Sticker.ALL, record))
    app.add_handler(CallbackQueryHandler(record))
    app.add_handler(ChatMemberHandler(record, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(InlineQueryHandler(record))
    async with app:
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        fake.push_message(-100300, "/start@anbien_test_bot", chat_type="supergroup", user_id=9)
        fake.push_message(42, "/start", language_code="en")
        fake.push_sticker(42)
        fake.push_callback(42, "sub:thong-bao")
        fake.push_my_chat_member(42, "kicked")
        fake.push_inline_query(42, "mat dien")
        await eventually(lambda: len(seen) == 6, timeout=5)
        await app.updater.stop()
        await app.stop()
    assert seen == [
        "command /start@anbien_test_bot vi supergroup",
        "command /start en private",
        "sticker",
        "button sub:thong-bao 42",
        "member kicked",
        "inline mat dien",
    ]
    assert fake.sent_texts() == ["Xin chào", "Xin chào"]
    assert [c.chat_id for c in fake.sent()] == [-100300, 42]
    assert any(c.method == "answerCallbackQuery" and c.status == 200 for c in fake.calls)


async def test_callback_points_at_the_last_message_sent_to_the_chat(
    fake: FakeTelegram, api: Bot
) -> None:
    message = await api.send_message(42, "Chọn chuyên mục")
    update = fake.push_callback(42, "sub:1")
    assert update["callback_query"]["message"]["message_id"] == message.message_id
    assert update["callback_query"]["message"]["text"] == "Chọn chuyên mục"


# -- the HTML checker the fake relies on ---------------------------------------------------


@pytest.mark.parametrize(
    "html_text",
    [
        "<b>đậm</b> <i>nghiêng</i> <u>gạch</u> <s>xóa</s> <tg-spoiler>ẩn</tg-spoiler>",
        '<a href="https://x.vn/?a=1&amp;b=2">liên kết</a> &lt;3 &gt; &quot; &#39; &#x1F600;',
        '<span class="tg-spoiler">ẩn</span> <blockquote>trích</blockquote>',
        '<pre><code class="language-python">x = 1</code></pre> <strong><em>x</em></strong>',
    ],
)
def test_checker_accepts_what_telegram_accepts(html_text: str) -> None:
    check_telegram_html(html_text, 4096)


@pytest.mark.parametrize(
    ("html_text", "problem"),
    [
        ("<script>x</script>", "not supported"),
        ("<b>mở", "unclosed"),
        ("<b><i>x</b></i>", "closes"),
        ("Giá&nbsp;lúa", "named entity"),
        ("Lúa & tôm", "bare '&'"),
        ("1 < 2", "bare '<'"),
        ("2 > 1", "bare '>'"),
        ("<a>x</a>", "needs href"),
        ('<a href="x" title="t">x</a>', "may not carry"),
        ('<span class="x">x</span>', "must be"),
        ("<code><b>x</b></code>", "inside <code>"),
        ("&#xD800;", "no character"),
        ("a" * 11, "exceeds 10"),
    ],
)
def test_checker_rejects_what_telegram_rejects(html_text: str, problem: str) -> None:
    with pytest.raises(AssertionError, match=problem):
        check_telegram_html(html_text, 10 if problem == "exceeds 10" else 4096)


# -- Telegram's limits for photos ----------------------------------------------------------


def _blank_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG")
    return out.getvalue()


async def test_a_photo_url_is_fetched_from_loopback_and_refused_over_5_mb(
    fake: FakeTelegram, api: Bot, portal: FakePortal
) -> None:
    photo = camera_jpeg(3000, 2250, quality=95)
    assert 5 * MB < len(photo) <= 10 * MB
    portal.serve("/anh/lon.jpg", photo, "image/jpeg")
    portal.serve("/anh/nho.jpg", camera_jpeg(800, 600), "image/jpeg")
    with pytest.raises(BadRequest, match=r"(?i)failed to get http url content"):
        await api.send_photo(1, portal.url("/anh/lon.jpg"))
    with pytest.raises(BadRequest, match=r"(?i)failed to get http url content"):
        await api.send_photo(1, portal.url("/anh/khong-co.jpg"))  # 404
    small = await api.send_photo(1, portal.url("/anh/nho.jpg"))
    uploaded = await api.send_photo(1, io.BytesIO(photo))  # up to 10 MB when uploaded
    assert [r.headers["User-Agent"] for r in portal.requests] == [TELEGRAM_USER_AGENT] * 3
    assert (small.photo[-1].width, small.photo[-1].height) == (800, 600)
    assert (uploaded.photo[-1].width, uploaded.photo[-1].height) == (2560, 1920)


async def test_an_uploaded_photo_over_10_mb_is_refused(fake: FakeTelegram, api: Bot) -> None:
    photo = camera_jpeg()
    assert len(photo) > 10 * MB
    with pytest.raises(BadRequest, match=r"(?i)photo_save_file_invalid"):
        await api.send_photo(1, io.BytesIO(photo))
    assert (await api.send_document(1, io.BytesIO(photo), filename="anh.jpg")).document


@pytest.mark.parametrize(
    ("width", "height", "valid"),
    [(5000, 5000, True), (6000, 4001, False), (100, 2000, True), (100, 2001, False)],
)
async def test_photo_dimensions_are_checked(
    fake: FakeTelegram, api: Bot, width: int, height: int, valid: bool
) -> None:
    upload = io.BytesIO(_blank_png(width, height))
    if valid:
        assert (await api.send_photo(1, upload)).photo
    else:
        with pytest.raises(BadRequest, match=r"(?i)photo_invalid_dimensions"):
            await api.send_photo(1, upload)


async def test_a_file_id_keeps_its_type(fake: FakeTelegram, api: Bot) -> None:
    document = await api.send_document(1, io.BytesIO(_blank_png(800, 17000)), filename="a.png")
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await api.send_photo(2, document.document.file_id)
    assert (await api.send_document(2, document.document.file_id)).document
