"""How posts look in Telegram: layout, escaping, cuts within Telegram's limits, post lists."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from anbien_bot.delivery.render import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    cut_summary,
    render_plain,
    render_post,
    render_post_list,
    render_post_list_chunks,
    visible_length,
)
from anbien_bot.models import Article, Attachment
from tests.telegram_rules import check_telegram_html, parse_telegram_html, utf16_length

URL = "https://anbien.kiengiang.gov.vn/trang/TinTuc/17/2001/Hoi-nghi-phong-chong-thien-tai.html"
IMAGE = "https://anbien.kiengiang.gov.vn/PublishingImages/TinTuc/hoi nghị.jpg"
NAMES = {"chinh-tri": "Chính trị, xã hội", "thong-bao": "Thông báo"}
SUMMARY = (
    "Sáng 14/3, Ủy ban nhân dân huyện tổ chức hội nghị triển khai kế hoạch phòng, chống "
    "thiên tai và tìm kiếm cứu nạn năm 2024. Dự hội nghị có đại diện các phòng, ban và "
    "Ủy ban nhân dân các xã, thị trấn."
)


def article(**changes: object) -> Article:
    """Return a synthetic article of the portal's shape, with changes applied."""
    base = Article(
        id=1,
        url=URL,
        title="Huyện triển khai kế hoạch phòng, chống thiên tai năm 2024",
        summary=SUMMARY,
        image_url=IMAGE,
        published=datetime(2024, 3, 14, 3, 59, tzinfo=UTC),  # 10:59 in Vietnam
        first_seen=datetime(2024, 3, 14, 4, 5, tzinfo=UTC),
        categories=("chinh-tri",),
    )
    return replace(base, **changes)


def markup_in(text: str) -> set[str]:
    """Return the tags and entities written in text.

    A tag we write is on one line: "<a" and ">" in two attachments' titles are the titles.
    """
    return set(re.findall(r"</?(?:b|i|a|code|pre)\b[^>\n]*>|&(?:[a-z]+|#x?[0-9a-f]+);", text))


def visible(html_text: str) -> str:
    return parse_telegram_html(html_text)


def limit_of(post: object) -> int:
    return CAPTION_LIMIT if post.photo else TEXT_LIMIT  # type: ignore[attr-defined]


# -- layout --------------------------------------------------------------------------------


def test_photo_post_has_title_date_category_summary_and_link_in_the_caption() -> None:
    post = render_post(article(), "vi", NAMES)
    assert post.photo == (
        "https://anbien.kiengiang.gov.vn/PublishingImages/TinTuc/hoi%20ngh%E1%BB%8B.jpg"
    )
    assert post.link_preview_url is None
    assert post.text.startswith("<b>Huyện triển khai kế hoạch phòng, chống thiên tai năm 2024</b>")
    shown = visible(post.text)
    assert "14/03/2024 10:59" in shown
    assert "Chính trị, xã hội" in shown
    assert SUMMARY in shown
    assert f'<a href="{URL}">Xem chi tiết</a>' in post.text
    check_telegram_html(post.text, CAPTION_LIMIT)


def test_post_without_image_is_a_text_message_previewing_the_article() -> None:
    post = render_post(article(image_url=None), "vi", NAMES)
    assert post.photo is None
    assert post.link_preview_url == URL
    assert SUMMARY in visible(post.text)


def test_english_reader_gets_english_labels() -> None:
    files = (Attachment("Kế hoạch số 12", "https://anbien.kiengiang.gov.vn/f/kh12.pdf"),)
    post = render_post(article(attachments=files), "en", NAMES)
    assert ">Read more</a>" in post.text
    assert "Attachments" in post.text
    assert "Xem chi tiết" not in post.text


def test_unknown_category_key_is_shown_as_is_and_several_are_all_named() -> None:
    post = render_post(article(categories=("chinh-tri", "thong-bao", "lich")), "vi", NAMES)
    assert "Chính trị, xã hội · Thông báo · lich" in visible(post.text)


def test_attachments_are_links_with_their_titles_and_the_rest_counted() -> None:
    files = tuple(
        Attachment(f"Quyết định số {n}", f"https://anbien.kiengiang.gov.vn/f/qd{n}.signed.pdf")
        for n in range(1, 6)
    )
    post = render_post(article(attachments=files), "vi", NAMES)
    assert '<a href="https://anbien.kiengiang.gov.vn/f/qd1.signed.pdf">Quyết định số 1</a>' in (
        post.text
    )
    assert "Quyết định số 3</a>" in post.text
    assert "Quyết định số 4" not in post.text
    assert "+2 tệp khác" in visible(post.text)


