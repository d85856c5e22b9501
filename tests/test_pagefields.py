"""The default rules one by one, on small pages: what a layout's markup says about its title,
date, lead, captions and byline when no selector does."""

from datetime import datetime

from anbien_bot.models import Selectors
from anbien_bot.sources.extract import parse_article
from anbien_bot.text.dates import VN_TZ

URL = "https://xa.angiang.gov.vn/tin/123"
LEAD = "(BKG) - Ngày 20/01/2021, hơn 300 người dân xã Đông Yên ra quân nạo vét kênh nội đồng."
TEXT = "Đợt ra quân nạo vét 12 km kênh nội đồng, phục vụ tưới tiêu cho hơn 1.000 ha lúa Đông Xuân."


def read(body: str, head: str = "") -> object:
    return parse_article(f"<html><head>{head}</head><body>{body}</body></html>", URL, Selectors())


def test_a_long_date_line_gives_the_date_and_never_the_lead():
    article = read(
        "<h1>Xã Đông Yên ra quân làm thủy lợi nội đồng</h1>"
        "<div>Ngày đăng: 21/01/2021 08:10 - Lượt xem: 87 - Tác giả: Nguyễn An - Nguồn: Báo"
        f" Kiên Giang điện tử</div><div><p>{LEAD}</p><p>{TEXT}</p></div>"
    )
    assert article.published == datetime(2021, 1, 21, 8, 10, tzinfo=VN_TZ)
    assert article.lead == LEAD  # not the line of the page about the article


def test_the_heading_above_the_text_wins_over_a_section_title_and_h1():
    article = read(
        "<h1 class='portlet-title'>Tin tức sự kiện</h1><h3 class='header-title'>"
        f"Xã Đông Yên ra quân làm thủy lợi nội đồng</h3><div><p>{LEAD}</p><p>{TEXT}</p></div>",
        head="<title>Tin tức sự kiện - Cổng thông tin điện tử</title>",
    )
    assert article.title == "Xã Đông Yên ra quân làm thủy lợi nội đồng"


def test_a_centred_italic_line_after_a_photo_is_its_caption_but_a_plain_paragraph_is_text():
    photo = "<p><img src='/anh/ra-quan.jpg' width='600'></p>"
    caption = "<p style='text-align:center'><em>Người dân nạo vét kênh nội đồng.</em></p>"
    captioned = read(
        f"<h1>Ra quân thủy lợi nội đồng ở xã</h1><div>{photo}{caption}<p>{TEXT}</p></div>"
    )
    plain = read(
        f"<h1>Ra quân thủy lợi nội đồng ở xã</h1><div>{photo}<p>{TEXT}</p><p>{LEAD}</p></div>"
    )

    assert captioned.images[0][1] == "Người dân nạo vét kênh nội đồng."
    assert captioned.lead == TEXT
    assert plain.images[0][1] == ""
    assert plain.lead == TEXT


def test_a_bold_name_closing_the_text_is_its_byline():
    article = read(
        f"<h1>Ra quân thủy lợi nội đồng ở xã</h1><div><p>{LEAD}</p><p>{TEXT}</p>"
        "<p align='right'><b>Minh Trí</b></p></div>"
    )
    assert article.author == "Minh Trí"
    assert "Minh Trí" not in article.body


def test_a_lead_element_wins_and_a_body_field_named_with_summary_is_not_one():
    article = read(
        "<h1>Ra quân thủy lợi nội đồng ở xã</h1>"
        f"<div class='field--name-field-tom-tat'>{LEAD}</div>"
        "<div class='field--name-body field--type-text-with-summary'>"
        f"<p>{TEXT}</p><p>{TEXT}</p></div>"
    )
    assert article.lead == LEAD  # the lead field, not the whole body field
    assert TEXT in article.body
