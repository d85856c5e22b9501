"""Benchmark: searching an archive of 100,000 synthetic Vietnamese articles.

Run: python benchmarks/search.py [--articles 100000] [--queries 200] [--seed 6]

Articles are made from word lists shaped like a district portal's news (organisations,
actions, topics, communes; a lead for each, a body for 60 % of them, kept as paragraph blocks
as the bot keeps a body since issue 14) over 2010–2025, and
stored through the real store path a backfill uses (Store.import_entries, batches of 500,
newest first as a backfill walks), then the search index is merged as a large backfill does.
Half the queries are typed without diacritics, some in capitals, some cut short as if still
being typed. Each query is timed as the bot runs it: building the query, the FTS lookups,
ranking, loading the page's articles and formatting the message with its buttons.

Prints: import speed (articles/s; floor 2,000), store_entries speed on a sample for
comparison, database size per 100,000 articles (floor <= 300 MB), query p50/p95/max (floor
p95 <= 10 ms).
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

from anbien_bot.bot.handlers.archive import compose_results  # noqa: E402
from anbien_bot.config import Category  # noqa: E402
from anbien_bot.models import BodyBlock, Entry, body_text  # noqa: E402
from anbien_bot.store import Store  # noqa: E402
from anbien_bot.text.search import parse_query  # noqa: E402
from anbien_bot.text.vntext import fold  # noqa: E402
from anbien_bot.values import BlockKind  # noqa: E402

CATEGORIES = (
    Category("thong-bao", "Thông báo"),
    Category("hoat-dong-huyen-uy", "Hoạt động Huyện ủy"),
    Category("kinh-te", "Kinh tế"),
    Category("van-hoa-xa-hoi", "Văn hóa – Xã hội"),
)


def phrases(text: str) -> list[str]:
    """Return the phrases of a word list written "a|b|c"."""
    return text.split("|")


PLACES = phrases(
    "An Biên|Thứ Ba|Nam Thái|Nam Thái A|Đông Thái|Đông Yên|Tây Yên|Tây Yên A|Hưng Yên|Nam "
    "Yên|Vân Khánh|Kiên Hải|Rạch Giá|An Minh|U Minh Thượng|Xẻo Nhàu|Xẻo Đước|Ba Biển|Kênh "
    "Tư|Thạnh Yên|Đường Xuồng|Bào Môn|Công Sự|Ngã Bát"
)
ORGS = phrases(
    "Huyện ủy|UBND huyện|Ủy ban nhân dân xã|Ban Dân vận Huyện ủy|Ban Tuyên giáo|Phòng Nông "
    "nghiệp|Phòng Tài nguyên và Môi trường|Trung tâm Y tế huyện|Điện lực An Biên|Công an "
    "huyện|Ban Chỉ huy Quân sự huyện|Hội Nông dân|Hội Liên hiệp Phụ nữ|Đoàn Thanh niên|Hội "
    "Cựu chiến binh|Mặt trận Tổ quốc|Hội đồng nhân dân|Trường THCS|Phòng Giáo dục và Đào "
    "tạo|Chi cục Thuế|Ngân hàng Chính sách xã hội|Bưu điện huyện"
)
ACTIONS = phrases(
    "triển khai|tổ chức|sơ kết|tổng kết|thông báo|kiểm tra|hướng dẫn|phát động|trao tặng|ra "
    "quân|họp bàn|làm việc về|tuyên dương|ký kết|khởi công|nghiệm thu|bàn giao|hỗ trợ|tăng "
    "cường|đẩy mạnh|quán triệt|tập huấn|khảo sát|đối thoại về|giám sát"
)
TOPICS = phrases(
    "lịch cúp điện|tạm ngưng cung cấp điện|phòng chống dịch bệnh|tiêm chủng vắc xin|mô hình "
    "tôm lúa|xâm nhập mặn|triều cường|sạt lở bờ sông|phòng chống bão|áp thấp nhiệt đới|xây "
    "dựng nông thôn mới|đường giao thông nông thôn|cải cách hành chính|tiếp công dân|tuyển "
    "quân|khám sức khỏe nghĩa vụ quân sự|giảm nghèo bền vững|nhà tình nghĩa|đại hội đảng "
    "bộ|học tập chuyên đề|phong trào thi đua Dân vận khéo|chuyển đổi số|an toàn giao "
    "thông|phòng cháy chữa cháy|bình đẳng giới|bảo hiểm y tế|lúa vụ đông xuân|nuôi tôm càng "
    "xanh|cấp nước sạch|xử lý rác thải|cấp giấy chứng nhận quyền sử dụng đất|quy hoạch sử "
    "dụng đất|giải phóng mặt bằng|hội nghị báo cáo viên|khuyến học khuyến tài|chăm sóc người "
    "cao tuổi|phòng chống ma túy|bầu cử đại biểu|thu ngân sách|chi trả trợ cấp|trồng cây "
    "xanh|văn hóa văn nghệ|thể dục thể thao|ngày hội đại đoàn kết toàn dân tộc|kỷ niệm ngày "
    "thành lập|tết Nguyên đán"
)
FILLERS = phrases(
    "của|và|các|trên|địa bàn|trong|đã|được|với|cho|người dân|cán bộ|đảng viên|nhằm|nâng "
    "cao|hiệu quả|công tác|thực hiện|kế hoạch|theo|đến|từ|tại|hội trường|ấp|xã|thị "
    "trấn|huyện|tỉnh|kết quả|tiếp tục|năm nay|thời gian qua|đồng chí|chủ trì|tham dự|đại "
    "diện|lãnh đạo|ban ngành|đoàn thể|góp phần|phát triển|kinh tế|xã hội|ổn định|an ninh|trật"
    " tự|đời sống|bà con|nông dân|học sinh|gia đình|chính sách|khó khăn|hộ nghèo|vận "
    "động|tuyên truyền|nhân dân|đoàn kết|trách nhiệm|nhiệm vụ|giải pháp|triển vọng|mục tiêu"
)
UNITS = phrases("người dân|hộ gia đình|cán bộ|học sinh|đảng viên|hội viên|đoàn viên")


def sentence(rng: random.Random, words: int) -> str:
    """Return a sentence of filler phrases around a topic and a place."""
    parts = [rng.choice(FILLERS) for _ in range(words)]
    parts.insert(rng.randrange(len(parts) + 1), rng.choice(TOPICS))
    parts.insert(rng.randrange(len(parts) + 1), "xã " + rng.choice(PLACES))
    text = " ".join(parts)
    return text[0].upper() + text[1:] + "."


def article(rng: random.Random, number: int, start: datetime, span: float) -> Entry:
    """Return one synthetic article, published somewhere in the span."""
    published = start + timedelta(minutes=int(rng.random() * span))
    place = rng.choice(PLACES)
    title = f"{rng.choice(ORGS)} {rng.choice(ACTIONS)} {rng.choice(TOPICS)}"
    title += rng.choice((f" tại xã {place}", f" ở {place}", f" năm {published.year}", ""))
    summary = (
        f"Ngày {published.day}/{published.month}, {rng.choice(ORGS)} {rng.choice(ACTIONS)} "
        f"{rng.choice(TOPICS)} cho {rng.randint(20, 900)} {rng.choice(UNITS)} {place}. "
        + sentence(rng, rng.randint(6, 14))
    )
    blocks: tuple[BodyBlock, ...] = ()
    if rng.random() < 0.6:  # kept as the bot keeps a body now: paragraphs as blocks
        count = rng.randint(4, 10)
        blocks = tuple(
            BodyBlock(BlockKind.PARAGRAPH, sentence(rng, rng.randint(8, 20))) for _ in range(count)
        )
    return Entry(
        key=str(number),
        url=f"https://anbien.kiengiang.gov.vn/trang/TinTuc/17/{number}/tin-{number}.html",
        title=title,
        summary=summary,
        body=body_text(blocks),
        published=published,
        blocks=blocks,
    )


def queries(rng: random.Random, count: int) -> list[str]:
    """Return queries a resident might type: half without diacritics, some cut short."""
    made = []
    for i in range(count):
        kind = rng.random()
        if kind < 0.25:
            words = rng.choice(PLACES)
        elif kind < 0.55:
            topic = rng.choice(TOPICS).split()
            start = rng.randrange(max(1, len(topic) - 2))
            words = " ".join(topic[start : start + rng.randint(1, 3)])
        elif kind < 0.75:
            words = f"{' '.join(rng.choice(TOPICS).split()[:2])} {rng.choice(PLACES)}"
        elif kind < 0.85:
            words = rng.choice(ORGS)
        else:
            words = f"{rng.choice(ACTIONS)} {rng.choice(TOPICS)}"
        if rng.random() < 0.2:  # still typing: the last word cut short
            head, _, last = words.rpartition(" ")
            words = f"{head} {last[: rng.randint(2, 3)]}".strip()
        if i % 2:
            words = fold(words)
        if rng.random() < 0.15:
            words = words.upper()
        made.append(words)
    return made


async def timed(store: Store, asked: list[str]) -> tuple[list[float], int]:
    """Return each query's time in ms as the bot answers it, sorted, and how many found some."""
    timings, found = [], 0
    for typed in asked:
        began = time.perf_counter()
        query = parse_query(typed)
        assert query is not None
        body, _ = await compose_results(store, CATEGORIES, query, "vi", "tok3n", page=1)
        timings.append((time.perf_counter() - began) * 1000)
        found += "Không tìm thấy" not in body
    return sorted(timings), found