def test_attachment_without_title_is_named_after_its_file() -> None:
    files = (Attachment("", "https://anbien.kiengiang.gov.vn/f/ke-hoach.pdf"),)
    post = render_post(article(attachments=files), "vi", NAMES)
    assert ">ke-hoach.pdf</a>" in post.text


def test_summary_that_repeats_the_title_is_not_shown_twice() -> None:
    title = "Thông báo lịch tiếp công dân tháng 4"
    post = render_post(article(title=title, summary=title), "vi", NAMES)
    assert visible(post.text).count(title) == 1


def test_empty_summary_falls_back_to_the_first_paragraph_of_the_body() -> None:
    body = "Đoạn mở đầu của bài viết.\n\nĐoạn thứ hai không cần thiết."
    post = render_post(article(summary="", body=body), "vi", NAMES)
    shown = visible(post.text)
    assert "Đoạn mở đầu của bài viết." in shown
    assert "Đoạn thứ hai" not in shown


# -- escaping and hostile sources ---------------------------------------------------------


def test_markup_in_a_feed_is_shown_as_text_never_sent_as_markup() -> None:
    hostile = article(
        title='<script>alert("x")</script> Lúa & tôm <b>',
        summary="Giá&nbsp;lúa <i>tăng</i> 5% & ổn định",
    )
    post = render_post(hostile, "vi", NAMES)
    check_telegram_html(post.text, CAPTION_LIMIT)
    shown = visible(post.text)
    assert '<script>alert("x")</script> Lúa & tôm <b>' in shown
    assert "Giá&nbsp;lúa <i>tăng</i> 5% & ổn định" in shown
    assert "<script>" not in post.text


def test_links_that_are_not_http_are_dropped() -> None:
    files = (Attachment("Mã độc", "javascript:alert(1)"), Attachment("Tệp", "ftp://x/y"))
    post = render_post(
        article(
            url="javascript:alert(1)", image_url="data:image/png;base64,AAAA", attachments=files
        ),
        "vi",
        NAMES,
    )
    assert "href" not in post.text
    assert "Xem chi tiết" not in post.text
    assert "Mã độc" not in post.text
    assert post.photo is None
    assert post.link_preview_url is None


def test_quotes_and_ampersands_in_urls_stay_inside_the_href() -> None:
    url = 'https://anbien.kiengiang.gov.vn/tin?id=1&x="><b>'
    post = render_post(article(url=url, image_url=None), "vi", NAMES)
    check_telegram_html(post.text, TEXT_LIMIT)
    assert '<a href="https://anbien.kiengiang.gov.vn/tin?id=1&amp;x=%22%3E%3Cb%3E">' in post.text


def test_decomposed_unicode_is_composed_before_counting() -> None:
    decomposed = unicodedata.normalize("NFD", SUMMARY)
    post = render_post(article(summary=decomposed), "vi", NAMES)
    assert SUMMARY in visible(post.text)


def test_bidi_overrides_and_control_characters_are_removed() -> None:
    post = render_post(article(title="Tin\u202e mới\x07 nhất\u200f"), "vi", NAMES)
    assert "<b>Tin mới nhất</b>" in post.text


# -- cutting -------------------------------------------------------------------------------


def test_long_summary_is_cut_with_an_ellipsis_so_the_caption_fits() -> None:
    long_summary = " ".join(["Người dân ấp Xẻo Nhàu tham gia phát quang đường giao thông"] * 60)
    post = render_post(article(summary=long_summary), "vi", NAMES)
    check_telegram_html(post.text, CAPTION_LIMIT)
    assert visible_length(post.text) > CAPTION_LIMIT - 80  # the room is used, not wasted
    assert "…" in visible(post.text)
    assert f'<a href="{URL}">Xem chi tiết</a>' in post.text


def test_emoji_count_twice_against_the_limit() -> None:
    post = render_post(article(summary="🌾 " * 2000), "vi", NAMES)
    assert utf16_length(visible(post.text)) <= CAPTION_LIMIT
    assert len(visible(post.text)) < CAPTION_LIMIT - 200  # counted in code points it looks short


