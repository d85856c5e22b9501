"""Extraction from portal HTML: the An Biên SharePoint-like site, a Drupal commune portal
configured through selectors alone, and hostile pages."""

from dataclasses import astuple, replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.models import Attachment, Selectors
from anbien_bot.sources.extract import (
    ArticlePage,
    ExtractError,
    article_key,
    parse_article,
    to_entry,
)
from anbien_bot.sources.listing import ListingItem, next_page_url, parse_listing
from anbien_bot.text.dates import VN_TZ

DATA = Path(__file__).parent / "data"
AN_BIEN = "https://anbien.kiengiang.gov.vn"
SEED_TITLE = (
    "Ban chỉ đạo thực hiện phong trào thi đua “Dân vận khéo” tỉnh làm việc với Huyện ủy Kiên Hải"
)
SEED_URL = (
    f"{AN_BIEN}/trang/TinTuc/35/1009/"
    "Ban-chi-dao-thuc-hien-phong-trao-thi-dua-Dan-van-kheo-tinh-lam-viec-voi-Huyen-uy-Kien-Hai.html"
)
NOTICE_URL = f"{AN_BIEN}/trang/TinTuc/17/1012/Thong-bao-lich-tiep-cong-dan.html"
OUTAGE_URL = f"{AN_BIEN}/trang/TinTuc/17/1011/Lich-tam-ngung-cung-cap-dien.html"
LISTING_URL = f"{AN_BIEN}/trang/TinTuc/35.html"
# What an admin would write for the An Biên portal.
AN_BIEN_SELECTORS = Selectors(
    item=".news-list .news-item h3 a",
    item_date=".news-date",
    next_page=".paging a.next",
    title=".news-detail h1.news-title",
    date=".news-detail .news-date",
    body=".news-detail .news-content",
)
COMMUNE = "https://dongthai.angiang.gov.vn"
COMMUNE_URL = (
    f"{COMMUNE}/tin-tuc/xa-dong-thai-gap-mat-nguoi-cao-tuoi-nhan-dip-dau-xuan-tan-suu-2021"
)
COMMUNE_SELECTORS = Selectors(
    item=".view-tin-tuc .views-row .views-field-title a",
    item_date=".views-field-created",
    next_page=".pager__item--next a",
    title=".node__title",
    date=".node__submitted",
    lead=".field--name-field-tom-tat",
    body=".field--name-body",
    image=".field--name-field-anh-dai-dien img",
    attachments=".field--name-field-dinh-kem a",
)


def page(name: str) -> bytes:
    """Return a fixture page as the portal would serve it."""
    return (DATA / name).read_bytes()


def texts(article: ArticlePage) -> str:
    """Return every text an article page carries, for checks that nothing leaked."""
    return repr(astuple(article))


both = pytest.mark.parametrize(
    "selectors", [Selectors(), AN_BIEN_SELECTORS], ids=["defaults", "configured"]
)


@both
def test_seed_shaped_article_reads_as_residents_see_it(selectors: Selectors):
    article = parse_article(page("anbien/tin-1009.html"), SEED_URL, selectors)

    assert article.title == SEED_TITLE
    assert article.published == datetime(2020, 5, 29, 10, 59, tzinfo=VN_TZ)
    assert article.lead.startswith("Sáng ngày 28/5/2020, đoàn công tác Ban chỉ đạo")
    assert article.image_url == (
        f"{AN_BIEN}/PublishingImages/TinTuc/2020/Quang%20c%E1%BA%A3nh%20h%E1%BB%99i%20ngh%E1%BB%8B.jpg"
    )
    assert article.author == "Thanh Vũ"
    assert "Xem với cỡ chữ" not in texts(article)
    assert article.unmatched == ()


