"""An article's reading as pages (delivery/reading.py): whole, in order, within Telegram's
limits, split at paragraphs and sentences, bounded per page; checked on plain inputs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.delivery.message import Message
from anbien_bot.delivery.reading import (
    ALBUM_LIMIT,
    PAGE_MESSAGES,
    Document,
    Page,
    build_reading,
    parse_reading_callback,
    read_button,
    reading_callback,
)
from anbien_bot.models import Article, Attachment, BodyBlock
from anbien_bot.values import BlockKind
from tests.telegram_rules import check_telegram_html, parse_telegram_html, utf16_length

WHEN = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)


def article(*blocks: BodyBlock, **fields: object) -> Article:
    values: dict[str, object] = {
        "id": 7,
        "url": "https://anbien.kiengiang.gov.vn/tin/7.html",
        "title": "Thông báo số 7",
        "summary": "",
        "image_url": None,
        "published": WHEN,
        "first_seen": WHEN,
        "blocks": blocks,
    }
    return Article(**(values | fields))  # type: ignore[arg-type]


def paragraph(value: str) -> BodyBlock:
    return BodyBlock(BlockKind.PARAGRAPH, value)


def photo(n: int, caption: str = "") -> BodyBlock:
    return BodyBlock(BlockKind.IMAGE, caption, f"https://anbien.kiengiang.gov.vn/anh/{n}.jpg")


def texts(pages: tuple[Page, ...]) -> list[Message]:
    return [m for p in pages for m in p.messages if isinstance(m, Message)]


def visible(pages: tuple[Page, ...]) -> str:
    """Return every text message as the reader sees it, each message's text one blank apart."""
    return "\n\n".join(parse_telegram_html(m.html) for m in texts(pages))


def check_limits(pages: tuple[Page, ...]) -> None:
    """Fail unless every page is within Telegram's limits and this module's bounds."""
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    for page in pages:
        assert page.total == len(pages)
        assert len(page.album) <= ALBUM_LIMIT
        assert 1 <= len(page.messages) <= PAGE_MESSAGES + 1  # + the page line under an album
        for message in texts((page,)):
            check_telegram_html(message.html, 4096)
            assert utf16_length(message.plain("none")) <= 4096
        for item in page.album:
            check_telegram_html(item.caption.html, 1024)
        assert all(1 <= len(data.encode()) <= 64 for _, data in page.buttons)
        assert bool(page.buttons) == (page.number < page.total)


def test_a_short_article_is_one_page_of_its_blocks_in_order() -> None:
    pages = build_reading(
        article(
            paragraph("Mở đầu."),
            BodyBlock(BlockKind.HEADING, "I. Lịch"),
            BodyBlock(BlockKind.ITEM, "Sáng: 7 giờ"),
            BodyBlock(BlockKind.QUOTE, "Trích dẫn."),
            BodyBlock(BlockKind.ROW, "Ngày | Nơi"),
            photo(1, "Ảnh & chú thích"),
            paragraph("Kết."),
        ),
        "vi",
    )
    (page,) = pages
    assert page.buttons == ()
    ((html),) = [m.html for m in texts(pages)]
    assert html == (
        "<b>Thông báo số 7</b>\n🗓 04/03/2025 09:00\n\nMở đầu.\n\n<b>I. Lịch</b>\n\n"
        "• Sáng: 7 giờ\n\n<blockquote>Trích dẫn.</blockquote>\n\nNgày | Nơi\n\nKết.\n\n"
        '🔗 <a href="https://anbien.kiengiang.gov.vn/tin/7.html">Bản gốc trên cổng thông tin</a>'
    )
    (item,) = page.album
    assert (item.url, item.caption.html) == (
        "https://anbien.kiengiang.gov.vn/anh/1.jpg",
        "Ảnh &amp; chú thích",
    )


def test_a_long_article_pages_with_its_photos_near_their_text() -> None:
    paragraphs = [f"Đoạn {n}. " + "Câu văn về mùa lúa. " * 60 for n in range(40)]
    blocks: list[BodyBlock] = []
    for n, text in enumerate(paragraphs):
        blocks += [paragraph(text), photo(n)]
    pages = build_reading(article(*blocks), "vi")
    check_limits(pages)
    assert len(pages) >= 3
    read = visible(pages)
    assert [read.count(p.rstrip()) for p in paragraphs] == [1] * 40
    assert [i.url for p in pages for i in p.album] == [b.url for b in blocks if b.url]
    # Each page's photos are those met in its own text.
    for page in pages:
        numbers = [int(re.findall(r"\d+", i.url)[-1]) for i in page.album]
        shown = visible((page,))
        assert all(f"Đoạn {n}." in shown for n in numbers)
    assert pages[0].buttons == (("Trang sau ›", "r:7:2"), (f"1/{len(pages)}", "r:7:1:i"))


