"""Time parse_article on typical portal article pages (30-60 KB with menus and sidebars).

Run from the repository root: ``python benchmarks/extract.py [--rounds N]``. The pages are the
fixture articles of tests/data, each wrapped in the mega-menu, sidebars and view state that
real portal pages carry. Prints pages per second and milliseconds per page (mean and p95),
with the site's default extraction and with the selectors an admin would configure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anbien_bot.models import Selectors  # noqa: E402
from anbien_bot.sources.extract import parse_article  # noqa: E402

TARGET_MS = 5.0
DATA = ROOT / "tests" / "data"
AN_BIEN = "https://anbien.kiengiang.gov.vn"
PAGES = {
    "anbien/tin-1009.html": f"{AN_BIEN}/trang/TinTuc/35/1009/Ban-chi-dao.html",
    "anbien/tin-1011.html": f"{AN_BIEN}/trang/TinTuc/17/1011/Lich-tam-ngung-cung-cap-dien.html",
    "anbien/tin-1012.html": f"{AN_BIEN}/trang/TinTuc/17/1012/Thong-bao-lich-tiep-cong-dan.html",
    "commune/gap-mat-nguoi-cao-tuoi.html": "https://dongthai.angiang.gov.vn/tin-tuc/gap-mat",
}
CONFIGURED = {
    "anbien": Selectors(
        title=".news-detail h1.news-title",
        date=".news-detail .news-date",
        body=".news-detail .news-content",
    ),
    "commune": Selectors(
        title=".node__title",
        date=".node__submitted",
        lead=".field--name-field-tom-tat",
        body=".field--name-body",
        image=".field--name-field-anh-dai-dien img",
        attachments=".field--name-field-dinh-kem a",
    ),
}


def chrome(seed: int) -> tuple[str, str]:
    """Return the extra top (mega-menu, view state) and bottom (sidebars) of a real page."""
    menu = "".join(
        f'<li><a href="/trang/ChuyenMuc/{seed}/{i}.html">Chuyên mục số {i} của cổng thông tin</a>'
        f'<ul><li><a href="/trang/ChuyenMuc/{seed}/{i}/1.html">Mục con {i}.1</a></li>'
        f'<li><a href="/trang/ChuyenMuc/{seed}/{i}/2.html">Mục con {i}.2</a></li></ul></li>'
        for i in range(60)
    )
    state = "dDwtMTMwODI2NjQ4Mzt0PDtsPGk8MT47PjtsPHQ8O2w8aTwxPjs" * 90
    top = (
        f'<input type="hidden" name="__VIEWSTATE" value="{state}" />'
        f'<nav class="mega-menu"><ul>{menu}</ul></nav>'
        "<script>var menuState = {open: false}; function toggleMenu() { menuState.open = "
        "!menuState.open; }</script>"
    )
    news = "".join(
        f'<li><a href="/trang/TinTuc/17/{900 + i}/Tin-so-{i}-trong-chuyen-muc.html">'
        f"Tin số {i}: hoạt động của các xã, thị trấn trong tuần</a>"
        f' <span class="date">({i % 24:02d}:15 | {1 + i % 28:02d}/05/2020)</span></li>'
        for i in range(70)
    )
    links = "".join(
        f'<option value="https://xa{i}.kiengiang.gov.vn">Cổng thông tin xã số {i}</option>'
        for i in range(40)
    )
    bottom = (
        f'<div class="sidebar-extra"><div class="box"><div class="box-title">Tin đọc nhiều'
        f"</div><ul>{news}</ul></div><select>{links}</select>"
        '<div class="box"><p>Lượt truy cập: 2.345.678</p></div></div>'
    )
    return top, bottom


def typical_pages() -> list[tuple[str, bytes, str, Selectors]]:
    """Return (name, page, url, configured selectors) for each benchmark page."""
    pages = []
    for seed, (name, url) in enumerate(PAGES.items()):
        html = (DATA / name).read_text(encoding="utf-8")
        top, bottom = chrome(seed)
        head, body_tag, rest = html.partition("<body")
        body_tag += rest[: rest.index(">") + 1]
        rest = rest[rest.index(">") + 1 :]
        rest = rest.replace("</body>", bottom + "</body>", 1)
        page = (head + body_tag + top + rest).encode("utf-8")
        pages.append((name, page, url, CONFIGURED[name.partition("/")[0]]))
    return pages


def measure(pages: list[tuple[str, bytes, str, Selectors]], rounds: int, configured: bool) -> None:
    """Parse every page ``rounds`` times and print throughput and per-page timings."""
    times: list[float] = []
    for _ in range(rounds):
        for _name, page, url, selectors in pages:
            chosen = selectors if configured else Selectors()
            start = time.perf_counter()
            parse_article(page, url, chosen)
            times.append((time.perf_counter() - start) * 1000)
    mean = statistics.fmean(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    label = "configured selectors" if configured else "defaults"
    verdict = "met" if mean <= TARGET_MS else "MISSED"
    print(
        f"{label:>21}: {len(times)} pages, {1000 / mean:7.0f} pages/s, "
        f"mean {mean:.2f} ms, p95 {p95:.2f} ms  (target ≤ {TARGET_MS:.0f} ms: {verdict})"
    )


def main() -> None:
    """Build the pages, warm up, and measure with defaults and with configured selectors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="passes over the page set")
    rounds = parser.parse_args().rounds
    pages = typical_pages()
    sizes = ", ".join(f"{name} {len(page) / 1024:.0f} KB" for name, page, _, _ in pages)
    print(f"pages: {sizes}")
    for _name, page, url, selectors in pages:  # warm-up: selector compilation, imports
        parse_article(page, url, selectors)
        parse_article(page, url, Selectors())
    measure(pages, rounds, configured=False)
    measure(pages, rounds, configured=True)


if __name__ == "__main__":
    main()
