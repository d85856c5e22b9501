"""Tests for resolving, repairing and canonicalising links from feeds and portal pages."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.text.urls import absolute_url, canonical_url, host_of

FEED = "https://baotinh.example.vn/rss/home.rss"
PORTAL = "https://anbien.kiengiang.gov.vn/trang/TinTuc/17/1009/Bai-viet.html"


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("/tin/a1001.html", FEED, "https://baotinh.example.vn/tin/a1001.html"),
        ("a1001", FEED, "https://baotinh.example.vn/rss/a1001"),
        ("../anh/1.jpg", FEED, "https://baotinh.example.vn/anh/1.jpg"),
        ("http:baotinh.example.vn/tin/a.html", None, "http://baotinh.example.vn/tin/a.html"),
        ("http:/baotinh.example.vn/tin/a.html", FEED, "http://baotinh.example.vn/tin/a.html"),
        ("HTTP:///baotinh.example.vn/tin/a.html", None, "http://baotinh.example.vn/tin/a.html"),
        ("//cdn.example.vn/a.jpg", "http://baotinh.example.vn/", "http://cdn.example.vn/a.jpg"),
        ("//cdn.example.vn/a.jpg", None, "https://cdn.example.vn/a.jpg"),
        (
            "  \n https://baotinh.example.vn/tin/a.html\t ",
            None,
            "https://baotinh.example.vn/tin/a.html",
        ),
        (
            "HTTPS://BaoTinh.Example.VN:443/Tin/A.html",
            None,
            "https://baotinh.example.vn/Tin/A.html",
        ),
        ("http://baotinh.example.vn:8080", None, "http://baotinh.example.vn:8080/"),
        ("http:\\\\baotinh.example.vn\\anh\\1.jpg", None, "http://baotinh.example.vn/anh/1.jpg"),
    ],
)
def test_resolves_and_repairs_links(href: str, base: str | None, expected: str) -> None:
    assert absolute_url(href, base) == expected


def test_encodes_vietnamese_image_file_names_for_use() -> None:
    href = "/PublishingImages/TinTuc/2020/Ảnh hội nghị 1.jpg"
    url = absolute_url(href, PORTAL)
    assert url == (
        "https://anbien.kiengiang.gov.vn/PublishingImages/TinTuc/2020/"
        "%E1%BA%A2nh%20h%E1%BB%99i%20ngh%E1%BB%8B%201.jpg"
    )
    assert unquote(url).endswith("Ảnh hội nghị 1.jpg")


def test_existing_escapes_are_not_encoded_twice() -> None:
    url = "https://baotinh.example.vn/anh/%E1%BA%A2nh%201.jpg?q=t%C3%B4m l%C3%BAa&giam=50%"
    assert absolute_url(url) == (
        "https://baotinh.example.vn/anh/%E1%BA%A2nh%201.jpg?q=t%C3%B4m%20l%C3%BAa&giam=50%25"
    )


def test_international_host_is_ascii_and_lowercase() -> None:
    assert absolute_url("http://Bến-Tre.VN/tin") == "http://xn--bn-tre-wi8b.vn/tin"


@pytest.mark.parametrize(
    "href",
    [
        "",
        "   ",
        "javascript:void(0)",
        "mailto:ubnd@anbien.example.vn",
        "file:///etc/passwd",
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "tel:0297000000",
        "ftp://baotinh.example.vn/a.pdf",
        "http://exa mple.vn/",
        "http://baotinh.example.vn:port/",
    ],
)
def test_non_web_links_give_none(href: str) -> None:
    assert absolute_url(href, FEED) is None


def test_relative_link_without_base_gives_none() -> None:
    assert absolute_url("/tin/a.html") is None
    assert absolute_url(None) is None


def test_user_info_is_encoded_so_the_link_is_safe_in_telegram_html() -> None:
    assert absolute_url('https://a"b c@anbien.example.vn/tin') == (
        "https://a%22b%20c@anbien.example.vn/tin"
    )


def test_canonical_url_drops_tracking_and_fragment_and_keeps_other_params_in_order() -> None:
    url = (
        "https://baotinh.example.vn/tin/a.html?utm_source=zalo&trang=2&fbclid=IwAR0&zarsrc=30"
        "&id=7&gidzl=abc&_ga=2.1&mc_cid=x&UTM_Medium=rss#binh-luan"
    )
    assert canonical_url(url) == "https://baotinh.example.vn/tin/a.html?trang=2&id=7"


def test_canonical_url_of_a_broken_link() -> None:
    assert canonical_url("http:baotinh.example.vn/tin/a.html?utm_source=rss") == (
        "http://baotinh.example.vn/tin/a.html"
    )


def test_canonical_url_of_a_non_web_link_is_empty() -> None:
    assert canonical_url("javascript:void(0)") == ""


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://AnBien.KienGiang.gov.vn:8443/trang/a.html", "anbien.kiengiang.gov.vn"),
        ("http:baotinh.example.vn/a", "baotinh.example.vn"),
        ("", ""),
        ("/tin/a.html", ""),
        ("http://[::1", ""),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


_url_text = st.text(alphabet="htps:/\\?#&=%.-_ aĐđẢ1@[]", max_size=40)


@settings(max_examples=200, deadline=None)
@given(href=st.one_of(st.text(max_size=60), _url_text), base=st.sampled_from([None, FEED]))
def test_any_href_gives_an_http_url_or_none_and_canonical_is_stable(
    href: str, base: str | None
) -> None:
    url = absolute_url(href, base)
    assert url is None or url.startswith(("http://", "https://"))
    if url is not None:
        assert not any(char in url for char in ' "<>\\\n')  # safe in an href, quoted
        assert absolute_url(url) == url
        assert canonical_url(canonical_url(url)) == canonical_url(url)
    host_of(href)
