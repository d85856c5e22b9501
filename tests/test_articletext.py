"""Article text: furniture, captions, author lines, the body walk and the main block."""

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from anbien_bot.sources.articletext import (
    arrange,
    author_name,
    clean_text,
    is_caption,
    is_furniture,
    strip_furniture,
)
from anbien_bot.sources.mainblock import main_element
from anbien_bot.sources.pagetext import Block, parse_page, read_blocks

LEAD = "Sáng 12/3, Ủy ban nhân dân huyện tổ chức hội nghị triển khai kế hoạch phòng chống hạn mặn."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Xem với cỡ chữAA", ""),
        ("Xem với cỡ chữ A A", ""),
        ("Xem với cỡ chữAAAn Biên ra quân làm thủy lợi", "An Biên ra quân làm thủy lợi"),
        ("Cỡ chữ: A- A A+", ""),
        ("Lượt xem: 1.245", ""),
        ("Tin mới Lượt xem 87", "Tin mới"),
        ("Bài viết đạt hàng nghìn lượt xem trên mạng xã hội.", None),
        ("Người dân chọn cỡ chữ Arial khi soạn đơn.", None),
    ],
)
def test_strip_furniture_removes_widgets_and_keeps_sentences(line: str, expected: str | None):
    assert strip_furniture(line) == (line if expected is None else expected)


@pytest.mark.parametrize(
    "line",
    ["In bài viết | Gửi email | Về đầu trang", "Trang chủ > Tin tức > Thông báo", "AA", "A+ A-"],
)
def test_widget_rows_and_breadcrumbs_are_furniture(line: str):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [LEAD, "Trở về quê ăn Tết", "Gửi bài về Ban biên tập trước 15/5"])
def test_sentences_are_not_furniture(line: str):
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Tin và ảnh: Thanh Vũ", "Thanh Vũ"),
        ("Tin, ảnh: MINH TRÍ", "MINH TRÍ"),
        ("Bài và ảnh: Ngọc Hân.", "Ngọc Hân"),
        ("(Tin: Hồng Nhung)", "Hồng Nhung"),
        ("Bài: Văn phòng HĐND-UBND huyện", "Văn phòng HĐND-UBND huyện"),
        ("Thời gian: từ 7 giờ 30 đến 11 giờ 00 ngày 18/6/2020 tại hội trường", ""),
        (LEAD, ""),
    ],
)
def test_author_name_takes_the_name_after_the_prefix(line: str, name: str):
    assert author_name(line) == name


@pytest.mark.parametrize(
    ("line", "caption"),
    [
        ("Quang cảnh: Hội nghị triển khai kế hoạch.", True),
        ("Ảnh: Các đại biểu dự hội nghị.", True),
        ("(Ảnh minh họa: Internet)", True),
        ("Ảnh hưởng của hạn mặn đến vụ lúa năm nay rất lớn.", False),
    ],
)
def test_captions_are_told_by_their_prefix(line: str, caption: bool):
    assert is_caption(line) is caption


def test_clean_text_drops_end_mark_and_widgets():
    assert clean_text("Xem với cỡ chữAA\nKết thúc đợt ra quân./.\nIn bài viết") == (
        "Kết thúc đợt ra quân."
    )


def test_caption_after_photo_goes_with_the_photo_not_the_text():
    text = arrange(
        [
            Block(text=LEAD),
            Block(image="/a.jpg"),
            Block(text="Quang cảnh: Hội nghị triển khai kế hoạch."),
            Block(text="Đoạn hai của bài viết, đủ dài để là một đoạn văn thật sự."),
        ]
    )
    assert text.images == (("/a.jpg", "Quang cảnh: Hội nghị triển khai kế hoạch."),)
    assert text.paragraphs == (LEAD, "Đoạn hai của bài viết, đủ dài để là một đoạn văn thật sự.")


