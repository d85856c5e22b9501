"""Compare our defaults with trafilatura and readability-lxml on the corpus of portal layouts.

Neither library is a dependency of the bot: this measurement is why. Install them beside it
(``pip install trafilatura readability-lxml``) and run ``python benchmarks/extractors.py``.
Prints, per field, how many of the corpus's article pages each way reads right, and the
milliseconds per page (for the "+rules" ways, the library and our reading of its output):

- ``ours``: parse_article with defaults;
- ``trafilatura``: its own title, date (htmldate, with times), author, og image and text;
- ``readability+rules``: readability-lxml's main content, read with our rules (captions,
  author lines, furniture, files), our title and date;
- ``trafilatura+rules``: trafilatura's main content (its XML, photos kept), read the same way.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
from lxml import etree  # noqa: E402

from anbien_bot.models import Selectors  # noqa: E402
from anbien_bot.sources.articletext import arrange  # noqa: E402
from anbien_bot.sources.extract import ArticlePage, parse_article  # noqa: E402
from anbien_bot.sources.pagefiles import attachments, file_links  # noqa: E402
from anbien_bot.sources.pagetext import Block, is_photo, read_blocks  # noqa: E402
from anbien_bot.text.dates import VN_TZ  # noqa: E402
from anbien_bot.text.urls import absolute_url  # noqa: E402
from tests.corpus import ARTICLE_FIELDS, ArticleCase, article_cases, check_article  # noqa: E402

try:
    import trafilatura
    from readability import Document
except ImportError:
    sys.exit("needs trafilatura and readability-lxml: pip install trafilatura readability-lxml")

DATES = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%d %H:%M"}


def ours(case: ArticleCase, _: ArticlePage) -> ArticlePage:
    return parse_article(case.html, case.url, Selectors())


def trafilatura_alone(case: ArticleCase, _: ArticlePage) -> ArticlePage:
    found = trafilatura.bare_extraction(
        case.html.decode("utf-8"),
        url=case.url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params=DATES,
    )
    text = (found.text or "") if found else ""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return ArticlePage(
        url=case.url,
        title=(found.title or "") if found else "",
        published=_local(found.date) if found and found.date else None,
        lead=paragraphs[0] if paragraphs else "",
        body="\n\n".join(paragraphs),
        image_url=absolute_url(found.image, case.url) if found and found.image else None,
        author=(found.author or "") if found else "",
    )


def readability_with_rules(case: ArticleCase, base: ArticlePage) -> ArticlePage:
    summary = Document(case.html.decode("utf-8")).summary(html_partial=True)
    main = lxml.html.fragment_fromstring(summary, create_parent="div")
    return _arranged(case, base, read_blocks(main), main)


def trafilatura_with_rules(case: ArticleCase, base: ArticlePage) -> ArticlePage:
    xml = trafilatura.extract(
        case.html.decode("utf-8"),
        url=case.url,
        output_format="xml",
        include_images=True,
        include_comments=False,
        include_tables=True,
    )
    main = etree.fromstring(xml.encode()).find("main") if xml else None
    blocks = [] if main is None else _xml_blocks(main)
    return _arranged(case, base, blocks, None)


def _arranged(
    case: ArticleCase,
    base: ArticlePage,
    blocks: list[Block],
    main: lxml.html.HtmlElement | None,
) -> ArticlePage:
    """Read another library's main content with our rules; our title and date stay."""
    text = arrange(blocks, base.title)
    photos = [absolute_url(src, case.url) for src, _ in text.images if is_photo(src)]
    files = attachments(file_links([main]), case.url) if main is not None else ()
    return replace(
        base,
        lead=text.lead,
        body="\n\n".join(text.paragraphs),
        image_url=next(filter(None, photos), None),
        author=text.author,
        attachments=files,
    )


def _xml_blocks(main: etree._Element) -> list[Block]:
    """Return trafilatura's XML (p, head, list items, cells, graphics) as our blocks."""
    blocks = []
    for el in main.iter():
        if el.tag == "graphic" and el.get("src"):
            blocks.append(Block(image=el.get("src")))
        elif el.tag in ("p", "head", "item", "cell", "quote"):
            line = " ".join("".join(el.itertext()).split())
            if line:
                blocks.append(Block(text=line, signed=el.get("rend") == "b"))
    return blocks


def _local(value: str) -> datetime | None:
    for shape in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, shape).replace(tzinfo=VN_TZ)
        except ValueError:
            continue
    return None


WAYS: dict[str, Callable[[ArticleCase, ArticlePage], ArticlePage]] = {
    "ours": ours,
    "trafilatura": trafilatura_alone,
    "readability+rules": readability_with_rules,
    "trafilatura+rules": trafilatura_with_rules,
}


def main() -> None:
    """Read every corpus article each way; print fields right per way, and ms per page."""
    cases = article_cases()
    right = {way: dict.fromkeys(ARTICLE_FIELDS, 0) for way in WAYS}
    timings: dict[str, list[float]] = {way: [] for way in WAYS}
    for case in cases:
        base = parse_article(case.html, case.url, Selectors())  # the title and date kept
        for way, read in WAYS.items():
            start = time.perf_counter()
            page = read(case, base)
            timings[way].append((time.perf_counter() - start) * 1000)
            for field, problem in check_article(page, case.expected).items():
                right[way][field] += problem is None
    width = max(map(len, WAYS)) + 2
    print(f"{len(cases)} article pages\n{'field':<12}" + "".join(f"{w:>{width}}" for w in WAYS))
    for field in ARTICLE_FIELDS:
        print(f"{field:<12}" + "".join(f"{right[w][field]:>{width}}" for w in WAYS))
    totals = [sum(right[w].values()) / (len(cases) * len(ARTICLE_FIELDS)) for w in WAYS]
    print(f"{'all fields':<12}" + "".join(f"{t:>{width - 1}.1%} " for t in totals))
    means = [statistics.fmean(timings[w]) for w in WAYS]
    print(f"{'ms/page':<12}" + "".join(f"{ms:>{width}.2f}" for ms in means))


if __name__ == "__main__":
    main()
