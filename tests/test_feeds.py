"""Tests for reading RSS/Atom bytes into the entries residents are shown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anbien_bot.models import BodyBlock, Entry
from anbien_bot.sources.feeds import FeedError, parse_feed
from anbien_bot.text.dates import VN_TZ, format_vn
from anbien_bot.values import BlockKind

FEEDS = Path(__file__).parent / "data" / "feeds"
BAOTINH_URL = "https://baotinh.example.vn/rss/home.rss"


def read(name: str) -> bytes:
    """Return the bytes of a fixture feed."""
    return (FEEDS / name).read_bytes()


def rss(items: str) -> bytes:
    """Return a minimal RSS 2.0 document around the given items."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Thử</title><link>https://thu.example.vn/</link>{items}</channel></rss>"
    ).encode()


@pytest.fixture(scope="module")
def baotinh() -> list[Entry]:
    """Return the entries of the provincial-paper fixture, read as a resident would get them."""
    return parse_feed(read("baotinh.rss"), url=BAOTINH_URL, content_type="application/rss+xml")


def test_rss_quirks_end_up_as_clean_entries(baotinh: list[Entry]) -> None:
    # The fifth item has neither title nor a usable (http) link: it is skipped.
    assert [e.title for e in baotinh] == [
        "Huyện đã tổ chức hội nghị sơ kết mô hình tôm – lúa",
        "Thông báo lịch tiếp công dân định kỳ tháng 6 năm 2020…",
        "Cấp nước sạch cho 300 hộ dân vùng ven biển",
        "Khuyến cáo phòng chống sạt lở & triều cường",
    ]


def test_cdata_thumbnail_and_invalid_breaks(baotinh: list[Entry]) -> None:
    entry = baotinh[0]
    assert entry.summary == (
        "Sáng 29/5, Ủy ban nhân dân huyện tổ chức hội nghị sơ kết mô hình luân canh "
        "tôm – lúa vụ 2019 – 2020.\n\nHội nghị có 120 đại biểu tham dự."
    )
    assert entry.image_url == "https://baotinh.example.vn/uploads/2020/05/tom-lua.jpg"
    assert entry.body == ""


def test_links_are_absolute_repaired_and_untracked(baotinh: list[Entry]) -> None:
    assert [e.url for e in baotinh] == [
        "https://baotinh.example.vn/kinh-te/so-ket-tom-lua-a1001.html",
        "https://baotinh.example.vn/thong-bao/lich-tiep-cong-dan-a1002.html",
        "http://baotinh.example.vn/xa-hoi/cap-nuoc-sach-a1003.html",
        "https://baotinh.example.vn/thoi-su/sat-lo-trieu-cuong-a1004.html",
    ]


def test_keys_prefer_guid_then_link(baotinh: list[Entry]) -> None:
    assert [e.key for e in baotinh] == [
        "https://baotinh.example.vn/rss/a1001",  # feedparser resolves a relative guid
        "TB-2020-06",
        "http://baotinh.example.vn/xa-hoi/cap-nuoc-sach-a1003.html",  # no guid
        "https://baotinh.example.vn/thoi-su/sat-lo-trieu-cuong-a1004.html",
    ]


def test_dates_read_as_residents_expect(baotinh: list[Entry]) -> None:
    assert [format_vn(e.published) for e in baotinh if e.published] == [
        "29/05/2020 10:59",  # +0700
        "29/05/2020 07:00",  # midnight GMT, taken at its word
        "29/05/2020 10:59",  # "29/05/2020 10:59:00", local
        "30/05/2020 07:05",
    ]
    assert all(e.published.tzinfo == UTC for e in baotinh if e.published)


def test_feed_that_stamps_local_times_as_gmt() -> None:
    entries = parse_feed(read("baotinh.rss"), url=BAOTINH_URL, times_are_local=True)
    assert [format_vn(e.published) for e in entries if e.published] == [
        "29/05/2020 10:59",  # a real +0700 offset is still trusted
        "29/05/2020 00:00",  # "00:00:00 GMT" was local midnight
        "29/05/2020 10:59",
        "30/05/2020 07:05",
    ]


def test_images_prefer_enclosure_then_media_and_are_encoded(baotinh: list[Entry]) -> None:
    assert baotinh[2].image_url == (
        "https://baotinh.example.vn/PublishingImages/TinTuc/2020/"
        "%E1%BA%A2nh%20n%C6%B0%E1%BB%9Bc%20s%E1%BA%A1ch%201.jpg"
    )
    assert baotinh[3].image_url == (
        "https://baotinh.example.vn/PublishingImages/TinTuc/2020/"
        "S%E1%BA%A1t%20l%E1%BB%9F%20b%E1%BB%9D%20k%C3%A8.png"
    )


def test_content_encoded_becomes_the_body(baotinh: list[Entry]) -> None:
    entry = baotinh[3]
    assert entry.summary == "Người dân cần chủ động gia cố nhà cửa."
    assert entry.body == (
        "Người dân cần chủ động gia cố nhà cửa, di dời tài sản đến nơi an toàn.\n\n"
        "Triều cường dự báo đạt đỉnh lúc 17:00 ngày 01/6/2020.\n\n"
        "Ban Chỉ huy phòng chống thiên tai trực 24/24."
    )
    assert entry.author == "Minh Khoa"


