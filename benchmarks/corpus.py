"""Score extraction on the corpus of portal layouts: the share of fields read right, and speed.

Run from the repository root: ``python benchmarks/corpus.py [--rounds N] [--misses]``. For
each layout of tests/data/portals and overall it prints the share of fields read correctly
with defaults only (``url`` and ``category``, no selectors) and with the block ``anbien-bot
discover`` writes for the layout (discovered in memory from its first listing page), and the
milliseconds per article page with defaults. Fields: per article title, published, lead,
image, author, attachments, body; per listing page its article links (one per article key,
as a poll keeps them) and its next page. A feed block is read as a poll reads it: the
feed's items, thin ones completed from their pages, checked for the articles the corpus has,
and the feed's links. Floors: 95% with defaults, 100% with discover's block, 5 ms per page
on average.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anbien_bot.models import Entry, Selectors  # noqa: E402
from anbien_bot.sources.discovery import discover_pages  # noqa: E402
from anbien_bot.sources.extract import (  # noqa: E402
    ArticlePage,
    article_key,
    completed,
    needs_page,
    parse_article,
)
from anbien_bot.sources.feeds import parse_feed  # noqa: E402
from anbien_bot.sources.listing import ListingItem, next_page_url, parse_listing  # noqa: E402
from anbien_bot.text.urls import canonical_url  # noqa: E402
from tests.corpus import Layout, check_article, check_listing, layouts  # noqa: E402

FLOOR_DEFAULTS = 95.0
FLOOR_DISCOVERED = 100.0
TARGET_MS = 5.0


@dataclass(frozen=True)
class Block:
    """What a [[sources]] block says about reading a layout: its feed, or its listing's
    selectors and id_pattern (defaults only: ``Block()``)."""

    selectors: Selectors = field(default_factory=Selectors)
    id_pattern: str | None = None
    feed: str | None = None  # the feed's URL: the source is this feed

    def describe(self, base: str) -> str:
        if self.feed is not None:
            return f"feed {self.feed.removeprefix(base)}"
        chosen = {k: v for k, v in asdict(self.selectors).items() if v}
        chosen |= {"id_pattern": self.id_pattern} if self.id_pattern else {}
        return f"html {chosen}" if chosen else "html, defaults only"


def discovered_block(layout: Layout) -> Block | None:
    """Return the block ``anbien-bot discover`` writes for a layout, discovering it in memory
    from its first listing page (the same decisions as over HTTP); None if it finds nothing."""
    pages = {layout.base + path: file.read_bytes() for path, file in layout.pages()}
    found = asyncio.run(discover_pages(layout.listings[0].url, pages))
    if not found.usable:
        return None
    if found.feed is not None:
        return Block(feed=found.feed.url)
    return Block(found.selectors, found.id_pattern)


@dataclass
class Score:
    """Fields read right out of fields checked, what went wrong, and how long pages took."""

    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)
    article_ms: list[float] = field(default_factory=list)

    @property
    def share(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0

    def add(self, where: str, results: dict[str, str | None]) -> None:
        for name, problem in results.items():
            self.total += 1
            self.right += problem is None
            if problem is not None:
                self.misses.append(f"{where} {name}: {problem}")

    def join(self, other: Score) -> None:
        self.right += other.right
        self.total += other.total
        self.misses += other.misses
        self.article_ms += other.article_ms


def score(layout: Layout, block: Block, rounds: int = 1) -> Score:
    """Read a layout as a source of this block would, and check every field."""
    if block.feed is not None:
        return _score_feed(layout, block.feed)
    result = Score()
    selectors = block.selectors
    for case in layout.articles:
        html = case.html
        page = parse_article(html, case.url, selectors)
        result.add(case.id, check_article(page, case.expected))
        for _ in range(rounds):
            start = time.perf_counter()
            parse_article(html, case.url, selectors)
            result.article_ms.append((time.perf_counter() - start) * 1000)
    for listing in layout.listings:
        items = _keyed(parse_listing(listing.html, listing.url, selectors), block.id_pattern)
        following = next_page_url(listing.html, listing.url, selectors)
        result.add(f"{layout.name}/{listing.file.name}", check_listing(items, following, listing))
    return result


def _keyed(items: list[ListingItem], id_pattern: str | None) -> list[ListingItem]:
    """Return a listing's items as a poll keeps them: one per article key."""
    kept: dict[str, ListingItem] = {}
    for item in items:
        kept.setdefault(article_key(item.url, id_pattern), item)
    return list(kept.values())


