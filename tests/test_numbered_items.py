"""A numbered list's items keep their numbers from the page to every reading of it: the
Telegram reading, the Telegraph page and the Atom feed show "1. Bước một", never "• 1. …",
while a bulleted list keeps its bullets."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from anbien_bot.delivery.atom import article_html
from anbien_bot.delivery.message import Message
from anbien_bot.delivery.reading import build_reading
from anbien_bot.delivery.telegraph import build_page
from anbien_bot.models import Article, Selectors
from anbien_bot.sources.extract import parse_article
from anbien_bot.values import BlockKind
from tests.telegram_rules import parse_telegram_html

URL = "https://dongyen.angiang.gov.vn/tin/huong-dan-dang-ky.html"
WHEN = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
INTRO = (
    "Ủy ban nhân dân xã hướng dẫn người dân đăng ký tạm trú trực tuyến trên Cổng dịch vụ công"
    " quốc gia, thực hiện theo các bước dưới đây."
)
PAGE = f"""<html><body><h1>Hướng dẫn đăng ký tạm trú trực tuyến</h1>
<div class="content">
  <p>{INTRO}</p>
  <ol>
    <li>Bước một: đăng nhập Cổng dịch vụ công.</li>
    <li><p>Bước hai: chọn thủ tục đăng ký tạm trú.</p></li>
    <li>Bước ba: nộp hồ sơ và chờ kết quả.</li>
  </ol>
  <p>Các văn bản áp dụng:</p>
  <ol start="4">
    <li>Luật Cư trú năm 2020.</li>
    <li value="9">Nghị định 154/2024/NĐ-CP.</li>
    <li>Thông tư 55/2021/TT-BCA.</li>
  </ol>
  <p>Người dân cần chuẩn bị:</p>
  <ul><li>Căn cước công dân.</li><li>Giấy tờ chứng minh chỗ ở hợp pháp.</li></ul>
  <ol><li>Điều 1. Phạm vi điều chỉnh.</li><li>2. Đối tượng áp dụng.</li></ol>
</div></body></html>"""
NUMBERED = [
    "1. Bước một: đăng nhập Cổng dịch vụ công.",
    "2. Bước hai: chọn thủ tục đăng ký tạm trú.",
    "3. Bước ba: nộp hồ sơ và chờ kết quả.",
    "4. Luật Cư trú năm 2020.",
    "9. Nghị định 154/2024/NĐ-CP.",
    "10. Thông tư 55/2021/TT-BCA.",
]
BULLETED = ["Căn cước công dân.", "Giấy tờ chứng minh chỗ ở hợp pháp."]
OWN_NUMBERS = ["Điều 1. Phạm vi điều chỉnh.", "2. Đối tượng áp dụng."]


def read_page() -> Article:
    page = parse_article(PAGE, URL, Selectors())
    return Article(
        id=3,
        url=URL,
        title=page.title,
        summary=page.lead,
        image_url=None,
        published=WHEN,
        first_seen=WHEN,
        body=page.body,
        blocks=page.blocks,
    )


def test_a_numbered_lists_items_keep_their_numbers_and_a_bulleted_lists_do_not_get_any() -> None:
    items = [b.text for b in read_page().blocks if b.kind is BlockKind.ITEM]

    assert items == NUMBERED + BULLETED + OWN_NUMBERS  # an item that writes its number keeps it


def test_the_telegram_reading_shows_numbers_without_bullets_and_bullets_on_the_rest() -> None:
    pages = build_reading(read_page(), "vi")
    shown = "\n".join(
        parse_telegram_html(m.html) for p in pages for m in p.messages if isinstance(m, Message)
    )
    lines = shown.splitlines()

    for item in NUMBERED + OWN_NUMBERS:
        assert item in lines  # as it is: no bullet before the number
    assert "• Điều" not in shown
    for item in BULLETED:
        assert f"• {item}" in lines


def test_the_telegraph_page_shows_numbered_items_as_lines_and_bulleted_ones_as_a_list() -> None:
    page = build_page(read_page(), reading_link=None)
    lists = [n for n in page.content if isinstance(n, dict) and n["tag"] == "ul"]
    paragraphs = [
        n["children"][0]
        for n in page.content
        if isinstance(n, dict) and n["tag"] == "p" and n.get("children")
    ]

    assert [[li["children"][0] for li in ul["children"]] for ul in lists] == [BULLETED]
    for item in NUMBERED + OWN_NUMBERS:
        assert item in paragraphs


def test_the_atom_content_shows_numbered_items_as_lines_and_bulleted_ones_as_a_list() -> None:
    content = lxml.html.fragment_fromstring(article_html(read_page()), create_parent="div")

    assert [[li.text_content() for li in ul.iter("li")] for ul in content.iter("ul")] == [BULLETED]
    assert not list(content.iter("ol"))
    paragraphs = [p.text_content() for p in content.iter("p")]
    for item in NUMBERED + OWN_NUMBERS:
        assert item in paragraphs
