"""Reading in full where it must not flood or mislead: a press in a channel or a group sends
nothing there and opens the article in the bot's private chat instead; an attachment the
portal answers with a web page (a soft 404, a login form) is sent as its link, not as a
file; a malformed reading button gets an answer about reading."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from anbien_bot.models import Attachment, Entry
from anbien_bot.texts import plain, text
from tests.conversation import answers, buttons, replies
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually
from tests.test_reading import PDF, PUBLISHED, READ, READER, app, press, publish, texts_of

__all__ = ["app"]  # the running bot of test_reading, served to these tests too

CHANNEL, SUPERGROUP = -1001234567890, -1009876543210
LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Đăng nhập</title></head>"
    "<body><form action='/login.aspx'>Mật khẩu</form></body></html>"
)

pytestmark = pytest.mark.telegram(may_refuse=())  # Telegram would accept every call


def short_notice(*attachments: Attachment) -> Entry:
    return Entry(
        key="tb",
        url="https://anbien.kiengiang.gov.vn/tin/tb.html",
        title="Thông báo lịch cúp điện",
        summary="Điện lực An Biên thông báo lịch cúp điện.",
        published=PUBLISHED,
        body="Điện lực An Biên thông báo lịch cúp điện ấp Xẻo Nhàu.",
        attachments=attachments,
    )


@pytest.mark.parametrize(("chat", "kind"), [(CHANNEL, "channel"), (SUPERGROUP, "supergroup")])
async def test_a_press_outside_a_private_chat_opens_the_bot_and_sends_nothing_there(
    fake: FakeTelegram, app: Any, chat: int, kind: str
) -> None:
    article_id = await publish(app, short_notice())
    fake.push_callback(chat, f"r:{article_id}:1", user_id=READER, chat_type=kind)
    fake.push_callback(chat, f"r:{article_id}:1:i", user_id=READER, chat_type=kind)
    await eventually(lambda: len(answers(fake)) == 2)
    link = f"https://t.me/anbien_test_bot?start=a{article_id}"
    assert [a.get("url") for a in answers(fake)] == [link, link]
    assert not any(a.get("text") for a in answers(fake))
    await app.bot_data["services"].reader.wait()
    assert fake.sent_to(chat) == []
    assert fake.sent_to(READER) == []  # nothing sent to the presser unasked either

    # The link's /start shows the post privately, whose button reads there.
    fake.push_message(READER, f"/start a{article_id}")
    (post,) = await replies(fake, READER, 1)
    assert buttons(post) == [(READ, f"r:{article_id}:1")]
    await press(fake, app, READER, f"r:{article_id}:1")
    assert answers(fake)[-1]["text"] == plain(text("vi", "reading_sending"))
    assert "ấp Xẻo Nhàu" in texts_of(fake.sent_to(READER)[1:])[0]
    assert fake.sent_to(chat) == []


@pytest.mark.parametrize(
    ("path", "body", "kind"),
    [
        ("/files/notpdf.pdf", LOGIN_PAGE, "text/html; charset=utf-8"),  # a PDF's name, a page
        ("/download.aspx?id=7", LOGIN_PAGE, "text/html"),  # no name: the type tells
        ("/download.aspx?id=8", LOGIN_PAGE, "application/octet-stream"),  # the body tells
        ("/files/hong.pdf", b"File not found", "application/pdf"),  # a PDF that is none
    ],
)
async def test_a_web_page_served_as_an_attachment_is_sent_as_its_link(
    fake: FakeTelegram,
    app: Any,
    portal: FakePortal,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: str | bytes,
    kind: str,
) -> None:
    portal.serve(path, body, kind)
    url = portal.url(path)
    article_id = await publish(app, short_notice(Attachment("Kế hoạch số 3", url)))
    with caplog.at_level(logging.WARNING, logger="anbien_bot.delivery.documents"):
        await press(fake, app, READER, f"r:{article_id}:1")
    reading, line = fake.sent_to(READER)
    assert [reading.method, line.method] == ["sendMessage", "sendMessage"]
    assert line.params["text"] == f'📎 <a href="{url}">Kế hoạch số 3</a>'
    assert fake.sent("sendDocument") == []
    assert fake.uploads == 0
    (logged,) = [r for r in caplog.records if r.name == "anbien_bot.delivery.documents"]
    assert url in logged.getMessage()


async def test_a_real_file_behind_a_download_link_is_still_sent_as_a_file(
    fake: FakeTelegram, app: Any, portal: FakePortal
) -> None:
    portal.serve("/download.aspx?id=9", PDF, "application/octet-stream")
    url = portal.url("/download.aspx?id=9")
    article_id = await publish(app, short_notice(Attachment("Quyết định số 12", url)))
    await press(fake, app, READER, f"r:{article_id}:1")
    _, document = fake.sent_to(READER)
    assert document.method == "sendDocument"
    assert document.params["caption"] == "Quyết định số 12"
    assert document.params["document"].startswith("<upload ")
    assert fake.uploads == 1


async def test_a_malformed_reading_button_gets_an_answer_about_reading(
    fake: FakeTelegram, app: Any
) -> None:
    forged = ("r:abc", "r:1:1:x", "r:1234567890123456:1", "r:1:1234567")
    for data in forged:
        fake.push_callback(READER, data)
    await eventually(lambda: len(answers(fake)) == len(forged))
    invalid = plain(text("vi", "reading_invalid"))
    assert [a["text"] for a in answers(fake)] == [invalid] * len(forged)
    assert "/categories" not in invalid
    assert fake.sent_to(READER) == []
