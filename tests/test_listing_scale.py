"""A listing page built to be slow: one link repeated thousands of times is still read, as
the one article it links to, in time for the poller's next round.

Each page is read in a child process under a generous guard (30 s, for work that takes well
under a second): a reading that grows with the square of the links (a minute or more for
3000 copies before) fails the test instead of holding up the poller, or the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUARD_SECONDS = 30
LINK = "<a href='/tin/1001/bai-viet-cua-xa-hom-nay.html'>Bài viết của xã hôm nay</a>"
READ = """
import json, sys
from anbien_bot.models import Selectors
from anbien_bot.sources.listing import parse_listing
html = sys.stdin.read()
items = parse_listing(html, "https://xa.example.vn/tin-tuc", Selectors(item=sys.argv[1] or None))
print(json.dumps([[i.url, i.title, i.published and i.published.isoformat()] for i in items]))
"""


def read_listing(html: str, item: str = "") -> list[list[str | None]]:
    done = subprocess.run(
        [sys.executable, "-c", READ, item],
        input=html,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("copy", "dated"),
    [
        (f"<p>{LINK} <span class='date'>02/06/2020</span></p>", True),
        (
            f"<li><a href='/tin/1001/bai-viet-cua-xa-hom-nay.html'><img src='/anh/1.jpg'></a>"
            f"{LINK} <em>02/06/2020</em></li>",
            True,
        ),
        (f"{LINK}<br>", False),
    ],
    ids=["paragraphs", "photo-and-title", "bare-links"],
)
@pytest.mark.parametrize("item", ["", "a"], ids=["defaults", "item-selector"])
def test_one_link_repeated_thousands_of_times_is_one_article(
    copy: str, dated: bool, item: str
) -> None:
    html = f"<html><body><div class='news'>{copy * 3000}</div></body></html>"
    [(url, title, published)] = read_listing(html, item)
    assert url == "https://xa.example.vn/tin/1001/bai-viet-cua-xa-hom-nay.html"
    assert title == "Bài viết của xã hôm nay"
    if dated:
        assert published == "2020-06-01T17:00:00+00:00"  # 2 June 2020, Vietnam time
