"""The fake Bot API's limits for albums and files, as Telegram's: 10 items and 1,024-character
captions in an album, a file by URL fetched from loopback up to 20 MB, an upload up to 50 MB."""

from __future__ import annotations

import io

import pytest
from telegram import Bot, InputMediaPhoto
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from tests.fake_portal import FakePortal
from tests.fake_telegram import TELEGRAM_USER_AGENT, FakeTelegram

MB = 1024 * 1024
PHOTO = "https://anbien.kiengiang.gov.vn/anh/1.jpg"  # not loopback: its content is made up


async def test_an_album_holds_two_to_ten_items(fake: FakeTelegram, api: Bot) -> None:
    for count in (1, 11):
        with pytest.raises(BadRequest, match=r"(?i)wrong number of media"):
            await api.send_media_group(1, [InputMediaPhoto(PHOTO)] * count)
    assert len(await api.send_media_group(1, [InputMediaPhoto(PHOTO)] * 10)) == 10


async def test_an_album_caption_is_checked_like_any_caption(fake: FakeTelegram, api: Bot) -> None:
    long = InputMediaPhoto(PHOTO, caption="ả" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await api.send_media_group(1, [InputMediaPhoto(PHOTO), long])
    broken = InputMediaPhoto(PHOTO, caption="<b>đậm & sai", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await api.send_media_group(1, [InputMediaPhoto(PHOTO), broken])
    fine = InputMediaPhoto(PHOTO, caption="ả" * 1024)
    assert len(await api.send_media_group(1, [InputMediaPhoto(PHOTO), fine])) == 2


async def test_a_file_by_url_is_fetched_up_to_20_mb(
    fake: FakeTelegram, api: Bot, portal: FakePortal
) -> None:
    portal.serve("/qd.pdf", b"%PDF-1.7 quyet dinh", "application/pdf")
    portal.serve("/lon.pdf", b"%PDF" + b"0" * (20 * MB), "application/pdf")
    sent = await api.send_document(1, portal.url("/qd.pdf"))
    assert fake.file_content(sent.document.file_id) == b"%PDF-1.7 quyet dinh"
    with pytest.raises(BadRequest, match=r"(?i)failed to get http url content"):
        await api.send_document(1, portal.url("/lon.pdf"))
    assert {r.headers["User-Agent"] for r in portal.requests} == {TELEGRAM_USER_AGENT}
    again = await api.send_document(2, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    assert fake.uploads == 0


async def test_an_upload_over_50_mb_is_refused(fake: FakeTelegram, api: Bot) -> None:
    with pytest.raises(TelegramError):
        await api.send_document(1, io.BytesIO(b"0" * (50 * MB + 1)), filename="lon.pdf")
    assert fake.sent("sendDocument") == []
