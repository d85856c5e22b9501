"""An article's identity from its URL on each platform, and which listing links are articles."""

import pytest

from anbien_bot.sources.articleurls import article_id, article_key, looks_like_article

AN_BIEN = "https://anbien.kiengiang.gov.vn"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        # in the path
        (f"{AN_BIEN}/trang/TinTuc/17/1009/An-Bien-tiep-tuc-thuc-hien-Chi-thi-16.html", "1009"),
        ("https://soyte.kiengiang.gov.vn/portal/Pages/2024-5-17/Hoi-nghi-468686.aspx", "468686"),
        ("https://tayyen.angiang.gov.vn/node/10489", "10489"),
        ("https://snnptnt.kiengiang.gov.vn/tabid/255/post/3011/Khuyen-cao.aspx", "3011"),
        ("https://namthai.angiang.gov.vn/tin-tuc/245-dien-tap-chua-chay.html", "245"),
        # in the query string
        ("https://x.gov.vn/Trang/ChiTietTinTuc.aspx?ItemID=523&Cat=82", "523"),
        ("http://dongyen.angiang.gov.vn/index.php?com=tintuc_ct&id_news=1330&id_cat=5", "1330"),
        ("https://vinhthuan.kiengiang.gov.vn/3cms/chi-tiet-tin.htm?ID=2451", "2451"),
        (
            "https://namthai.angiang.gov.vn/index.php?option=com_content&view=article"
            "&id=245:dien-tap&catid=12&Itemid=108",
            "245",
        ),
        ("https://namyen.angiang.gov.vn/?p=3011", "3011"),
    ],
)
def test_the_id_in_the_url_is_the_key(url: str, key: str):
    assert article_key(url) == key


@pytest.mark.parametrize(
    "shape",
    [
        "/trang/TinTuc/17/1009/{slug}.html",
        "/portal/Pages/2024-5-17/{slug}-468686.aspx",
        "/tabid/255/post/3011/{slug}.aspx",
        "/index.php?view=article&id=245:{slug}&Itemid=1",
    ],
)
def test_a_retitled_article_keeps_its_key(shape: str):
    before = "https://s.gov.vn" + shape.format(slug="Tieu-de-cu")
    after = "https://s.gov.vn" + shape.format(slug="Tieu-de-moi-sau-khi-sua")
    assert article_key(before) == article_key(after)


def test_joomlas_menu_itemid_is_not_the_article():
    # Every article of a Joomla menu shares its Itemid; SharePoint's ItemID names one item.
    first = "https://s.gov.vn/index.php?option=com_content&view=article&id=245:a&Itemid=108"
    second = "https://s.gov.vn/index.php?option=com_content&view=article&id=246:b&Itemid=108"
    assert article_key(first) != article_key(second)
    assert article_id("https://s.gov.vn/index.php?option=com_content&Itemid=108") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://namyen.angiang.gov.vn/2025/08/05/ubnd-xa-nam-yen-ung-pho-bao-so-3/",  # dates
        "https://tayyen.angiang.gov.vn/xa-tay-yen-ra-quan-diet-lang-quang",
        "https://tayyen.angiang.gov.vn/thong-bao-vv-tam-ngung-cung-cap-dien-ngay-2272025-0",
    ],
)
def test_urls_without_an_id_are_their_own_key(url: str):
    assert article_id(url) is None
    assert article_key(url) == url


def test_liferays_way_back_to_the_listing_is_not_part_of_the_key():
    content = "https://angiang.gov.vn/web/xa/tin-tuc/-/asset_publisher/k3Jd/content/ky-hop"
    from_page_1 = (
        f"{content}?redirect=https%3A%2F%2Fangiang.gov.vn%2Fweb%2Fxa&inheritRedirect=false"
    )
    from_page_2 = f"{content}?redirect=https%3A%2F%2Fangiang.gov.vn%2Fweb%2Fxa%3Fcur%3D2"
    assert article_key(from_page_1) == article_key(from_page_2) == content


def test_a_configured_pattern_replaces_the_built_in_shapes():
    assert article_key("https://s.gov.vn/tin/abc-77", r"-(\d+)$") == "77"
    assert article_key("https://s.gov.vn/node/245", r"/bai/(\d+)") == "https://s.gov.vn/node/245"
    with pytest.raises(ValueError, match="id_pattern"):
        article_key("https://s.gov.vn/node/245", r"/node/(\d+")


X = "https://x.gov.vn"
LISTING = f"{X}/index.php?com=tintuc&id_cat=5"
TAB = f"{X}/tabid/255/default.aspx"


@pytest.mark.parametrize(
    ("url", "listing", "article"),
    [
        ("https://x.gov.vn/index.php?com=tintuc_ct&id_news=1330&id_cat=5", LISTING, True),
        ("https://x.gov.vn/index.php?com=tintuc&id_cat=5&page=2", LISTING, False),
        ("https://x.gov.vn/index.php?com=tintuc&id_cat=6", LISTING, False),
        ("https://x.gov.vn/tag/phong-chong-thien-tai-mua-mua-bao/", "https://x.gov.vn/", False),
        ("https://x.gov.vn/category/tin-tuc/page/2/", "https://x.gov.vn/category/tin-tuc/", False),
        ("https://x.gov.vn/uploads/quyet-dinh-so-12-ve-viec.pdf", "https://x.gov.vn/", False),
        (f"{X}/tabid/255/currentpage/2/default.aspx", TAB, False),
        (f"{X}/tabid/255/post/3011/Tin.aspx", TAB, True),
        (f"{X}/index.php?option=com_content&view=category&id=12&Itemid=108", LISTING, False),
        ("https://x.gov.vn/xa-tay-yen-ra-quan-diet-lang-quang", "https://x.gov.vn/tin-tuc", True),
        ("https://x.gov.vn/gioi-thieu", "https://x.gov.vn/tin-tuc", False),
    ],
)
def test_listing_links_that_look_like_articles(url: str, listing: str, article: bool):
    assert looks_like_article(url, listing) is article
