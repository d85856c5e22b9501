"""What kind each block of an article page is: what a table row is and what is layout, what
heads and what signs."""

from __future__ import annotations

from anbien_bot.models import Selectors
from anbien_bot.sources.extract import parse_article
from anbien_bot.values import BlockKind

K = BlockKind
URL = "https://xa.example.vn/tin/1.html"
LONG = "Ủy ban nhân dân xã đề nghị các hộ dân chủ động gia cố nhà cửa trước mùa mưa bão. " * 3


def kinds(body: str) -> list[tuple[BlockKind, str]]:
    html = f"<html><body><h1>Tiêu đề</h1><div class='noidung'>{body}</div></body></html>"
    page = parse_article(html, URL, Selectors(title="h1", body=".noidung"))
    return [(b.kind, b.text) for b in page.blocks]


def test_a_photo_and_its_caption_in_a_layout_table_are_no_table_row() -> None:
    found = kinds(
        f"<p>{LONG}</p><table><tr><td><img src='/a.jpg' width='600' height='400'></td>"
        "<td><em>Ảnh: Lực lượng xung kích.</em></td></tr></table>"
    )
    assert found == [(K.PARAGRAPH, LONG.strip()), (K.IMAGE, "Ảnh: Lực lượng xung kích.")]


def test_a_layout_table_holding_the_article_is_read_as_paragraphs() -> None:
    paragraphs = "".join(f"<p>{n}. {LONG}</p>" for n in range(1, 9))
    found = kinds(f"<table><tr><td>Chuyên mục</td><td>{paragraphs}</td></tr></table>")
    assert [k for k, _ in found] == [K.PARAGRAPH] * 9
    assert found[1][1].startswith("1. Ủy ban")


def test_lists_quotes_and_headings_keep_their_kind_inside_one_another() -> None:
    found = kinds(
        "<ul><li>Ấp Xẻo Đước<ul><li>Tổ 1</li></ul></li></ul>"
        "<blockquote><h4>Chỉ đạo</h4><p>Không để người dân bị động.</p></blockquote>"
        "<div role='heading'>Phần hai</div>"
    )
    assert found == [
        (K.ITEM, "Ấp Xẻo Đước"),
        (K.ITEM, "Tổ 1"),
        (K.HEADING, "Chỉ đạo"),
        (K.QUOTE, "Không để người dân bị động."),
        (K.HEADING, "Phần hai"),
    ]


def test_a_short_bold_line_heads_but_a_bold_signature_set_right_does_not() -> None:
    found = kinds(
        f"<p><strong>1. Về công tác phòng chống thiên tai</strong></p><p>{LONG}</p>"
        f"<p><strong>Người dân cần chủ động theo dõi thông tin.</strong></p>"
        "<p style='text-align:right'><strong>UBND xã Đông Yên</strong></p>"
        f"<p>Nơi nhận: {LONG}</p>"
    )
    assert [k for k, _ in found] == [K.HEADING, K.PARAGRAPH, K.PARAGRAPH, K.PARAGRAPH, K.PARAGRAPH]
    assert found[3][1] == "UBND xã Đông Yên"