@both
def test_seed_shaped_body_has_no_furniture_captions_or_author_line(selectors: Selectors):
    article = parse_article(page("anbien/tin-1009.html"), SEED_URL, selectors)
    paragraphs = article.body.split("\n\n")

    assert paragraphs[0] == article.lead
    assert paragraphs[-1].endswith("trên địa bàn.")  # "./." is gone, the sentence's dot stays
    assert len(paragraphs) == 5
    for noise in (
        "Quang cảnh",
        "Tin và ảnh",
        "HOẠT ĐỘNG HUYỆN ỦY",
        "In bài viết",
        "Tin liên quan",
        "Lượt truy cập",
        "changeFont",
        "_spPageContextInfo",
        "10:59",
    ):
        assert noise not in article.body


@both
def test_seed_shaped_photos_keep_their_captions(selectors: Selectors):
    article = parse_article(page("anbien/tin-1009.html"), SEED_URL, selectors)

    assert [url for url, _ in article.images] == [
        f"{AN_BIEN}/PublishingImages/TinTuc/2020/Quang%20c%E1%BA%A3nh%20h%E1%BB%99i%20ngh%E1%BB%8B.jpg",
        f"{AN_BIEN}/PublishingImages/TinTuc/2020/%C4%90%E1%BB%93ng%20ch%C3%AD%20tr%C6%B0%E1%BB%9Fng"
        "%20%C4%91o%C3%A0n%20ph%C3%A1t%20bi%E1%BB%83u.jpg",
    ]
    assert article.images[0][1].startswith("Quang cảnh: Buổi làm việc giữa đoàn công tác")
    assert article.images[1][1].startswith("Quang cảnh: Đồng chí Trần Văn Phúc")


def test_notice_attachments_come_from_body_and_attachment_block_not_sidebar():
    article = parse_article(page("anbien/tin-1012.html"), NOTICE_URL, Selectors())

    assert article.attachments == (
        Attachment(
            title="Kế hoạch số 45/KH-UBND",
            url=f"{AN_BIEN}/Documents/VanBan/2020/K%E1%BA%BF%20ho%E1%BA%A1ch%2045-KH-UBND.pdf",
        ),
        Attachment(
            title="125-TB-UBND tiếp công dân.signed.pdf",
            url=f"{AN_BIEN}/Documents/VanBan/2020/125-TB-UBND%20ti%E1%BA%BFp%20c%C3%B4ng%20d%C3%A2n"
            ".signed.pdf",
        ),
    )
    assert "Tệp đính kèm" not in article.body
    assert article.author == "NGỌC HÂN"  # names in capitals stay as written
    assert article.image_url is None  # the PDF icon and the site logo are not photos


def test_outage_notice_keeps_times_verbatim_and_uses_page_metadata():
    article = parse_article(page("anbien/tin-1011.html"), OUTAGE_URL, Selectors())

    assert article.published == datetime(2020, 6, 5, 15, 30, tzinfo=VN_TZ)
    assert article.lead.startswith("Điện lực An Biên thông báo tạm ngừng cung cấp điện")
    assert article.image_url == (
        f"{AN_BIEN}/PublishingImages/TinTuc/2020/l%E1%BB%8Bch%20c%C3%BAp%20%C4%91i%E1%BB%87n"
        "%20th%C3%A1ng%206.jpg"
    )
    assert "từ 07 giờ 00 đến 11 giờ 30, khu vực ấp Xẻo Nhàu, xã Đông Thái" in article.body
    assert "Lượt xem" not in texts(article)
    assert article.author == "MINH TRÍ"


@both
def test_listing_yields_each_article_once_in_page_order(selectors: Selectors):
    items = parse_listing(page("anbien/danhmuc-35.html"), LISTING_URL, selectors)

    assert [article_key(item.url) for item in items] == [
        "1009",
        "1008",
        "1005",
        "1002",
        "1001",
        "998",
    ]
    assert items[0] == ListingItem(
        url=SEED_URL, title=SEED_TITLE, published=datetime(2020, 5, 29, 10, 59, tzinfo=VN_TZ)
    )
    assert all(item.title and item.published for item in items)


