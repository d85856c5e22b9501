"""Reading an article in full inside Telegram, run for real: a resident presses "📖 Đọc toàn
văn" under a post and the bot sends the whole article through the fake Bot API, which
refuses what Telegram refuses (HTML, lengths, album sizes, callback data)."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Attachment, BodyBlock, Entry
from anbien_bot.text.plaintext import html_to_text
from anbien_bot.texts import plain, text
from anbien_bot.values import BlockKind
from tests.conversation import answers, bot_config, buttons, replies, say, store_of
from tests.fake_portal import FakePortal
from tests.fake_telegram import Call, FakeTelegram
from tests.harness import eventually, running_bot
from tests.telegram_rules import utf16_length

READER, NEIGHBOUR = 1001, 1002
PUBLISHED = datetime(2025, 6, 20, 1, 30, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # enough of a JPEG for anyone who sniffs it
PDF = b"%PDF-1.4\n" + b"0" * 4000 + b"\n%%EOF\n"
READ = plain(text("vi", "read_full"))
NEXT = plain(text("vi", "reading_next"))

pytestmark = pytest.mark.telegram(may_refuse=())  # Telegram would accept every call


@pytest.fixture
async def app(tmp_path: Path, fake: FakeTelegram, portal: FakePortal) -> AsyncIterator[Any]:
    """The running bot; its fetcher may reach the fake portal, which serves an empty feed."""
    portal.serve("/rss.xml", "<?xml version='1.0'?><rss version='2.0'><channel/></rss>")
    source = {"name": "Cổng", "url": portal.url("/rss.xml"), "category": "thong-bao"}
    config = bot_config(tmp_path, fake, sources=[source], polling={"interval_seconds": 3600})
    async with running_bot(config) as running:
        yield running


def reader_of(app: Any) -> Any:
    return app.bot_data["services"].reader


async def publish(app: Any, entry: Entry, *chats: int) -> int:
    """Subscribe the chats, store the entry for them and return its article id."""
    store = store_of(app)
    for chat in chats:
        await store.upsert_chat(chat, "private", "vi")
        await store.subscribe(chat, ["thong-bao"])
    await store.store_entries("Cổng", ["thong-bao"], [entry], now=PUBLISHED, plan=Planner())
    app.bot_data["services"].sender.wake()
    (article,) = await store.latest(None, 1)
    return article.id


async def press(fake: FakeTelegram, app: Any, chat: int, data: str) -> None:
    """Press a button in the chat and wait until the page it asked for has been sent."""
    before = len(answers(fake))
    fake.push_callback(chat, data)
    await eventually(lambda: len(answers(fake)) > before)
    await reader_of(app).wait()


def texts_of(calls: list[Call]) -> list[str]:
    """Return the visible text of each text message among calls."""
    return [visible(c.params["text"]) for c in calls if c.method == "sendMessage"]


def visible(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", value))


def weight(call: Call) -> int:
    """Return how many messages a send is to Telegram (an album counts its items)."""
    return len(call.params["media"]) if call.method == "sendMediaGroup" else 1


async def read_to_the_end(fake: FakeTelegram, app: Any, chat: int, article_id: int) -> int:
    """Press "read in full", then "next page" under each page until there is none; return
    how many pages were read."""
    await press(fake, app, chat, f"r:{article_id}:1")
    pages = 1
    while True:
        last = fake.sent_to(chat)[-1]
        labels = dict(buttons(last))
        if NEXT not in labels:
            return pages
        await press(fake, app, chat, labels[NEXT])
        pages += 1


# -- (a) photos as an album, the PDF as a document, by file_id for the next reader ----------


def notice(portal: FakePortal) -> Entry:
    """A notice with a heading, paragraphs, a list, a quote, a table, three photos and a PDF."""
    photos = [portal.url(f"/anh/{n}.jpg") for n in (1, 2, 3)]
    blocks = (
        BodyBlock(BlockKind.PARAGRAPH, "UBND huyện An Biên thông báo lịch tiếp công dân."),
        BodyBlock(BlockKind.IMAGE, "Lãnh đạo huyện tiếp dân & trả lời <kiến nghị>", photos[0]),
        BodyBlock(BlockKind.HEADING, "I. Thời gian"),
        BodyBlock(BlockKind.ITEM, "Sáng thứ Hai: 7 giờ đến 11 giờ"),
        BodyBlock(BlockKind.ITEM, "Chiều thứ Năm: 13 giờ 30 đến 17 giờ"),
        BodyBlock(BlockKind.IMAGE, "", photos[1]),
        BodyBlock(BlockKind.QUOTE, "Mọi kiến nghị đều được trả lời bằng văn bản."),
        BodyBlock(BlockKind.ROW, "Ngày | Người tiếp"),
        BodyBlock(BlockKind.ROW, "02/07 | Chủ tịch UBND huyện"),
        BodyBlock(BlockKind.IMAGE, "Hội trường tiếp dân", photos[2]),
        BodyBlock(BlockKind.PARAGRAPH, "Đoạn cuối: người dân mang theo căn cước công dân."),
    )
    body = "\n\n".join(b.text for b in blocks if b.kind is not BlockKind.IMAGE)
    return Entry(
        key="tiep-dan",
        url=portal.url("/tin/tiep-dan.html"),
        title="Lịch tiếp công dân tháng 7",
        summary="UBND huyện An Biên thông báo lịch tiếp công dân.",
        image_url=photos[0],
        published=PUBLISHED,
        body=body,
        blocks=blocks,
        attachments=(Attachment("Quyết định số 12/QĐ-UBND", portal.url("/files/qd-12.pdf")),),
    )


async def test_a_resident_reads_a_post_in_full_and_the_next_gets_it_by_file_id(
    fake: FakeTelegram, app: Any, portal: FakePortal
) -> None:
    for n in (1, 2, 3):
        portal.serve(f"/anh/{n}.jpg", JPEG, "image/jpeg")
    portal.serve("/files/qd-12.pdf", PDF, "application/pdf")
    article_id = await publish(app, notice(portal), READER, NEIGHBOUR)
    (post,) = await replies(fake, READER, 1)
    assert buttons(post) == [(READ, f"r:{article_id}:1")]

    await press(fake, app, READER, dict(buttons(post))[READ])
    assert answers(fake)[-1]["text"] == plain(text("vi", "reading_sending"))
    album, *messages, document = fake.sent_to(READER)[1:]
    assert album.method == "sendMediaGroup"
    first, *others = [m["media"] for m in album.params["media"]]
    assert first.startswith("photo-")  # it went with the post: its file_id is known
    assert others == [portal.url("/anh/2.jpg"), portal.url("/anh/3.jpg")]
    captions = [visible(m.get("caption", "")) for m in album.params["media"]]
    assert captions == ["Lãnh đạo huyện tiếp dân & trả lời <kiến nghị>", "", "Hội trường tiếp dân"]
    (reading,) = texts_of(messages)
    assert reading.startswith("Lịch tiếp công dân tháng 7\n🗓 20/06/2025 08:30")
    assert "• Sáng thứ Hai: 7 giờ đến 11 giờ" in reading
    assert "Ngày | Người tiếp\n\n02/07 | Chủ tịch UBND huyện" in reading
    assert "<b>I. Thời gian</b>" in messages[0].params["text"]
    assert "<blockquote>Mọi kiến nghị" in messages[0].params["text"]
    assert "Đoạn cuối: người dân mang theo căn cước công dân." in reading  # the last paragraph
    assert document.method == "sendDocument"
    assert document.params["document"].startswith("<upload qd-12.pdf ")
    assert document.params["caption"] == "Quyết định số 12/QĐ-UBND"
    assert buttons(document) == []  # one page: nothing to turn
    assert fake.uploads == 1
    assert portal.hits("/files/qd-12.pdf") == 1

    await press(fake, app, NEIGHBOUR, f"r:{article_id}:1")
    again = fake.sent_to(NEIGHBOUR)[1:]
    assert [c.method for c in again] == [c.method for c in fake.sent_to(READER)[1:]]
    media = [m["media"] for m in again[0].params["media"]]
    assert all(m.startswith("photo-") for m in media)  # file ids: Telegram fetches nothing
    file_id = again[-1].params["document"]
    assert file_id.startswith("document-")
    assert fake.file_content(file_id) == PDF
    assert texts_of(again) == texts_of(messages)
    assert fake.uploads == 1  # no second upload
    assert portal.hits("/files/qd-12.pdf") == 1
    assert [portal.hits(f"/anh/{n}.jpg") for n in (1, 2, 3)] == [1, 1, 1]


# -- (b) a long article pages, whole and paced ----------------------------------------------


def long_article() -> tuple[Entry, list[str]]:
    """Return an article of 30,000 characters and 15 photos, and its paragraphs."""
    paragraphs = [
        f"Đoạn {n:02d}: "
        + " ".join(f"Câu thứ {s} của đoạn {n} nói về mùa lúa và con tôm." for s in range(12))
        for n in range(52)
    ]
    assert sum(map(len, paragraphs)) >= 30_000
    blocks: list[BodyBlock] = []
    for n, paragraph in enumerate(paragraphs):
        blocks.append(BodyBlock(BlockKind.PARAGRAPH, paragraph))
        if n % 3 == 1 and len([b for b in blocks if b.kind is BlockKind.IMAGE]) < 15:
            url = f"https://anbien.kiengiang.gov.vn/anh/{n}.jpg"
            blocks.append(BodyBlock(BlockKind.IMAGE, f"Ảnh {n}", url))
    entry = Entry(
        key="dai",
        url="https://anbien.kiengiang.gov.vn/tin/dai.html",
        title="Báo cáo tổng kết năm",
        published=PUBLISHED,
        body="\n\n".join(paragraphs),
        blocks=tuple(blocks),
    )
    return entry, paragraphs


@pytest.mark.slow  # about 30 messages at one a second
async def test_a_long_article_arrives_whole_in_pages_paced_within_limits(
    fake: FakeTelegram, app: Any
) -> None:
    entry, paragraphs = long_article()
    photos = {b.url for b in entry.blocks if b.kind is BlockKind.IMAGE}
    assert len(photos) == 15
    article_id = await publish(app, entry)
    pages = await read_to_the_end(fake, app, READER, article_id)
    assert pages >= 2
    sent = fake.sent_to(READER)
    read = "\n\n".join(texts_of(sent))
    assert [read.count(p) for p in paragraphs] == [1] * len(paragraphs)  # whole, once each
    albums = [c for c in sent if c.method == "sendMediaGroup"]
    assert {m["media"] for c in albums for m in c.params["media"]} == photos
    assert all(len(c.params["media"]) <= 10 for c in albums)
    assert all(utf16_length(t) <= 4096 for t in texts_of(sent))
    # A page ends with its buttons, the last one without; at most 4 messages and an album each.
    ends = [c for c in sent if buttons(c)]
    assert len(ends) == pages - 1
    assert [dict(buttons(c))[NEXT] for c in ends] == [
        f"r:{article_id}:{n}" for n in range(2, pages + 1)
    ]
    assert [label for label, _ in buttons(ends[0])] == [NEXT, f"1/{pages}"]
    # One message a second to the chat, an album counting its photos.
    for before, after in itertools.pairwise(sent):
        assert after.at - before.at >= weight(before) * 1.0, (before.method, after.method)


async def test_the_page_number_says_where_the_reader_is(fake: FakeTelegram, app: Any) -> None:
    entry, _ = long_article()
    article_id = await publish(app, entry)
    pages = reader_of(app).pages
    total = len(await pages(article_id, "vi"))
    fake.push_callback(READER, f"r:{article_id}:1:i")
    await eventually(lambda: answers(fake))
    assert answers(fake)[-1]["text"] == plain(text("vi", "reading_page_note", page=1, pages=total))
    assert fake.sent_to(READER) == []


# -- (c) a hostile article reads as plain safe text ------------------------------------------


HOSTILE_HTML = (
    "<script>alert('x')</script><p>Mở đầu <b>đậm</b> &amp; nghiêng</p>"
    + "<div>" * 5000
    + "Chữ ở tầng sâu nhất"
    + "</div>" * 5000
    + "<p><a href='javascript:alert(1)'>bấm vào đây</a> rồi hết.</p>"
)


def hostile() -> Entry:
    """An article whose text is full of markup, links that run code, and 2 MB of words."""
    flood = "Lũ chữ <b>không</b> & <script>x</script> javascript:alert(1). " * 35_000
    assert len(flood) >= 2_000_000
    blocks = (
        BodyBlock(BlockKind.PARAGRAPH, "<script>alert('x')</script> & <b>đậm</b> &amp; <i"),
        BodyBlock(BlockKind.HEADING, "<h1>" * 500 + "Tiêu đề lồng" + "</h1>" * 500),
        BodyBlock(BlockKind.IMAGE, "<img onerror=alert(1)>", "javascript:alert(1)"),
        BodyBlock(BlockKind.QUOTE, "</blockquote><a href='javascript:x'>trích</a>"),
        BodyBlock(BlockKind.PARAGRAPH, html_to_text(HOSTILE_HTML)),
        BodyBlock(BlockKind.PARAGRAPH, "<i> " * 5000 + "Chữ ở tầng sâu nhất" + " </i>" * 5000),
        BodyBlock(BlockKind.PARAGRAPH, flood),
        BodyBlock(BlockKind.PARAGRAPH, "Đoạn kết an toàn."),
    )
    return Entry(
        key="doc",
        url="javascript:alert(document.cookie)",
        title="<b>Tin</b> & <script>độc</script>",
        published=PUBLISHED,
        body="\n\n".join(b.text for b in blocks if b.kind is not BlockKind.IMAGE),
        blocks=blocks,
        attachments=(Attachment("<b>tệp</b>", "javascript:alert(2)"),),
    )


async def test_a_hostile_article_reads_as_plain_safe_text(fake: FakeTelegram, app: Any) -> None:
    article_id = await publish(app, hostile())
    await press(fake, app, READER, f"r:{article_id}:1")
    first = fake.sent_to(READER)
    built = await reader_of(app).pages(article_id, "vi")
    pages = len(built)
    assert pages > 100  # 2 MB in pages of four messages, not a flood
    deep = next(p.number for p in built if "sâu nhất" in "".join(str(m) for m in p.messages))
    await press(fake, app, READER, f"r:{article_id}:{deep}")
    await press(fake, app, READER, f"r:{article_id}:{pages}")
    sent = fake.sent_to(READER)
    assert {c.method for c in sent} == {"sendMessage"}  # no photo, no file from javascript:
    assert all("javascript:" not in str(c.params.get("reply_markup")) for c in sent)
    assert all('href="javascript' not in c.params["text"] for c in sent)
    opening = texts_of(first)[0]
    assert opening.startswith("<b>Tin</b> & <script>độc</script>\n")  # as text, not markup
    assert "<script>alert('x')</script> & <b>đậm</b> &amp; <i" in opening
    assert "Tiêu đề lồng" in "".join(texts_of(first))
    assert "Mở đầu đậm & nghiêng" in "".join(texts_of(first))
    assert "Chữ ở tầng sâu nhất" in "".join(texts_of(sent))
    assert texts_of(sent)[-1].endswith("Đoạn kết an toàn.")
    assert all(utf16_length(t) <= 4096 for t in texts_of(sent))


# -- (d) an article stored before bodies were kept whole --------------------------------------


async def test_an_article_stored_as_text_only_reads_from_its_paragraphs(
    fake: FakeTelegram, app: Any
) -> None:
    paragraphs = ["Mở đầu của bài cũ.", "Giữa bài: lịch cúp điện ấp Xẻo Nhàu.", "Hết bài cũ."]
    entry = Entry(
        key="cu",
        url="https://anbien.kiengiang.gov.vn/tin/cu.html",
        title="Bài lưu từ trước",
        image_url="https://anbien.kiengiang.gov.vn/anh/cu.jpg",
        published=PUBLISHED,
        body="\n\n".join(paragraphs),
    )
    article_id = await publish(app, entry)
    assert (await store_of(app).article(article_id)).blocks == ()
    await press(fake, app, READER, f"r:{article_id}:1")
    photo, reading = fake.sent_to(READER)
    assert photo.method == "sendPhoto"
    assert photo.params["photo"] == "https://anbien.kiengiang.gov.vn/anh/cu.jpg"
    assert texts_of([reading])[0].endswith(
        "Mở đầu của bài cũ.\n\nGiữa bài: lịch cúp điện ấp Xẻo Nhàu.\n\nHết bài cũ.\n\n"
        "🔗 " + plain(text("vi", "reading_source"))
    )
    assert 'href="https://anbien.kiengiang.gov.vn/tin/cu.html"' in reading.params["text"]


# -- stale, forged and repeated presses ------------------------------------------------------


async def test_a_stale_or_forged_button_gets_a_short_answer_and_nothing_else(
    fake: FakeTelegram, app: Any
) -> None:
    entry, _ = long_article()
    article_id = await publish(app, entry)
    gone = article_id + 100
    for data in (f"r:{gone}:1", f"r:{article_id}:99", f"r:{article_id}:0", "r:x:1", "r:1"):
        fake.push_callback(READER, data)
    await eventually(lambda: len(answers(fake)) == 5)
    assert [a["text"] for a in answers(fake)] == [
        plain(text("vi", "reading_gone")),
        plain(text("vi", "reading_no_page")),
        plain(text("vi", "reading_no_page")),
        plain(text("vi", "reading_invalid")),
        plain(text("vi", "reading_invalid")),
    ]
    assert await say(fake, READER, "/help")  # still answering
    assert len(fake.sent_to(READER)) == 1  # the help only


async def test_a_second_press_while_a_page_is_sent_waits_its_turn(
    fake: FakeTelegram, app: Any
) -> None:
    entry, _ = long_article()
    article_id = await publish(app, entry)
    fake.push_callback(READER, f"r:{article_id}:1")
    fake.push_callback(READER, f"r:{article_id}:1")
    await eventually(lambda: len(answers(fake)) == 2)
    assert [a["text"] for a in answers(fake)] == [
        plain(text("vi", "reading_sending")),
        plain(text("vi", "reading_busy")),
    ]
    await reader_of(app).wait()
    albums = [c for c in fake.sent_to(READER) if c.method == "sendMediaGroup"]
    assert len(albums) == 1  # the page once


# -- search results and /latest ---------------------------------------------------------------


async def test_latest_offers_each_article_to_read_in_full(fake: FakeTelegram, app: Any) -> None:
    article_id = await publish(app, notice_without_files())
    fake.push_message(READER, "/latest")
    (listing,) = await replies(fake, READER, 1)
    assert buttons(listing) == [("📖 Lịch tiếp công dân tháng 7", f"r:{article_id}:1")]
    await press(fake, app, READER, f"r:{article_id}:1")
    assert texts_of(fake.sent_to(READER)[1:])[0].startswith("Lịch tiếp công dân tháng 7\n")


def notice_without_files() -> Entry:
    return Entry(
        key="n",
        url="https://anbien.kiengiang.gov.vn/tin/n.html",
        title="Lịch tiếp công dân tháng 7",
        published=PUBLISHED,
        body="Một đoạn.",
    )


async def test_a_file_that_cannot_be_had_is_sent_as_its_link(
    fake: FakeTelegram, app: Any, portal: FakePortal
) -> None:
    url = portal.url("/files/mat.pdf")  # the portal answers 404
    entry = Entry(
        key="mat",
        url="https://anbien.kiengiang.gov.vn/tin/mat.html",
        title="Thông báo có tệp đã mất",
        published=PUBLISHED,
        body="Một đoạn.",
        attachments=(Attachment("Kế hoạch số 3", url),),
    )
    article_id = await publish(app, entry)
    await press(fake, app, READER, f"r:{article_id}:1")
    reading, link = fake.sent_to(READER)
    assert [reading.method, link.method] == ["sendMessage", "sendMessage"]
    assert link.params["text"] == f'📎 <a href="{url}">Kế hoạch số 3</a>'
    assert fake.sent("sendDocument") == []
