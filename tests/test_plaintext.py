"""Tests for turning feed and portal HTML fragments into the plain text residents read."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.text.plaintext import first_image_src, html_to_text


def test_thumbnail_link_and_invalid_break_become_a_clean_lead() -> None:
    fragment = (
        "<a href=/tin/a1001.html><img src=/uploads/tom-lua.jpg width=180 ></a></br>"
        "Sáng 29/5, huyện tổ chức hội nghị.</br>Có 120 đại biểu&nbsp;dự."
    )
    assert html_to_text(fragment) == "Sáng 29/5, huyện tổ chức hội nghị.\n\nCó 120 đại biểu dự."


def test_block_elements_become_paragraphs() -> None:
    fragment = (
        "<h2>Lịch cắt điện</h2><p>Ấp Xẻo Đước<br>07:30 – 11:30</p>"
        "<ul><li>Ấp Xẻo Vẹt<li>Ấp Nam Yên</ul><blockquote>Mong bà con thông cảm</blockquote>"
        "<table><tr><td>Ngày</td><td>05/06/2020</td></tr></table>"
    )
    assert html_to_text(fragment).split("\n\n") == [
        "Lịch cắt điện",
        "Ấp Xẻo Đước",
        "07:30 – 11:30",
        "Ấp Xẻo Vẹt",
        "Ấp Nam Yên",
        "Mong bà con thông cảm",
        "Ngày 05/06/2020",
    ]


def test_script_and_style_contents_vanish_but_text_after_them_stays() -> None:
    fragment = (
        "<p>Trước</p><script>var x = '<p>không hiện</p>';</script>Giữa"
        "<style>.a{color:red}</style><noscript>bật JavaScript</noscript> Sau"
    )
    assert html_to_text(fragment) == "Trước\n\nGiữa Sau"


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("Huyện đ&atilde; tổ chức", "Huyện đã tổ chức"),
        ("Huyện đ&amp;atilde; tổ chức", "Huyện đã tổ chức"),
        ("<b>Sạt lở &amp; triều cường</b>", "Sạt lở & triều cường"),
        ("Nhiệt độ 30&#176;C, &#x110;ông", "Nhiệt độ 30°C, Đông"),
        ("Nông nghiệp & PTNT", "Nông nghiệp & PTNT"),
        ("Giá lúa < 5.000đ và > 4.000đ", "Giá lúa < 5.000đ và > 4.000đ"),
    ],
)
def test_entities_are_decoded(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


def test_broken_markup_keeps_its_text() -> None:
    fragment = "<div><p class=tin>Đoạn một<p>Đoạn <b>hai<i> còn mở"
    assert html_to_text(fragment) == "Đoạn một\n\nĐoạn hai còn mở"


def test_control_characters_and_odd_spaces_are_cleaned() -> None:
    assert html_to_text("Cấp\x0b nước\x00 sạch\u200b  cho\xa0300 hộ") == "Cấp nước sạch cho 300 hộ"


def test_decomposed_vietnamese_comes_out_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "<p>Tiếng Việt</p>")
    assert html_to_text(decomposed) == "Tiếng Việt"
    assert len(html_to_text(decomposed)) == len("Tiếng Việt")


def test_plain_text_paragraphs_pass_through() -> None:
    assert html_to_text("Đoạn một.\n\n\n  Đoạn   hai.\n") == "Đoạn một.\n\nĐoạn hai."


def test_a_whole_page_with_an_xml_declaration_is_read() -> None:
    page = '<?xml version="1.0" encoding="utf-8"?><html><head><title>Tiêu đề</title></head>'
    page += "<body><p>Nội dung</p></body></html>"
    assert html_to_text(page) == "Nội dung"


@pytest.mark.parametrize(
    ("fragment", "src"),
    [
        ("<a href=/x><img src=/uploads/a.jpg width=100></a>", "/uploads/a.jpg"),
        (
            '<img src="data:image/gif;base64,R0lGOD" data-src="/that.jpg"><img src=/b.jpg>',
            "/that.jpg",
        ),
        (
            '<img alt="không ảnh"><img src=" /PublishingImages/Ảnh 1.jpg ">',
            "/PublishingImages/Ảnh 1.jpg",
        ),
        ("<p>Không có ảnh</p>", None),
        ("", None),
        ("chỉ là chữ", None),
    ],
)
def test_first_image_src(fragment: str, src: str | None) -> None:
    assert first_image_src(fragment) == src


_markup = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<br>",
            "</br>",
            "<script>",
            "</script>",
            "<a href=x>",
            "&atilde;",
            "&amp;",
            "&#",
            "<",
            ">",
            "<!--",
            "-->",
            "<?xml ?>",
            "đ",
            "\x00",
            "\x0b",
            " ",
            "\n",
            "<img src=",
            "<![CDATA[",
            "]]>",
            "<div",
            "Ảnh",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(fragment=st.one_of(st.text(max_size=100), _markup))
def test_any_input_gives_clean_text(fragment: str) -> None:
    text = html_to_text(fragment)
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert "<script>" not in text
    first_image_src(fragment)
