"""Files listed inside an article's text ("Tệp đính kèm" and a line per file) are its
attachments, not its text: the body is read without those lines and the reading shows each
file once, as a document, while a sentence that links a file keeps its words."""

from __future__ import annotations

from datetime import UTC, datetime

from anbien_bot.delivery.message import Message
from anbien_bot.delivery.reading import Document, build_reading
from anbien_bot.models import Article, Attachment, Selectors
from anbien_bot.sources.extract import ArticlePage, parse_article
from tests.telegram_rules import parse_telegram_html

SITE = "https://dongyen.angiang.gov.vn"
URL = f"{SITE}/tin/thong-bao-tiep-dan.html"
WHEN = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
FIRST = (
    "Ủy ban nhân dân xã Đông Yên thông báo lịch tiếp công dân định kỳ của lãnh đạo xã trong"
    " tháng 11, đề nghị người dân theo dõi để liên hệ đúng ngày."
)
LAST = "Mọi kiến nghị của người dân đều được trả lời bằng văn bản trong thời hạn luật định."
DECISION = Attachment("Quyết định 123.signed.pdf", f"{SITE}/vb/QD%20123.signed.pdf")
PLAN = Attachment("Kế hoạch 45.docx", f"{SITE}/vb/KH-45.docx")


def page(files: str, selectors: Selectors | None = None) -> ArticlePage:
    html = f"""<html><body><h1>Thông báo lịch tiếp công dân tháng 11</h1>
    <div class="noidung"><p>{FIRST}</p><p>{LAST}</p>{files}</div></body></html>"""
    return parse_article(html, URL, selectors or Selectors())


FLAT = """<p><strong>Tệp đính kèm</strong></p>
<p><a href="/vb/QD 123.signed.pdf">Quyết định 123.signed.pdf</a></p>
<p><img src="/icons/pdf.png" width="16"> <a href="/vb/KH-45.docx">Kế hoạch 45.docx</a>
 (120 KB) <a href="/vb/KH-45.docx">Tải về</a></p>"""
LISTED = """<h3>Các tệp đính kèm:</h3>
<ul><li><a href="/vb/QD 123.signed.pdf">Quyết định 123.signed.pdf</a></li>
<li><a href="/vb/KH-45.docx">Kế hoạch 45.docx</a> [DOCX, 1,2 MB]</li></ul>"""


def test_the_files_lines_inside_the_body_are_attachments_not_text() -> None:
    for files in (FLAT, LISTED):
        read = page(files)

        assert [b.text for b in read.blocks] == [FIRST, LAST]
        assert read.body == f"{FIRST}\n\n{LAST}"
        assert read.attachments == (DECISION, PLAN)


def test_a_sentence_that_links_a_file_keeps_its_words() -> None:
    sentence = (
        '<p>Ngày 5/11, UBND xã ban hành <a href="/vb/QD 123.signed.pdf">Quyết định 123</a>.</p>'
    )
    read = page(sentence + '<p>Lịch tháng 10: <a href="/tin/lich-thang-10.html">tại đây</a></p>')

    assert [b.text for b in read.blocks] == [
        FIRST,
        LAST,
        "Ngày 5/11, UBND xã ban hành Quyết định 123.",
        "Lịch tháng 10: tại đây",  # a link to a page, not a file
    ]
    assert read.attachments == (Attachment("Quyết định 123", DECISION.url),)


def test_files_an_admins_selector_finds_in_the_body_are_not_text_either() -> None:
    read = page(f'<div class="files">{LISTED}</div>', Selectors(attachments=".files a"))

    assert [b.text for b in read.blocks] == [FIRST, LAST]
    assert read.attachments == (DECISION, PLAN)


def test_the_reading_shows_each_file_once_as_a_document() -> None:
    read = page(FLAT)
    article = Article(
        id=5,
        url=URL,
        title=read.title,
        summary=read.lead,
        image_url=None,
        published=WHEN,
        first_seen=WHEN,
        body=read.body,
        blocks=read.blocks,
        attachments=read.attachments,
    )
    pages = build_reading(article, "vi")
    shown = "\n".join(
        parse_telegram_html(m.html) for p in pages for m in p.messages if isinstance(m, Message)
    )
    documents = [m.url for p in pages for m in p.messages if isinstance(m, Document)]

    assert documents == [DECISION.url, PLAN.url]
    for name in ("Tệp đính kèm", "Quyết định 123.signed.pdf", "Kế hoạch 45.docx", "120 KB"):
        assert name not in shown
    assert LAST in shown
