"""A page nested deeper than the HTML parser reads (thousands of nested divs, a Word paste's
spans never closed) keeps the text after the nesting, and the admin reads one warning naming
the page; a page of ordinary depth is read as before, without a warning."""

from __future__ import annotations

import logging

import pytest

from anbien_bot.models import Selectors
from anbien_bot.sources.extract import parse_article
from anbien_bot.sources.listing import parse_listing
from anbien_bot.sources.pagebytes import flattened

SITE = "https://dongyen.angiang.gov.vn"
URL = f"{SITE}/tin/ke-hoach-phong-chong-lu.html"
FIRST = (
    "Ủy ban nhân dân xã Đông Yên ban hành kế hoạch phòng chống lụt bão năm 2026, giao các ấp"
    " rà soát nhà yếu và chuẩn bị nơi tránh trú cho người dân."
)
DEEP = "Đoạn văn nằm sâu trong trang, được dán từ Word."
AFTER = (
    "Sau phần lồng sâu, kế hoạch giao Ban chỉ huy quân sự xã phối hợp với các ấp tổ chức"
    " diễn tập ứng phó trước ngày 15 tháng 7."
)
LAST = "Các ấp báo cáo kết quả về Ủy ban nhân dân xã trước ngày 30 tháng 7."


def page(middle: str) -> str:
    return f"""<html><head><title>Kế hoạch phòng chống lụt bão</title></head><body>
    <div class="header"><a href="/">Trang chủ</a></div>
    <h1>Kế hoạch phòng chống lụt bão năm 2026</h1>
    <div class="noidung"><p>{FIRST}</p>{middle}<p>{AFTER}</p><p>{LAST}</p></div>
    <div class="footer">Cổng thông tin điện tử xã Đông Yên</div></body></html>"""


NESTED_DIVS = "<div>" * 5000 + f"<p>{DEEP}</p>" + "</div>" * 5000
# Word's paste: every run of text opens a span that is never closed.
WORD_SPANS = "<p>" + "".join(f"<span style='font-size:13pt'>{w} " for w in DEEP.split()) * 40
WORD_SPANS += "</p>"


@pytest.mark.parametrize("middle", [NESTED_DIVS, WORD_SPANS], ids=["divs", "spans"])
def test_the_text_after_deep_nesting_is_kept_and_the_admin_is_warned(
    middle: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        read = parse_article(page(middle), URL, Selectors())

    texts = [b.text for b in read.blocks]
    assert texts[0] == FIRST
    assert texts[-2:] == [AFTER, LAST]
    assert DEEP in texts[1]
    assert read.title == "Kế hoạch phòng chống lụt bão năm 2026"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert URL in warnings[0]


def test_an_admins_selectors_still_find_the_layout_around_the_nesting() -> None:
    read = parse_article(page(NESTED_DIVS), URL, Selectors(body=".noidung", title="h1"))

    assert [b.text for b in read.blocks] == [FIRST, DEEP, AFTER, LAST]
    assert read.unmatched == ()


def test_a_deep_listing_keeps_the_articles_after_the_nesting() -> None:
    links = "".join(
        f'<li><a href="/tin/bai-{n}.html">Tin hoạt động của xã số {n} trong tháng</a></li>'
        for n in range(1, 4)
    )
    html = f"<html><body>{NESTED_DIVS}<ul class='list-news'>{links}</ul></body></html>"

    items = parse_listing(html, f"{SITE}/tin-tuc", Selectors(item=".list-news li"))

    assert [i.url for i in items] == [f"{SITE}/tin/bai-{n}.html" for n in range(1, 4)]


def test_a_page_of_ordinary_depth_is_read_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        read = parse_article(page("<div><div><p>Giữa.</p></div></div>"), URL, Selectors())

    assert [b.text for b in read.blocks] == [FIRST, "Giữa.", AFTER, LAST]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_flattening_leaves_the_shallow_markup_as_written() -> None:
    shallow = page("<div><div><p>Giữa.</p></div></div>").encode()

    assert flattened(shallow) == shallow
    deep = flattened(page(NESTED_DIVS).encode(), depth=50)
    # The layout's three divs, and the nested ones up to depth 50 (html, body and the article's
    # div above them); the rest are line breaks.
    assert deep.count(b"<div") == 3 + 47
    assert deep.count(b"</div>") == 3 + 47


def test_a_file_linked_in_the_deep_part_is_still_an_attachment() -> None:
    link = '<p>Chi tiết: <a href="/vb/ke-hoach-45.pdf">Kế hoạch 45/KH-UBND</a></p>'
    read = parse_article(page("<div>" * 5000 + link + "</div>" * 5000), URL, Selectors())

    assert [(a.title, a.url) for a in read.attachments] == [
        ("Kế hoạch 45/KH-UBND", f"{SITE}/vb/ke-hoach-45.pdf")
    ]
    assert [b.text for b in read.blocks][-2:] == [AFTER, LAST]