def test_atom_feed() -> None:
    entries = parse_feed(read("xa.atom"), url="https://xa.example.vn/rss.xml")
    first, second = entries
    assert first == Entry(
        key="tag:xa.example.vn,2025:node/501",
        url="https://xa.example.vn/thong-bao/lay-y-kien-quy-hoach",
        title="Thông báo lấy ý kiến quy hoạch khu dân cư",
        summary="Người dân góp ý đến hết ngày 15/07/2025 <tại trụ sở>.",
        image_url=(
            "https://xa.example.vn/sites/default/files/"
            "B%E1%BA%A3n%20%C4%91%E1%BB%93%20quy%20ho%E1%BA%A1ch.jpg"
        ),
        published=datetime(2025, 7, 1, 15, 30, tzinfo=UTC),
        body=(
            "Người dân góp ý đến hết ngày 15/07/2025.\n\n"
            "Hồ sơ niêm yết tại trụ sở Ủy ban nhân dân xã."
        ),
        author="Văn phòng UBND xã",
        blocks=(
            BodyBlock(BlockKind.PARAGRAPH, "Người dân góp ý đến hết ngày 15/07/2025."),
            BodyBlock(BlockKind.PARAGRAPH, "Hồ sơ niêm yết tại trụ sở Ủy ban nhân dân xã."),
        ),
    )
    assert second.url == "https://xa.example.vn/tin/lich-truc?trang=2"
    assert second.summary == "Trực 24/24 giờ.\n\nSố điện thoại trực: 0297 3 000 000."
    assert second.image_url == "https://xa.example.vn/files/lich-truc.jpg"
    assert format_vn(second.published) == "02/07/2025 08:00"  # only <updated>


@pytest.mark.parametrize("content_type", ["", "text/xml; charset=windows-1258"])
def test_windows_1258_feed_reads_as_vietnamese(content_type: str) -> None:
    body = read("dienluc-1258.rss")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    [entry] = parse_feed(body, url="http://dienluc.example.vn/rss", content_type=content_type)
    assert entry.title == "Lịch tạm ngưng cung cấp điện ngày 05/06/2020"
    assert entry.summary == (
        "Khu vực ấp Xẻo Đước, xã Nam Yên: từ 07:30 đến 11:30 để bảo trì lưới điện."
    )
    # A date-only "05/06/2020" is 5 June, midnight in Vietnam (feedparser would say 2005).
    assert entry.published == datetime(2020, 6, 5, tzinfo=VN_TZ)


def test_html_page_is_a_feed_error() -> None:
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(
            read("trang-chu.html"), url="https://baotinh.example.vn/rss", content_type="text/html"
        )


@pytest.mark.parametrize("body", [b"", b"  \r\n", b"\x00\x01\xff garbage", b'{"items": []}'])
def test_empty_or_garbage_body_is_a_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, url=BAOTINH_URL)
    assert "\n" not in str(caught.value)


def test_feed_without_items_is_empty_not_an_error() -> None:
    assert parse_feed(rss(""), url="https://thu.example.vn/rss") == []


def test_truncated_feed_keeps_the_items_before_the_cut() -> None:
    body = read("baotinh.rss")
    cut = body.index("<title>Khuyến cáo".encode()) + 20
    entries = parse_feed(body[:cut], url=BAOTINH_URL)
    assert [e.key for e in entries][:3] == [
        "https://baotinh.example.vn/rss/a1001",
        "TB-2020-06",
        "http://baotinh.example.vn/xa-hoi/cap-nuoc-sach-a1003.html",
    ]


def test_item_details_that_cannot_be_read_are_left_empty() -> None:
    body = rss(
        "<item><title>Ngày không tồn tại</title><link>/tin/1</link>"
        "<pubDate>31/02/2020 10:00</pubDate></item>"
        '<item><title>Không ngày</title><guid isPermaLink="false">k-2</guid></item>'
        "<item><link>/tin/3</link></item>"
        '<item><title>Lặp lại</title><guid isPermaLink="false">k-2</guid></item>'
    )
    entries = parse_feed(body, url="https://thu.example.vn/rss")
    assert [(e.key, e.title, e.url, e.published) for e in entries] == [
        (
            "https://thu.example.vn/tin/1",
            "Ngày không tồn tại",
            "https://thu.example.vn/tin/1",
            None,
        ),
        # No link at all: the reader is sent to the site rather than nowhere.
        ("k-2", "Không ngày", "https://thu.example.vn/", None),
        (
            "https://thu.example.vn/tin/3",
            "https://thu.example.vn/tin/3",
            "https://thu.example.vn/tin/3",
            None,
        ),
    ]


def test_item_without_guid_or_link_gets_a_stable_key() -> None:
    body = rss("<item><title>Thông báo</title><pubDate>01/06/2020</pubDate></item>")
    first = parse_feed(body, url="https://thu.example.vn/rss")
    again = parse_feed(body, url="https://thu.example.vn/rss")
    assert len(first[0].key) == 40
    assert first[0].key == again[0].key


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    cut=st.integers(min_value=0, max_value=len(read("baotinh.rss"))),
    noise=st.binary(max_size=8),
)
def test_damaged_feed_never_raises_anything_but_feed_error(cut: int, noise: bytes) -> None:
    body = read("baotinh.rss")
    try:
        entries = parse_feed(body[:cut] + noise + body[cut:], url=BAOTINH_URL)
    except FeedError:
        return
    assert all(e.url.startswith(("http://", "https://")) and e.title for e in entries)
