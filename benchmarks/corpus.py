"""Score extraction on the corpus of portal layouts: the share of fields read right, and speed.

Run from the repository root: ``python benchmarks/corpus.py [--rounds N] [--misses]``. For
each layout of tests/data/portals and overall it prints the share of fields read correctly
with defaults only (``url`` and ``category``, no selectors) and with the selectors of the
block ``anbien-bot discover`` writes for the layout, and the milliseconds per article page.
Fields: per article title, published, lead, image, author, attachments, body; per listing
page its article links and its next page. Floors: 95% with defaults, 100% with discover's
block, 5 ms per page on average.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anbien_bot.models import Selectors  # noqa: E402
from anbien_bot.sources.extract import parse_article  # noqa: E402
from anbien_bot.sources.listing import next_page_url, parse_listing  # noqa: E402
from tests.corpus import Layout, check_article, check_listing, layouts  # noqa: E402

FLOOR_DEFAULTS = 95.0
FLOOR_DISCOVERED = 100.0
TARGET_MS = 5.0


def discovered_selectors(layout: Layout) -> Selectors | None:
    """Return the selectors of the block ``anbien-bot discover`` writes for a layout.

    None until discover exists: its column then reads "-". The discover helper fills this
    in (a layout whose block is a feed, or needs no selectors, gives ``Selectors()``).
    """
    return None


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


def score(layout: Layout, selectors: Selectors, rounds: int = 1) -> Score:
    """Read every page of a layout with these selectors and check every field."""
    result = Score()
    for case in layout.articles:
        html = case.html
        page = parse_article(html, case.url, selectors)
        result.add(case.id, check_article(page, case.expected))
        for _ in range(rounds):
            start = time.perf_counter()
            parse_article(html, case.url, selectors)
            result.article_ms.append((time.perf_counter() - start) * 1000)
    for listing in layout.listings:
        items = parse_listing(listing.html, listing.url, selectors)
        following = next_page_url(listing.html, listing.url, selectors)
        result.add(f"{layout.name}/{listing.file.name}", check_listing(items, following, listing))
    return result


def report(rounds: int, show_misses: bool, settings: Callable[[Layout], Selectors | None]) -> bool:
    """Print the table; return whether the floors are met."""
    print(
        f"{'layout':<18} {'pages':>5} {'fields':>6} {'defaults':>9} {'discover':>9} {'ms/page':>8}"
    )
    overall, discovered_all = Score(), Score()
    discovered_seen = False
    misses: list[str] = []
    for layout in layouts():
        defaults = score(layout, Selectors(), rounds)
        chosen = settings(layout)
        discovered = score(layout, chosen) if chosen is not None else None
        discovered_seen = discovered_seen or discovered is not None
        for total, part in ((overall, defaults), (discovered_all, discovered)):
            if part is not None:
                total.right += part.right
                total.total += part.total
                total.article_ms += part.article_ms
        misses += defaults.misses + (discovered.misses if discovered else [])
        column = f"{discovered.share:8.1f}%" if discovered else f"{'-':>9}"
        ms = statistics.fmean(defaults.article_ms)
        print(
            f"{layout.name:<18} {len(layout.articles):>5} {defaults.total:>6} "
            f"{defaults.share:8.1f}% {column} {ms:8.2f}"
        )
    mean_ms = statistics.fmean(overall.article_ms)
    column = f"{discovered_all.share:8.1f}%" if discovered_seen else f"{'-':>9}"
    print(
        f"{'overall':<18} {sum(len(x.articles) for x in layouts()):>5} {overall.total:>6} "
        f"{overall.share:8.1f}% {column} {mean_ms:8.2f}"
    )
    met = overall.share >= FLOOR_DEFAULTS and mean_ms <= TARGET_MS
    met = met and (not discovered_seen or discovered_all.share >= FLOOR_DISCOVERED)
    print(
        f"floors: defaults ≥ {FLOOR_DEFAULTS:.0f}%, discover's block {FLOOR_DISCOVERED:.0f}%, "
        f"≤ {TARGET_MS:.0f} ms per page: {'met' if met else 'MISSED'}"
    )
    if show_misses:
        print("\n".join(misses) or "no field read wrong")
    return met


def main() -> None:
    """Score the corpus with defaults and with discover's block, and time the pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="timed reads of each page")
    parser.add_argument("--misses", action="store_true", help="list every field read wrong")
    args = parser.parse_args()
    for layout in layouts():  # warm-up: imports, compiled selectors
        score(layout, Selectors())
    met = report(args.rounds, args.misses, discovered_selectors)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