def test_more_photos_than_an_album_go_on_to_the_next_page() -> None:
    pages = build_reading(article(paragraph("Một đoạn."), *(photo(n) for n in range(23))), "en")
    check_limits(pages)
    assert [len(p.album) for p in pages] == [10, 10, 3]
    # A page of photos only still ends with a line that carries its buttons.
    assert [m.html for m in pages[0].messages] == ["📖 Page 1/3"]
    assert pages[0].buttons[0] == ("Next page ›", "r:7:2")


def test_a_paragraph_too_long_for_a_message_splits_after_a_sentence() -> None:
    sentences = [
        f"Câu số {n} nói về việc sửa đường giao thông nông thôn ấp {n}." for n in range(150)
    ]
    pages = build_reading(article(paragraph(" ".join(sentences))), "vi")
    check_limits(pages)
    body = [parse_telegram_html(m.html) for m in texts(pages)]
    assert len(body) >= 3
    assert all(piece.endswith(".") for piece in body[:-1])  # never inside a sentence
    assert " ".join(body).count("Câu số 149 ") == 1


def test_text_without_sentences_splits_at_words_and_a_giant_word_hard() -> None:
    words = build_reading(article(paragraph("chữ " * 3000)), "vi")
    check_limits(words)
    assert all(parse_telegram_html(m.html).endswith("chữ") for m in texts(words)[1:-1])
    giant = build_reading(article(paragraph("a" * 10_000)), "vi")
    check_limits(giant)
    assert visible(giant).count("a") == 10_000


def test_an_article_stored_as_text_reads_from_its_paragraphs_and_photo() -> None:
    old = article(
        body="Đoạn một.\n\nĐoạn hai.",
        image_url="https://anbien.kiengiang.gov.vn/anh/cu.jpg",
        summary="Tóm tắt riêng.",
        author="Phòng Văn hóa",
    )
    (page,) = build_reading(old, "vi")
    assert [i.url for i in page.album] == ["https://anbien.kiengiang.gov.vn/anh/cu.jpg"]
    assert visible((page,)).split("\n\n")[1:-1] == [
        "Tóm tắt riêng.",
        "Đoạn một.",
        "Đoạn hai.",
        "Phòng Văn hóa",
    ]


def test_a_lead_the_body_opens_with_is_not_repeated() -> None:
    (page,) = build_reading(
        article(paragraph("Sáng nay, xã tổ chức họp."), summary="Sáng nay, xã tổ chức họp."), "vi"
    )
    assert visible((page,)).count("tổ chức họp") == 1


def test_attachments_come_last_as_documents_with_their_link_to_fall_back_on() -> None:
    pages = build_reading(
        article(
            paragraph("Đoạn."),
            attachments=(
                Attachment("Quyết định <số 12>", "https://anbien.kiengiang.gov.vn/f/QĐ 12.pdf"),
                Attachment("Mã độc", "javascript:alert(1)"),
            ),
        ),
        "vi",
    )
    (document,) = [m for p in pages for m in p.messages if isinstance(m, Document)]
    assert pages[-1].messages[-1] is document
    assert document.url == "https://anbien.kiengiang.gov.vn/f/Q%C4%90%2012.pdf"
    assert (document.name, document.caption) == ("QĐ-12.pdf", "Quyết định <số 12>")
    assert document.fallback.html == (
        '📎 <a href="https://anbien.kiengiang.gov.vn/f/Q%C4%90%2012.pdf">'
        "Quyết định &lt;số 12&gt;</a>"
    )


def test_buttons_and_their_data() -> None:
    assert read_button(12, "vi") == ("📖 Đọc toàn văn", "r:12:1")
    assert parse_reading_callback(reading_callback(12, 3)) == (12, 3, False)
    assert parse_reading_callback("r:12:3:i") == (12, 3, True)
    for forged in ("r:12", "r:x:1", "r:12:1:j", "r:-1:1", "srch:1:1", None, 5, "r:1:" + "9" * 9):
        assert parse_reading_callback(forged) is None


_TEXT = st.text(
    alphabet=st.sampled_from("ab cĐđ.!?<>&\"'\n😀\u202e\x00ệ"), min_size=0, max_size=6000
)
_BLOCK = st.builds(
    BodyBlock,
    st.sampled_from(list(BlockKind)),
    _TEXT,
    st.sampled_from(["", "https://x.vn/a.jpg", "javascript:alert(1)", "//x.vn/b.png"]),
)


@settings(max_examples=60, deadline=None)
@given(blocks=st.lists(_BLOCK, max_size=25), title=_TEXT, summary=_TEXT)
def test_any_article_reads_within_telegrams_limits(
    blocks: list[BodyBlock], title: str, summary: str
) -> None:
    pages = build_reading(article(*blocks, title=title, summary=summary), "vi")
    check_limits(pages)
