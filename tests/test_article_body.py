"""An article's body read with the defaults on a page whose <title> is the site's name, as on
the table portals of local vendors, and whose notice is signed by that same office."""

from __future__ import annotations

from anbien_bot.models import Selectors
from anbien_bot.sources.extract import parse_article
from tests.portal_sites import DATA

URL = "http://xa.example.vn/index.php?com=tintuc_ct&id_news=1321"


def test_a_signature_that_reads_like_the_pages_title_does_not_swallow_the_body() -> None:
    # <title>UBND XÃ ĐÔNG YÊN</title>, and the notice ends "UBND xã Đông Yên": the body is
    # not what comes after the signature (nothing), it is the notice.
    html = (DATA / "discover" / "vendor" / "tin-1321.html").read_bytes()
    page = parse_article(html, URL, Selectors())
    assert "Thời gian nộp thuế từ ngày 15/01/2021 đến hết ngày 31/03/2021" in page.body
    assert "Mọi chi tiết xin liên hệ số điện thoại 0297 3800 000." in page.body