@both
def test_listing_pages_chain_to_the_last(selectors: Selectors):
    first = page("anbien/danhmuc-35.html")
    second = page("anbien/danhmuc-35-trang-2.html")

    assert next_page_url(first, LISTING_URL, selectors) == f"{LISTING_URL}?Page=2"
    assert next_page_url(second, f"{LISTING_URL}?Page=2", selectors) is None
    assert [article_key(i.url) for i in parse_listing(second, LISTING_URL, selectors)] == [
        "995",
        "990",
    ]


def test_commune_portal_reads_through_selectors_alone():
    article = parse_article(
        page("commune/gap-mat-nguoi-cao-tuoi.html"), COMMUNE_URL, COMMUNE_SELECTORS
    )

    assert article.title == "Xã Đông Thái gặp mặt người cao tuổi nhân dịp đầu xuân Tân Sửu 2021"
    assert article.published == datetime(2021, 1, 21, tzinfo=VN_TZ)
    assert article.lead.startswith("Chiều 20/01/2021, Ủy ban nhân dân xã Đông Thái")
    assert article.image_url == (
        f"{COMMUNE}/sites/default/files/styles/large/public/2021-01/"
        "g%E1%BA%B7p%20m%E1%BA%B7t%20ng%C6%B0%E1%BB%9Di%20cao%20tu%E1%BB%95i.jpg?itok=Ab3dE9xQ"
    )
    assert article.images == (
        (
            f"{COMMUNE}/sites/default/files/inline-images/chuc%20tho%20cac%20cu.jpg",
            "Lãnh đạo xã chúc thọ các cụ tròn 80 và 90 tuổi.",
        ),
    )
    assert article.author == "Kim Ngân"
    assert [a.title for a in article.attachments] == [
        "Danh sách người cao tuổi được chúc thọ năm 2021"
    ]
    assert "chúc thọ các cụ tròn" not in article.body
    assert "Bài, ảnh" not in article.body
    assert article.unmatched == ()


def test_commune_lead_and_photo_no_longer_need_the_configuration():
    # Issue 13: the defaults find Drupal's lead field and the image field above the body,
    # which only the configuration found before.
    html = page("commune/gap-mat-nguoi-cao-tuoi.html")
    configured = parse_article(html, COMMUNE_URL, COMMUNE_SELECTORS)
    default = parse_article(html, COMMUNE_URL, Selectors())

    assert default.lead == configured.lead
    assert default.image_url == configured.image_url
    assert (default.title, default.published, default.author, default.body) == (
        configured.title,
        configured.published,
        configured.author,
        configured.body,
    )


def test_commune_listing_reads_dates_beside_the_links():
    html = page("commune/tin-tuc.html")
    items = parse_listing(html, f"{COMMUNE}/tin-tuc", COMMUNE_SELECTORS)

    assert len(items) == 5
    assert items[0].url == COMMUNE_URL
    assert [item.published for item in items[:2]] == [
        datetime(2021, 1, 21, tzinfo=VN_TZ),
        datetime(2021, 1, 19, tzinfo=VN_TZ),
    ]
    assert next_page_url(html, f"{COMMUNE}/tin-tuc", COMMUNE_SELECTORS) == (
        f"{COMMUNE}/tin-tuc?page=1"
    )


def test_selectors_that_match_nothing_are_named_and_defaults_still_read():
    selectors = replace(AN_BIEN_SELECTORS, title=".khong-co", date=".khong-co-ngay", image="p[")
    article = parse_article(page("anbien/tin-1009.html"), SEED_URL, selectors)

    assert article.unmatched == ("title", "date", "image")
    assert article.title == SEED_TITLE
    assert article.published == datetime(2020, 5, 29, 10, 59, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (SEED_URL, "1009"),
        (f"{AN_BIEN}/trang/TinTuc/35/1009/Tieu-de-da-sua-lai.html", "1009"),
        (f"{AN_BIEN}/trang/tintuc/17/1011/x.html?utm_source=zalo#top", "1011"),
        (
            f"{COMMUNE}/tin-tuc/trao-qua-tet?utm_source=zalo&fbclid=x#top",
            f"{COMMUNE}/tin-tuc/trao-qua-tet",
        ),
    ],
)
def test_article_key_is_the_id_and_survives_retitling(url: str, key: str):
    assert article_key(url) == key