def test_lead_is_never_a_caption_even_before_the_first_paragraph():
    text = arrange(
        [
            Block(image="/a.jpg"),
            Block(text="Ảnh: Các đại biểu dự hội nghị triển khai kế hoạch phòng chống hạn."),
            Block(text=LEAD),
        ]
    )
    assert text.lead == LEAD


def test_caption_right_after_the_last_photo_is_not_the_author():
    text = arrange([Block(text=LEAD), Block(image="/a.jpg"), Block(text="Ảnh: Minh Trí")])
    assert text.author == ""
    assert text.images == (("/a.jpg", "Ảnh: Minh Trí"),)


def test_author_line_run_into_the_last_paragraph_is_split_off():
    text = arrange([Block(text=LEAD), Block(text="Hội nghị kết thúc lúc 11 giờ./. Tin: Kim Ngân")])
    assert text.author == "Kim Ngân"
    assert text.paragraphs[-1] == "Hội nghị kết thúc lúc 11 giờ."


def test_related_news_ends_the_article():
    text = arrange(
        [Block(text=LEAD), Block(text="Tin liên quan"), Block(text="Một tin khác rất dài ...")]
    )
    assert text.paragraphs == (LEAD,)


def test_header_caught_by_a_wide_body_is_dropped_up_to_the_title():
    title = "Huyện ủy An Biên sơ kết công tác"
    text = arrange(
        [
            Block(text="HOẠT ĐỘNG HUYỆN ỦY"),
            Block(text=title),
            Block(text="(10:20 | 28/05/2020)"),
            Block(text=LEAD),
        ],
        title,
    )
    assert text.paragraphs == (LEAD,)


def test_read_blocks_skips_scripts_hidden_text_and_keeps_tails():
    root = lxml.html.fragment_fromstring(
        "<div><p>Một <b>hai</b><script>var x = 1;</script> ba</p>"
        "<p style='display:none'>ẩn</p><p>bốn<br>năm</p><img src='/a b.jpg'>"
        "<figure><figcaption>Chú thích ảnh</figcaption></figure></div>"
    )
    assert read_blocks(root) == [
        Block(text="Một hai ba"),
        Block(text="bốn"),
        Block(text="năm"),
        Block(image="/a b.jpg"),
        Block(text="Chú thích ảnh", caption=True),
    ]


def test_read_blocks_walks_a_tree_deeper_than_the_recursion_limit():
    root = current = etree.Element("div")
    for _ in range(20_000):
        current = etree.SubElement(current, "div")
    current.text = "sâu"
    assert read_blocks(root) == [Block(text="sâu")]


def test_main_element_prefers_paragraphs_over_menus_and_sidebars():
    root = parse_page(
        "<html><body><nav>" + "<a href='/x'>Mục</a>" * 200 + "</nav>"
        "<div class='sidebar'><ul>"
        + "<li><a href='/t'>Tin khác</a> (20/05/2020)</li>" * 50
        + "</ul></div><div id='noidung'>"
        + f"<p>{LEAD}</p>" * 4
        + "</div></body></html>"
    )
    assert root is not None
    assert main_element(root).get("id") == "noidung"


def test_parse_page_reads_a_legacy_charset_and_prefers_valid_utf8():
    legacy = "<meta charset='windows-1258'><h1>Đông Thái</h1>".encode("cp1258")
    assert parse_page(legacy).findtext(".//h1") == "Đông Thái"
    mislabeled = "<meta charset='iso-8859-1'><h1>Đông Thái</h1>".encode()
    assert parse_page(mislabeled).findtext(".//h1") == "Đông Thái"
    assert parse_page(b"   ") is None


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=12))
def test_arranged_text_never_keeps_the_font_widget(lines: list[str]):
    blocks = [Block(text=line) for line in lines] + [Block(text="Xem với cỡ chữAA")]
    text = arrange(blocks)
    everything = " ".join([*text.paragraphs, text.lead, text.author])
    assert "Xem với cỡ chữ" not in everything
