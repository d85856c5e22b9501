"""Benchmark: building "Read in full" for 10,000 whole articles kept in a real store.

Run: python benchmarks/reading.py [--articles 10000] [--seed 14]

Articles are made from the search benchmark's word lists, shaped like a district portal's
news with their bodies kept whole: a lead, 3-15 paragraphs (one in twenty a long report of
20-40), headings, lists, a quote now and then, some tables as rows, 0-8 photos with
captions and for a third of them 1-3 attachments. They are stored through the real store
path (Store.import_entries, batches of 500) and read back one by one, as a press of the
button reads one; each is then built for reading (every page: album, text messages within
4096, documents; delivery.reading.build_reading), which is what is timed. Sending is not.

Prints: p50/p95/max of building one article's reading (floor p95 <= 5 ms), of reading it
from the store, the pages and messages per article, and one hostile 2 MB article.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anbien_bot.delivery.reading import build_reading  # noqa: E402
from anbien_bot.models import Article, Attachment, BodyBlock, Entry, body_text  # noqa: E402
from anbien_bot.store import Store  # noqa: E402
from anbien_bot.values import BlockKind  # noqa: E402
from benchmarks.search import ORGS, PLACES, TOPICS, UNITS, sentence  # noqa: E402


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(1, 5)))


def blocks_of(rng: random.Random, number: int) -> tuple[BodyBlock, ...]:
    """Return a body as portals write one: paragraphs, and now and then the other kinds."""
    count = rng.randint(20, 40) if rng.random() < 0.05 else rng.randint(3, 15)
    photos = rng.choice((0, 0, 1, 1, 2, 3, 4, 6, 8))
    blocks: list[BodyBlock] = []
    for n in range(count):
        if n and rng.random() < 0.15:
            blocks.append(BodyBlock(BlockKind.HEADING, sentence(rng, rng.randint(3, 8))))
        blocks.append(BodyBlock(BlockKind.PARAGRAPH, paragraph(rng)))
        if rng.random() < 0.08:
            blocks += [
                BodyBlock(BlockKind.ITEM, sentence(rng, rng.randint(4, 12)))
                for _ in range(rng.randint(2, 6))
            ]
        if rng.random() < 0.03:
            blocks.append(BodyBlock(BlockKind.QUOTE, sentence(rng, rng.randint(10, 25))))
        if rng.random() < 0.03:
            blocks += [
                BodyBlock(BlockKind.ROW, f"{i} | {rng.choice(PLACES)} | {rng.randint(1, 900)}")
                for i in range(1, rng.randint(3, 12))
            ]
        if photos and rng.random() < 0.5:
            photos -= 1
            url = f"https://anbien.kiengiang.gov.vn/Uploads/{number}/anh-{n}.jpg"
            caption = sentence(rng, rng.randint(4, 14)) if rng.random() < 0.7 else ""
            blocks.append(BodyBlock(BlockKind.IMAGE, caption, url))
    return tuple(blocks)


def article(rng: random.Random, number: int, start: datetime) -> Entry:
    published = start + timedelta(hours=number * 7)
    blocks = blocks_of(rng, number)
    attachments = tuple(
        Attachment(
            f"Quyết định số {rng.randint(1, 999)}/QĐ-UBND",
            f"https://anbien.kiengiang.gov.vn/Uploads/files/{number}-{i}.pdf",
        )
        for i in range(rng.choice((0, 0, 1, 1, 2, 3)) if rng.random() < 0.5 else 0)
    )
    first_photo = next((b.url for b in blocks if b.kind is BlockKind.IMAGE), None)
    return Entry(
        key=str(number),
        url=f"https://anbien.kiengiang.gov.vn/trang/TinTuc/17/{number}/tin-{number}.html",
        title=f"{rng.choice(ORGS)} {rng.choice(TOPICS)} tại xã {rng.choice(PLACES)}",
        summary=f"{rng.choice(ORGS)} hỗ trợ {rng.randint(20, 900)} {rng.choice(UNITS)}. "
        + sentence(rng, rng.randint(6, 14)),
        image_url=first_photo,
        published=published,
        body=body_text(blocks),
        blocks=blocks,
        attachments=attachments,
    )


def percentile(timings: list[float], share: float) -> float:
    return timings[int(share * (len(timings) - 1))]


def hostile() -> Article:
    flood = "Lũ chữ <b>không</b> & <script>x</script> javascript:alert(1). " * 35_000
    now = datetime.now(UTC)
    blocks = (BodyBlock(BlockKind.PARAGRAPH, "<i> " * 5000), BodyBlock(BlockKind.PARAGRAPH, flood))
    return Article(1, "javascript:x", "<b>độc</b>", "", None, now, now, blocks=blocks)


async def measure(directory: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2018, 1, 1, tzinfo=UTC)
    print(f"making and storing {count:,} whole articles …", flush=True)
    entries = [article(rng, n, start) for n in range(1, count + 1)]
    store = await Store.open(directory / "reading.sqlite3")
    now = datetime.now(UTC)
    for i in range(0, len(entries), 500):
        await store.import_entries("portal", ["thong-bao"], entries[i : i + 500], now=now)
    ids = [a.id for a in await store.latest(None, count)]
    build_reading(await store.article(ids[0]), "vi")  # imports and caches warm
    builds, reads, pages, messages, chars = [], [], [], [], []
    for article_id in ids:
        began = time.perf_counter()
        found = await store.article(article_id)
        reads.append((time.perf_counter() - began) * 1000)
        assert found is not None
        assert found.blocks
        began = time.perf_counter()
        built = build_reading(found, "vi")
        builds.append((time.perf_counter() - began) * 1000)
        pages.append(len(built))
        messages.append(sum(p.size for p in built))
        chars.append(len(found.body))
    await store.close()
    builds.sort()
    reads.sort()
    began = time.perf_counter()
    huge = build_reading(hostile(), "vi")
    hostile_ms = (time.perf_counter() - began) * 1000
    print(f"articles read back from the store: {len(ids):,}")
    print(
        f"body: median {statistics.median(chars):,.0f} characters, max {max(chars):,}; "
        f"pages per article: median {statistics.median(pages):.0f}, max {max(pages)}; "
        f"messages: median {statistics.median(messages):.0f}, max {max(messages)}"
    )
    print(
        f"building the reading (every page): p50 {statistics.median(builds):.2f} ms, "
        f"p95 {percentile(builds, 0.95):.2f} ms, max {builds[-1]:.2f} ms  [floor p95 <= 5 ms]"
    )
    print(
        f"reading the article from the store: p50 {statistics.median(reads):.2f} ms, "
        f"p95 {percentile(reads, 0.95):.2f} ms"
    )
    print(
        f"a hostile 2 MB article: {hostile_ms:.0f} ms for {len(huge)} pages (built once, cached)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(measure(Path(tmp), args.articles, args.seed))


if __name__ == "__main__":
    main()