def test_article_key_takes_a_configured_pattern():
    assert article_key(f"{COMMUNE}/node/245", r"/node/(\d+)") == "245"
    assert article_key(f"{COMMUNE}/tin-tuc/a", r"/node/(\d+)") == f"{COMMUNE}/tin-tuc/a"
    with pytest.raises(ValueError, match="id_pattern"):
        article_key(f"{COMMUNE}/node/245", r"/node/(\d+")


def test_to_entry_uses_the_lead_and_falls_back_to_the_listing():
    article = parse_article(page("anbien/tin-1009.html"), SEED_URL, Selectors())
    entry = to_entry(article, "1009")
    assert (entry.key, entry.title, entry.summary) == ("1009", SEED_TITLE, article.lead)
    assert entry.body == article.body
    assert entry.author == "Thanh Vũ"

    item = ListingItem(SEED_URL, "Tiêu đề trên danh sách", datetime(2020, 5, 29, tzinfo=VN_TZ))
    bare = ArticlePage(url=SEED_URL, body="Đoạn một.\n\nĐoạn hai.")
    fallback = to_entry(bare, "1009", item)
    assert (fallback.title, fallback.published, fallback.summary) == (
        item.title,
        item.published,
        "Đoạn một.",
    )


HOSTILE_LISTING = """<html><body><div class="list">
<a href="/trang/TinTuc/17/2001/Tin-that.html">Tin thật</a>
<a href="https://evil.example/trang/TinTuc/17/2002/Tin-gia.html">Tin trên máy khác</a>
<a href="http://127.0.0.1/trang/TinTuc/17/2003/Noi-bo.html">Máy nội bộ</a>
<a href="javascript:alert('x')">Bấm vào đây</a>
<a href="file:///etc/passwd">Tệp</a>
<a href="mailto:ubnd@anbien.gov.vn">Thư</a>
<a href="data:text/html,<script>alert(1)</script>">Dữ liệu</a>
<a href="http:anbien.kiengiang.gov.vn/trang/TinTuc/17/2004/Lien-ket-hong.html">Liên kết hỏng</a>
<a href="/trang/TinTuc/17/2001/Tin-that.html#binh-luan">Tin thật (lần nữa)</a>
</div></body></html>"""


def test_hostile_listing_keeps_only_http_links_and_defaults_keep_only_the_site():
    with_selector = parse_listing(HOSTILE_LISTING, LISTING_URL, Selectors(item=".list a"))
    assert [item.title for item in with_selector] == [
        "Tin thật",
        "Tin trên máy khác",
        "Máy nội bộ",
        "Liên kết hỏng",
    ]
    assert all(item.url.startswith(("http://", "https://")) for item in with_selector)

    by_default = parse_listing(HOSTILE_LISTING, LISTING_URL, Selectors())
    assert [article_key(item.url) for item in by_default] == ["2001", "2004"]


SCRIPTED = """<html><head><title>Tiêu đề</title><script>document.title = "Xem với cỡ chữ"</script>
<style>h1:after { content: "KIỂU CHỮ" }</style></head><body>
<h1>Tiêu đề thật của bài<script>alert("CHÈN VÀO")</script></h1><div>(10:00 | 01/02/2021)</div>
<div><p>Đoạn đầu tiên của bài viết, đủ dài để được chọn làm đoạn mở đầu.</p>
<noscript>BẬT JAVASCRIPT</noscript><p>Đoạn hai <b>đậm <i>nghiêng <p>Đoạn ba chưa đóng
<div><table><tr><td>ô"""