def test_cut_prefers_a_sentence_end() -> None:
    text = "Câu thứ nhất nói về lịch cúp điện của huyện. Câu thứ hai dài hơn nhiều nữa đấy."
    assert cut_summary(text, 60) == "Câu thứ nhất nói về lịch cúp điện của huyện. …"


def test_cut_never_splits_a_date_time_or_place() -> None:
    notice = "Điện lực thông báo ngừng cung cấp điện từ 7 giờ 30 đến 11 giờ ngày 29/05/2024 tại ấp Xẻo Nhàu, xã Nam Thái để bảo trì lưới điện"  # noqa: E501
    phrases = ["từ 7 giờ 30 đến 11 giờ", "ngày 29/05/2024", "ấp Xẻo Nhàu", "xã Nam Thái"]
    for room in range(20, len(notice)):
        cut = cut_summary(notice, room)
        assert utf16_length(cut) <= room
        kept = cut.removesuffix("…")
        for phrase in phrases:
            start = notice.find(phrase)
            inside = start < len(kept) < start + len(phrase)
            assert not inside, f"room {room} cut inside {phrase!r}: {cut!r}"


def test_cut_of_text_that_fits_is_unchanged() -> None:
    assert cut_summary("Ngắn gọn.", 100) == "Ngắn gọn."


def test_enormous_title_is_cut_so_the_message_stays_valid() -> None:
    title = "Tiêu đề rất dài " * 320  # about 5,000 characters
    for image in (IMAGE, None):
        post = render_post(article(title=title, image_url=image), "vi", NAMES)
        check_telegram_html(post.text, limit_of(post))
        assert f'<a href="{URL}">Xem chi tiết</a>' in post.text
        assert "14/03/2024 10:59" in post.text


def test_long_text_post_keeps_all_of_a_summary_that_fits_4096() -> None:
    summary = "Nội dung thông báo. " * 150  # 3,000 characters
    post = render_post(article(image_url=None, summary=summary), "vi", NAMES)
    assert summary.strip() in visible(post.text)


# -- plain fallback ------------------------------------------------------------------------


def test_plain_version_has_no_tags_and_writes_out_the_link() -> None:
    post = render_post(article(title="Lúa & tôm <3"), "vi", NAMES)
    plain = render_plain(post)
    assert plain.startswith("Lúa & tôm <3\n")
    assert f"Xem chi tiết ({URL})" in plain
    assert "<a" not in plain


def test_plain_version_of_a_full_caption_still_fits() -> None:
    files = tuple(Attachment(f"Tệp {n}", f"https://x.vn/{'a' * 200}/{n}.pdf") for n in range(3))
    post = render_post(article(summary="Chữ " * 1000, attachments=files), "vi", NAMES)
    plain = render_plain(post)
    assert utf16_length(plain) <= CAPTION_LIMIT
    assert URL in plain  # "Read more" is the address worth keeping


# -- lists of posts ------------------------------------------------------------------------


def burst(count: int, title: str = "Tin số {n} về hoạt động của huyện") -> list[Article]:
    return [
        article(id=n, title=title.format(n=n), url=f"https://anbien.kiengiang.gov.vn/tin/{n}.html")
        for n in range(1, count + 1)
    ]


def test_post_list_has_a_header_and_each_title_linked_with_its_date() -> None:
    text = render_post_list(burst(3), "vi", NAMES)
    check_telegram_html(text, TEXT_LIMIT)
    assert visible(text).startswith("📰 3 tin mới")
    for n in (1, 2, 3):
        link = f'<a href="https://anbien.kiengiang.gov.vn/tin/{n}.html">'
        assert f"{link}Tin số {n} về hoạt động của huyện</a>" in text
    assert visible(text).count("14/03/2024 10:59") == 3


def test_post_list_too_long_for_one_message_says_how_many_were_left_out() -> None:
    articles = burst(60, title="Tin số {n} " + "rất dài " * 30)
    text = render_post_list(articles, "vi", NAMES)
    check_telegram_html(text, TEXT_LIMIT)
    shown = len(re.findall(r"<a href=", text))
    assert 0 < shown < 60
    assert visible(text).endswith(f"… và {60 - shown} tin khác")


def test_post_list_chunks_split_only_when_needed_and_lose_nothing() -> None:
    assert len(render_post_list_chunks(burst(5), "vi", NAMES)) == 1
    articles = burst(60, title="Tin số {n} " + "rất dài " * 30)
    chunks = [chunk.html for chunk in render_post_list_chunks(articles, "vi", NAMES)]
    assert len(chunks) > 1
    for chunk in chunks:
        check_telegram_html(chunk, TEXT_LIMIT)
    links = re.findall(r'<a href="([^"]+)">', "".join(chunks))
    assert links == [a.url for a in articles]
    assert all(visible(chunk).startswith("📰 Tin mới (tiếp)") for chunk in chunks[1:])