def p95(timings: list[float]) -> float:
    """Return the 95th percentile of sorted timings."""
    return timings[int(0.95 * (len(timings) - 1))]


async def measure(directory: Path, articles: int, query_count: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2010, 1, 1, tzinfo=UTC)
    span = (datetime(2025, 12, 31, tzinfo=UTC) - start).total_seconds() / 60
    print(f"making {articles:,} articles …", flush=True)
    entries = [article(rng, n, start, span) for n in range(1, articles + 1)]
    entries.sort(key=lambda e: e.published or start, reverse=True)  # a backfill walks back
    now = datetime.now(UTC)

    sample = entries[:5000]
    compare = await Store.open(directory / "compare.sqlite3")
    began = time.perf_counter()
    for i in range(0, len(sample), 25):
        await compare.store_entries(
            "portal", ["thong-bao"], sample[i : i + 25], now=now, plan=None
        )
    store_entries_rate = len(sample) / (time.perf_counter() - began)
    await compare.close()

    path = directory / "archive.sqlite3"
    store = await Store.open(path)
    per_category = len(CATEGORIES)
    began = time.perf_counter()
    for i in range(0, len(entries), 500):
        category = CATEGORIES[(i // 500) % per_category].key
        await store.import_entries("portal", [category], entries[i : i + 500], now=now)
    import_seconds = time.perf_counter() - began
    asked = queries(rng, query_count)
    unmerged, _ = await timed(store, asked)
    began = time.perf_counter()
    await store.optimize_search_index()
    optimize_seconds = time.perf_counter() - began
    stored = await store.article_count()
    timings, found = await timed(store, asked)
    page_timings = []
    for typed in asked[:50]:
        query = parse_query(typed)
        assert query is not None
        began = time.perf_counter()
        await compose_results(store, CATEGORIES, query, "vi", "tok3n", page=3)
        page_timings.append((time.perf_counter() - began) * 1000)
    await store.close()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes = dict(
            conn.execute(
                "SELECT CASE WHEN name LIKE 'archive_fts%' THEN 'search index' ELSE 'rest' END,"
                " sum(pgsize) FROM dbstat GROUP BY 1"
            ).fetchall()
        )
    size = path.stat().st_size
    per_100k = 100_000 / stored
    print(f"articles stored: {stored:,}")
    print(
        f"import (Store.import_entries, batches of 500): {stored / import_seconds:,.0f} "
        f"articles/s ({import_seconds:.1f} s)  [floor 2,000]"
    )
    print(f"store_entries(plan=None), 5,000 in batches of 25: {store_entries_rate:,.0f}/s")
    print(f"search index merge after import: {optimize_seconds:.1f} s")
    print(
        f"database size: {size / 1e6:,.1f} MB, {size * per_100k / 1e6:,.1f} MB per 100,000 "
        f"articles (search index {sizes.get('search index', 0) * per_100k / 1e6:,.1f} MB, "
        f"articles and the rest {sizes.get('rest', 0) * per_100k / 1e6:,.1f} MB)"
        "  [floor <= 300 MB]"
    )
    print(
        f"queries: {len(timings)} ({sum(1 for q in asked if fold(q) != q.lower())} typed with "
        f"diacritics), {found} with results"
    )
    print(
        f"query as the bot runs it, page 1: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95(timings):.1f} ms, max {timings[-1]:.1f} ms  [floor p95 <= 10 ms]"
    )
    print(
        f"the same before the index merge: p50 {statistics.median(unmerged):.1f} ms, "
        f"p95 {p95(unmerged):.1f} ms, max {unmerged[-1]:.1f} ms"
    )
    page_timings.sort()
    print(
        f"page 3 of the first 50 queries: p50 {statistics.median(page_timings):.1f} ms, "
        f"max {page_timings[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(measure(Path(tmp), args.articles, args.queries, args.seed))


if __name__ == "__main__":
    main()