def test_scripts_styles_and_unclosed_tags_never_reach_a_field():
    article = parse_article(SCRIPTED, f"{AN_BIEN}/trang/TinTuc/17/3001/x.html", Selectors())

    assert article.title == "Tiêu đề thật của bài"
    assert article.published == datetime(2021, 2, 1, 10, 0, tzinfo=VN_TZ)
    assert article.lead.startswith("Đoạn đầu tiên")
    for leaked in ("Xem với cỡ chữ", "KIỂU CHỮ", "CHÈN VÀO", "BẬT JAVASCRIPT", "alert"):
        assert leaked not in texts(article)


def test_font_widget_inside_the_title_and_lead_is_removed():
    html = (
        "<h1><span>Xem với cỡ chữ</span><a href='#'>A</a><a href='#'>A</a>An Biên ra quân</h1>"
        "<div class='sapo'>Xem với cỡ chữAA Sáng nay, huyện An Biên ra quân làm thủy lợi nội đồng."
        "</div><div><p>Đoạn thân bài đầu tiên, đủ dài để làm một đoạn văn thật sự.</p></div>"
    )
    article = parse_article(html, SEED_URL, Selectors(lead=".sapo"))
    assert article.title == "An Biên ra quân"
    assert article.lead == "Sáng nay, huyện An Biên ra quân làm thủy lợi nội đồng."


@pytest.mark.parametrize(
    "html", [b"", b"   \n ", b"<!-- only a comment -->"], ids=["empty", "blank", "comment"]
)
def test_pages_without_markup_raise_extract_error(html: bytes):
    with pytest.raises(ExtractError, match="empty"):
        parse_article(html, SEED_URL, Selectors())
    assert parse_listing(html, LISTING_URL, Selectors()) == []
    assert next_page_url(html, LISTING_URL, Selectors()) is None


@pytest.mark.parametrize(
    "html",
    [("<div>" * 2_000_000).encode(), bytes(range(256)) * 64],  # 10 MB of nesting; binary
    ids=["deep", "binary"],
)
def test_hostile_pages_still_give_a_page(html: bytes):
    article = parse_article(html, SEED_URL, Selectors())
    assert article.url == SEED_URL
    assert article.published is None
    assert parse_listing(html, LISTING_URL, Selectors()) == []


def test_utf16_page_with_bom_is_read():
    html = "<h1>Xã Đông Thái họp dân</h1>".encode("utf-16")
    assert parse_article(html, SEED_URL, Selectors()).title == "Xã Đông Thái họp dân"


FRAGMENTS = st.sampled_from(
    [
        "<div>",
        "</div>",
        "<p>",
        "</p>",
        "<script>",
        "</script>",
        "<style>",
        "<table><tr><td>",
        "<img src='/Ảnh hội nghị.jpg'>",
        "<a href='javascript:x'>",
        "<a href='/trang/TinTuc/1/123/a.html'>",
        "<h1>",
        "</h1>",
        "<br>",
        "Xem với cỡ chữAA",
        "(10:59 | 29/05/2020)",
        "Quang cảnh: ảnh",
        "Tin và ảnh: Thanh Vũ",
        "./.",
        "Tệp đính kèm",
        "<meta property='og:title' content='T'>",
        "&nbsp;",
        "&#0;",
        "<!--",
        "<![CDATA[",
        "<?php ?>",
        "\x00",
        "ĐOẠN VĂN",
        "đoạn văn bản dài",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40))
def test_random_markup_never_raises_anything_but_extract_error(parts: list[str]):
    html = "".join(parts)
    try:
        article = parse_article(html, SEED_URL, AN_BIEN_SELECTORS)
    except ExtractError:
        return
    assert "Xem với cỡ chữ" not in texts(article)
    assert all(url.startswith(("http://", "https://")) for url, _ in article.images)
    parse_listing(html, LISTING_URL, Selectors())
    next_page_url(html, LISTING_URL, Selectors())