def _score_feed(layout: Layout, url: str) -> Score:
    """Read a layout's feed as a poll does (thin items completed from their pages) and check
    the articles it carries, and that it carries the ones it should."""
    result = Score()
    [feed] = [f for f in layout.feeds if canonical_url(f.url) == canonical_url(url)]
    entries = parse_feed(feed.file.read_bytes(), url=feed.url)
    found = [canonical_url(e.url) for e in entries]
    wanted = [canonical_url(u) for u in feed.articles]
    result.add(f"{layout.name}{feed.path}", {"links": None if found == wanted else f"{found}"})
    cases = {canonical_url(case.url): case for case in layout.articles}
    for entry in entries:
        case = cases.get(canonical_url(entry.url))
        if case is None:
            continue  # in the feed, with no page in the corpus
        if needs_page(entry):
            entry = completed(entry, parse_article(case.html, case.url, Selectors()))
        result.add(f"{case.id} (feed)", check_article(_as_page(entry), case.expected))
    return result


def _as_page(entry: Entry) -> ArticlePage:
    """Return what a poll stores of a feed item, as the fields an article page has."""
    return ArticlePage(
        url=entry.url,
        title=entry.title,
        published=entry.published,
        lead=entry.summary,
        body=entry.body,
        image_url=entry.image_url,
        author=entry.author,
        attachments=entry.attachments,
    )


def report(rounds: int, show_misses: bool, blocks: Callable[[Layout], Block | None]) -> bool:
    """Print the table and each layout's block; return whether the floors are met."""
    print(
        f"{'layout':<18} {'pages':>5} {'fields':>6} {'defaults':>9} {'discover':>9} {'ms/page':>8}"
    )
    overall, discovered_all = Score(), Score()
    chosen: dict[str, str] = {}
    for layout in layouts():
        defaults = score(layout, Block(), rounds)
        block = blocks(layout)
        if block is None:  # discover found nothing usable: every field is missed
            discovered = Score(total=defaults.total, misses=[f"{layout.name}: no block"])
        else:
            discovered = score(layout, block)
        chosen[layout.name] = block.describe(layout.base) if block else "none"
        overall.join(defaults)
        discovered_all.join(discovered)
        ms = statistics.fmean(defaults.article_ms)
        print(
            f"{layout.name:<18} {len(layout.articles):>5} {defaults.total:>6} "
            f"{defaults.share:8.1f}% {discovered.share:8.1f}% {ms:8.2f}"
        )
    mean_ms = statistics.fmean(overall.article_ms)
    print(
        f"{'overall':<18} {sum(len(x.articles) for x in layouts()):>5} {overall.total:>6} "
        f"{overall.share:8.1f}% {discovered_all.share:8.1f}% {mean_ms:8.2f}"
    )
    met = overall.share >= FLOOR_DEFAULTS and mean_ms <= TARGET_MS
    met = met and discovered_all.share >= FLOOR_DISCOVERED
    print(
        f"floors: defaults ≥ {FLOOR_DEFAULTS:.0f}%, discover's block {FLOOR_DISCOVERED:.0f}%, "
        f"≤ {TARGET_MS:.0f} ms per page: {'met' if met else 'MISSED'}"
    )
    print("\ndiscover's block (a feed's articles are scored as a poll completes them):")
    for name, described in chosen.items():
        print(f"  {name:<18} {described}")
    if show_misses:
        misses = overall.misses + [f"[discover] {m}" for m in discovered_all.misses]
        print("\n".join(misses) or "no field read wrong")
    return met


def main() -> None:
    """Score the corpus with defaults and with discover's block, and time the pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="timed reads of each page")
    parser.add_argument("--misses", action="store_true", help="list every field read wrong")
    args = parser.parse_args()
    for layout in layouts():  # warm-up: imports, compiled selectors
        score(layout, Block())
    met = report(args.rounds, args.misses, discovered_block)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