def test_post_list_takes_a_custom_header() -> None:
    text = render_post_list(burst(2), "en", NAMES, header="🔎 Results")
    assert text.startswith("🔎 Results\n\n")


def test_empty_post_list_says_there_is_nothing() -> None:
    assert render_post_list([], "vi", NAMES) == "Chưa có tin nào."


def test_visible_length_counts_entities_once_and_emoji_twice() -> None:
    assert visible_length("<b>a&amp;b</b>") == 3
    assert visible_length('<a href="https://x.vn">😀</a>') == 2


# -- properties over hostile articles ------------------------------------------------------

FRAGMENTS = [
    "<script>alert(1)</script>",
    "&",
    "&nbsp;",
    "<b>",
    "</i>",
    "&amp;",
    "😀🌾",
    "Vie\u0302\u0323t Nam",  # decomposed
    "\u202eRTL\u202c",
    "\u200f",
    "\x00\x1b",
    "\n\n",
    "\r\n",
    "javascript:alert(1)",
    "ngày 29/05/2020",
    "7 giờ 30",
    "ấp Xẻo Nhàu",
    " ",
    "“trích dẫn”",
    "<a href='x'>",
    "x" * 300,
]
hostile_text = st.lists(
    st.one_of(st.text(max_size=40), st.sampled_from(FRAGMENTS)), max_size=12
).map("".join)
long_text = st.builds(lambda part, n: part * n, hostile_text, st.integers(1, 400))
urls = st.one_of(
    st.just(URL),
    st.sampled_from(["", "javascript:alert(1)", "http://[::1", "https://", "ftp://x.vn/a"]),
    st.builds(lambda path: "https://anbien.kiengiang.gov.vn/" + path, st.text(max_size=40)),
    st.text(max_size=30),
)
hostile_articles = st.builds(
    article,
    title=st.one_of(hostile_text, long_text),
    summary=st.one_of(hostile_text, long_text),
    url=urls,
    image_url=st.one_of(st.none(), urls),
    categories=st.lists(st.sampled_from(["chinh-tri", "thong-bao", "<b>&"]), max_size=3).map(
        tuple
    ),
    attachments=st.lists(st.builds(Attachment, hostile_text, urls), max_size=6).map(tuple),
    published=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)


@settings(max_examples=150, deadline=None)
@given(post_article=hostile_articles, lang=st.sampled_from(["vi", "en"]))
@example(  # two titles that together look like a tag: found by hypothesis
    post_article=article(
        title="",
        summary="",
        image_url=None,
        categories=(),
        attachments=(Attachment("<a", URL), Attachment(">", URL)),
    ),
    lang="vi",
)
def test_every_rendered_post_is_valid_telegram_html_within_its_limit(
    post_article: Article, lang: str
) -> None:
    post = render_post(post_article, lang, NAMES)  # type: ignore[arg-type]
    check_telegram_html(post.text, limit_of(post))
    shown = visible(post.text)
    assert visible_length(post.text) == utf16_length(shown)
    assert shown == unicodedata.normalize("NFC", shown)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", shown)
    assert utf16_length(render_plain(post)) <= limit_of(post)
    # The fallback is what the reader sees, without markup: no tag or entity it did not show.
    assert post.message.plain("none") == shown
    addresses = " ".join(html.unescape(h) for h in re.findall(r'<a href="([^"]*)">', post.text))
    assert markup_in(render_plain(post)) <= markup_in(f"{shown} {addresses}")
    if post.photo:
        assert post.photo.startswith(("http://", "https://"))


@settings(max_examples=40, deadline=None)
@given(st.lists(hostile_articles, min_size=1, max_size=30), st.sampled_from(["vi", "en"]))
def test_every_post_list_is_valid_telegram_html_within_4096(
    articles: list[Article], lang: str
) -> None:
    check_telegram_html(render_post_list(articles, lang, NAMES), TEXT_LIMIT)  # type: ignore[arg-type]
    for chunk in render_post_list_chunks(articles, lang, NAMES):  # type: ignore[arg-type]
        check_telegram_html(chunk.html, TEXT_LIMIT)
