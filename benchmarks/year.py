"""A year of service on a simulated clock: does the store stay small and the bot stay fast?

Run from the repository root: ``python benchmarks/year.py [--days 365] [--subscribers 10000]``
(a full year takes about two hours on two cores; ``--days 20`` is a quick look).

10,000 subscribers (half of them following every category, the rest one to four; one in ten
on a daily digest, one in twenty with quiet hours, one in ten reading English), 20 posts a
day in six categories, one announcement a month to everyone; 5 % of the subscribers block
the bot, each on a day of its own. Everything goes through the real store code: posts are
stored with store_entries and a Planner, the announcement with start_broadcast, and the
retention job (Store.run_retention, the [retention] defaults) runs every day at 03:30. The
first and the last day's messages go through the real sender to the loopback fake Bot API
(tests/fake_telegram.py; the sender in a child process of its own, its clock set to the
simulated day); the days between are settled through the store's own methods, as the
sender would (due_deliveries, then mark_sent, set_active for a chat that blocked the bot,
mark_failed for one message in a thousand).

Prints: the database's size at the end (floor <= 1 GB) and what holds it, the fan-out rate
on the first and the last day (floor: the end no slower than the start), the bot's start-up
time (to its first getUpdates) on the first and the last day, how long retention held the
store at most, and whether /stats reads, from the totals and the recent rows, what was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from anbien_bot.bot.handlers.admin import CHART_DAYS  # noqa: E402
from anbien_bot.config import RetentionConfig, load_config  # noqa: E402
from anbien_bot.delivery.planner import DIGEST_HOURS, Planner  # noqa: E402
from anbien_bot.models import Entry  # noqa: E402
from anbien_bot.store import Store  # noqa: E402
from anbien_bot.store.backup import backup_database  # noqa: E402
from anbien_bot.text.dates import VN_TZ, to_iso  # noqa: E402
from anbien_bot.values import BroadcastStatus, is_digest  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.harness import write_config  # noqa: E402

CATEGORIES = {  # key: share of the posts
    "tin-tuc": 0.35,
    "thong-bao": 0.25,
    "hoat-dong-huyen-uy": 0.15,
    "chinh-tri-xa-hoi": 0.15,
    "mat-dien": 0.07,
    "thien-tai": 0.03,
}
FIRST_DAY = date(2025, 1, 1)
POST_HOURS = [6 + 16 * i / 20 for i in range(20)]  # Vietnam time, 06:00 to 21:12
FAIL_RATE = 0.001
MARKED_TOGETHER = 16  # about what the courier's linger gathers with 8 sends in flight
LIMITS_OFF = {"messages_per_second": 0, "private_interval_seconds": 0, "group_interval_seconds": 0}
_VOCABULARY = (
    "người dân xã ấp huyện tỉnh kế hoạch triển khai thực hiện năm công tác tuyên truyền nông "
    "thôn mới đường giao thông điện lực cúp điện lịch tiếp dân hội nghị sơ kết tổng kết phòng "
    "chống thiên tai bão lũ triều cường sạt lở vận động hỗ trợ hộ nghèo chính sách bảo hiểm y tế"
)
WORDS = _VOCABULARY.split()


def at(day: date, hour: float) -> datetime:
    """Return the UTC moment of an hour (Vietnam time) of a simulated day."""
    local = datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + timedelta(hours=hour)
    return local.astimezone(UTC)


def prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


# -- setting up -------------------------------------------------------------------------------


async def subscribe(store: Store, subscribers: int, rng: random.Random) -> dict[int, int]:
    """Write the subscribers (as /start would leave them); return who blocks the bot on which
    day of the year."""
    stamp = to_iso(at(FIRST_DAY, 0) - timedelta(days=30))
    keys = list(CATEGORIES)
    chats, subs, settings = [], [], []
    for chat in range(1, subscribers + 1):
        chats.append((chat, "en" if rng.random() < 0.1 else "vi", stamp, stamp))
        chosen = keys if rng.random() < 0.5 else rng.sample(keys, rng.randint(1, 4))
        subs += [(chat, key, stamp) for key in chosen]
        draw = rng.random()
        if draw < 0.1:
            settings.append((chat, rng.choice(DIGEST_HOURS), None, None, stamp))
        elif draw < 0.15:
            settings.append((chat, None, 22 * 60, 6 * 60, stamp))
    async with store.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO chats(id, language, created_at, updated_at) VALUES (?, ?, ?, ?)", chats
        )
        await conn.executemany(
            "INSERT INTO subscriptions(chat_id, category, created_at) VALUES (?, ?, ?)", subs
        )
        await conn.executemany(
            "INSERT INTO chat_settings(chat_id, digest_hour, quiet_start, quiet_end, "
            "updated_at) VALUES (?, ?, ?, ?, ?)",
            settings,
        )
    blockers = rng.sample(range(1, subscribers + 1), subscribers // 20)
    return {chat: rng.randrange(365) for chat in blockers}


# -- one day ----------------------------------------------------------------------------------


class Year:
    """The simulation's state: the store, the fake, and what it knows was sent."""

    def __init__(self, args: argparse.Namespace, work: Path, fake: FakeTelegram) -> None:
        self.args, self.work, self.fake = args, work, fake
        self.rng = random.Random(args.seed)
        self.config = write_config(
            work, telegram={"api_base_url": fake.base_url}, delivery=LIMITS_OFF
        )
        self.db = work / "bot.sqlite3"
        self.planner = Planner()
        self.sent: Counter[str] = Counter()  # rows sent, by Vietnam day
        self.blocked_on: dict[int, int] = {}
        self.gone: set[int] = set()  # chats that blocked the bot by now
        self.message_ids = itertools.count(1)
        self.posts = itertools.count(1)
        self.figures: dict[str, Any] = {"retention": [], "store_entries": []}
        self.figures["holds"] = []  # seconds each retention batch held the store

    async def day(self, store: Store, n: int, *, real_sender: bool) -> None:
        """Run simulated day n: retention at 03:30, the posts, their messages."""
        day = FIRST_DAY + timedelta(days=n)
        report = await store.run_retention(
            at(day, 3.5), self.args.settled_days, self.args.failed_days
        )
        self.figures["retention"].append(report)
        self.gone |= {chat for chat, d in self.blocked_on.items() if d <= n}
        deliver = self.send_for_real if real_sender else self.settle
        if n % 30 == 15:
            await self.announce(store, at(day, 9))
        for hour in POST_HOURS[: self.args.posts]:
            moment = at(day, hour)
            await self.post(store, moment)
            await deliver(store, moment + timedelta(minutes=5))
        await deliver(store, at(day, 22))
        if real_sender:
            self.sent[day.isoformat()] += await self._sent_rows(store, day)

    async def post(self, store: Store, moment: datetime) -> None:
        number = next(self.posts)
        category = self.rng.choices(list(CATEGORIES), weights=list(CATEGORIES.values()))[0]
        entry = Entry(
            key=str(number),
            url=f"https://anbien.kiengiang.gov.vn/trang/TinTuc/17/{number}/tin.html",
            title=f"{prose(self.rng, 12)} ({number})",
            summary=prose(self.rng, 40),
            body="\n\n".join(prose(self.rng, 80) for _ in range(6)),
            published=moment,
        )
        started = time.perf_counter()
        await store.store_entries("Cổng huyện", [category], [entry], now=moment, plan=self.planner)
        self.figures["store_entries"].append(time.perf_counter() - started)

    async def announce(self, store: Store, moment: datetime) -> None:
        broadcast = await store.create_broadcast(9001, 9001, "Thông báo họp dân", now=moment)
        await store.start_broadcast(broadcast, now=moment)

    async def settle(self, store: Store, now: datetime) -> None:
        """Answer every due message as Telegram would have, through the store's methods."""
        while await store.expand_fanouts():  # the sender writes a new post's rows first
            pass
        while True:
            heads, _ = await store.due_deliveries(now, 50_000, count_posts=False)
            if not heads:
                return
            sent, failed = [], []
            for row in heads:
                ids = [row.id]
                if is_digest(row.priority):  # one message carries the digest's rows
                    ids = [i for i, _ in await store.due_posts(row.chat_id, row.priority, now)]
                if row.chat_id in self.gone:
                    await store.set_active(row.chat_id, False)  # its rows become blocked
                elif self.rng.random() < FAIL_RATE:
                    failed += ids
                else:
                    sent.append((ids, next(self.message_ids)))
            if failed:
                await store.mark_failed(failed, "Bad Request: message is too long")
            # As the courier marks them: the few messages that finished together, one commit.
            for start in range(0, len(sent), MARKED_TOGETHER):
                await store.mark_sent(sent[start : start + MARKED_TOGETHER], now)
            day = (now + timedelta(hours=7)).date().isoformat()
            self.sent[day] += sum(len(ids) for ids, _ in sent)
            for broadcast in await store.broadcasts_with_status(BroadcastStatus.SENDING):
                await store.finish_broadcast(broadcast.id, now=now)

    async def send_for_real(self, store: Store, now: datetime) -> None:
        """Send the due messages through the real sender in a child process."""
        for chat in self.gone:
            self.fake.block(chat)
        result = await child("send", self.config, now)
        self.fake.calls.clear()  # the fake keeps every call: a year's would fill the memory
        ran = self.figures.setdefault("real", {"sent": 0, "seconds": 0.0, "rates": []})
        ran["sent"] += result["sent"]
        ran["seconds"] += result["seconds"]
        if result["sent"] >= 100:
            ran["rates"].append(result["sent"] / result["seconds"])
        for broadcast in await store.broadcasts_with_status(BroadcastStatus.SENDING):
            await store.finish_broadcast(broadcast.id, now=now)

    @staticmethod
    async def _sent_rows(store: Store, day: date) -> int:
        async with store.db.reading() as conn:
            cur = await conn.execute(
                "SELECT count(*) FROM deliveries WHERE sent_at >= ? AND sent_at < ?",
                (to_iso(at(day, 0)), to_iso(at(day, 24))),
            )
            return int((await cur.fetchone())[0])


# -- children: the real sender, the real bot ------------------------------------------------


async def child(mode: str, config: Path, now: datetime) -> dict[str, Any]:
    """Run this file in a child process (``--child mode``) and return what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", mode, "--config", str(config), "--now", to_iso(now),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{err.decode()[-3000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])


async def send_child(config_path: Path, now: datetime) -> dict[str, Any]:
    """Send every due message with the real Sender, its clock set to the simulated day."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from anbien_bot.delivery import courier, outgoing, photos, sender

    start = time.monotonic()
    for module in (courier, outgoing, photos, sender):  # the simulated clock
        module.utcnow = lambda: now + timedelta(seconds=time.monotonic() - start)  # type: ignore[attr-defined]
    config = load_config(config_path, environ={})
    store = await Store.open(config.storage.database)
    request = HTTPXRequest(connection_pool_size=2 * config.delivery.concurrency)
    async with Bot(
        config.telegram.token, base_url=config.telegram.api_base_url, request=request
    ) as bot:
        run = sender.Sender(bot, store, config)
        wall = time.perf_counter()
        run.start()
        await run.wait_idle()
        wall = time.perf_counter() - wall
        await run.stop()
    await store.close()
    stats = run.stats
    return {"sent": stats["sent"], "blocked": stats["blocked"], "seconds": wall}


async def startup(year: Year, label: str) -> float:
    """Start `anbien-bot run` on a copy of the database; return seconds to its first poll."""
    copy = year.work / f"startup-{label}"
    copy.mkdir()
    backup_database(year.db, copy / "bot.sqlite3")
    config = write_config(copy, telegram={"api_base_url": year.fake.base_url})
    seen = len(year.fake.calls)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "anbien_bot", "run", "--config", str(config),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    try:
        while not any(c.method == "getUpdates" for c in year.fake.calls[seen:]):
            if process.returncode is not None:
                raise RuntimeError("the bot exited during start-up")
            await asyncio.sleep(0.01)
        first = next(c.at for c in year.fake.calls[seen:] if c.method == "getUpdates")
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    return first - started


# -- the year -------------------------------------------------------------------------------


async def run_year(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    async with FakeTelegram() as fake:
        year = Year(args, work, fake)
        store = await Store.open(year.db)
        try:
            year.blocked_on = await subscribe(store, args.subscribers, year.rng)
        finally:
            await store.close()
        figures = year.figures
        figures["startup_first"] = await startup(year, "first")
        clock = time.perf_counter()
        store = await Store.open(year.db)
        fold = store.fold_batch

        async def timed_fold(*batch: Any) -> int:  # how long each batch holds the store
            held = time.perf_counter()
            count = await fold(*batch)
            figures["holds"].append(time.perf_counter() - held)
            return count

        store.fold_batch = timed_fold  # type: ignore[method-assign]
        try:
            for n in range(args.days):
                last = n == args.days - 1
                await year.day(store, n, real_sender=n == 0 or last)
                if n == 0 or last:
                    figures["first" if n == 0 else "last"] = real = figures.pop("real")
                    print(
                        f"  day {n + 1}: {real['sent']:,} sent in {real['seconds']:.0f} s",
                        file=sys.stderr,
                    )
                if n % 30 == 29 or n < 3:
                    print(f"  day {n + 1}: {time.perf_counter() - clock:.0f} s", file=sys.stderr)
            figures["simulated_seconds"] = time.perf_counter() - clock
            end = at(FIRST_DAY + timedelta(days=args.days - 1), 23)
            figures["stats"] = await check_stats(store, year, end)
            figures["tables"] = await sizes(store)
            figures["rows_left"] = await count(store, "SELECT count(*) FROM deliveries")
            # Row ids only grow (retention deletes the oldest): the last is how many were written.
            figures["rows_queued"] = await count(store, "SELECT max(id) FROM deliveries")
        finally:
            await store.close()
        files = (year.db, year.db.with_name(year.db.name + "-wal"))
        figures["db_bytes"] = sum(p.stat().st_size for p in files if p.exists())
        opened = time.perf_counter()
        await (await Store.open(year.db)).close()
        figures["store_open"] = time.perf_counter() - opened
        figures["startup_last"] = await startup(year, "last")
        return figures


async def check_stats(store: Store, year: Year, end: datetime) -> dict[str, Any]:
    """Compare /stats' chart (totals and rows) with what the simulation itself sent."""
    chart = await store.daily_activity(end, CHART_DAYS)
    shown = {d.day.isoformat(): d.sent for d in chart}
    expected = {day: year.sent.get(day, 0) for day in shown}
    ever = await count(
        store,
        "SELECT (SELECT total(sent) FROM delivery_days)"
        " + (SELECT count(*) FROM deliveries WHERE sent_at IS NOT NULL)",
    )
    return {
        "chart_matches": shown == expected,
        "chart": shown,
        "expected": expected,
        "all_sent_matches": ever == sum(year.sent.values()),
        "all_sent": ever,
        "from_totals": sum(1 for d in shown if d < (end - timedelta(days=8)).date().isoformat()),
    }


async def count(store: Store, query: str) -> int:
    async with store.db.reading() as conn:
        return int((await (await conn.execute(query)).fetchone())[0])


async def sizes(store: Store) -> dict[str, int]:
    """Return the bytes of each table with its indexes (the FTS index as one)."""
    async with store.db.reading() as conn:
        cur = await conn.execute(
            "SELECT coalesce(i.tbl_name, s.name), sum(s.pgsize) FROM dbstat s "
            "LEFT JOIN sqlite_schema i ON i.name = s.name GROUP BY 1 ORDER BY 2 DESC"
        )
        rows = await cur.fetchall()
    grouped: Counter[str] = Counter()
    for name, size in rows:
        grouped["archive_fts" if name.startswith("archive_fts") else name] += size
    return dict(grouped.most_common(8))


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(args: argparse.Namespace, f: dict[str, Any]) -> None:
    """Print the figures with their floors."""
    days, seconds = args.days, f["simulated_seconds"]
    print(f"{days} simulated days, {args.subscribers:,} subscribers, {args.posts} posts a day")
    print(f"  simulated in {seconds / 60:.0f} min ({seconds / days:.1f} s a day)")
    print(f"  outbox rows written {f['rows_queued']:,} ({f['rows_queued'] / days:,.0f} a day)")
    print(f"  [retention] settled_days = {args.settled_days}, failed_days = {args.failed_days}")

    per_row = f["tables"]["deliveries"] / max(f["rows_left"], 1)
    print(f"\ndatabase at the end: {f['db_bytes'] / 1e6:.0f} MB   (floor <= 1 GB)")
    for name, table in f["tables"].items():
        print(f"  {name:20} {table / 1e6:8.1f} MB")
    print(f"  outbox rows kept {f['rows_left']:,}, {per_row:.0f} bytes each with their indexes")
    unkept = f["rows_queued"] * per_row / 1e9
    print(f"  without retention the outbox alone would hold {unkept:.1f} GB")

    print("\nfan-out through the real sender to the fake Bot API (limits off, one run a post)")
    rates = []
    for name in ("first", "last"):
        run = f[name]
        rates.append(run["sent"] / run["seconds"])
        print(f"  {name:5} day: {run['sent']:,} messages in {run['seconds']:.0f} s")
        runs = [
            min(run["rates"], default=0),
            quantile(run["rates"], 0.5),
            max(run["rates"], default=0),
        ]
        spread = ", ".join(f"{rate:.0f}" for rate in runs)
        print(f"    {rates[-1]:.0f} msg/s (a post's run: min, median, max {spread})")
    print(f"  end / start {rates[1] / rates[0]:.0%}   (floor >= 100%)")

    print("\nstart-up of `anbien-bot run`, to its first getUpdates")
    print(f"  first day {f['startup_first']:.2f} s, last day {f['startup_last']:.2f} s")
    print(f"  Store.open at the end: {1000 * f['store_open']:.0f} ms")

    nights = [r for r in f["retention"] if sum(r.folded.values())]
    holds = [1000 * held for held in f["holds"]]
    pages = quantile([r.pages_released for r in nights], 0.5)
    print("\nretention, every night")
    rows = quantile([sum(r.folded.values()) for r in nights], 0.5)
    longest = max((r.seconds for r in nights), default=0.0)
    print(f"  a night: {rows:,.0f} rows, {quantile([r.seconds for r in nights], 0.5):.1f} s")
    print(f"    (median; the longest night {longest:.1f} s)")
    print(f"  the store held by one batch, ms: median {quantile(holds, 0.5):.1f},", end=" ")
    print(f"p99 {quantile(holds, 0.99):.1f}, longest {max(holds, default=0):.1f}")
    print(f"  pages given back a night: {pages:,.0f} ({pages * 4096 / 1e6:.0f} MB, median)")
    writes = [1000 * w for w in f["store_entries"]]
    first, last = sum(writes[: args.posts]), sum(writes[-args.posts :])
    print(
        f"  store_entries, a post's fan-out written: first day {first / args.posts:.0f} ms,",
        end=" ",
    )
    print(f"last day {last / args.posts:.0f} ms")

    s = f["stats"]
    print(f"\n/stats: the chart's {CHART_DAYS} days ({s['from_totals']} from the totals alone)")
    print(f"  read what was sent: {s['chart_matches']}")
    print(f"  every message ever sent counted, totals + rows: {s['all_sent_matches']}", end=" ")
    print(f"({s['all_sent']:,})")
    if not s["chart_matches"]:
        print(f"  shown    {s['chart']}\n  expected {s['expected']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=20, choices=range(1, 21))
    parser.add_argument("--settled-days", type=int, default=RetentionConfig().settled_days)
    parser.add_argument("--failed-days", type=int, default=RetentionConfig().failed_days)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="leave the database there")
    parser.add_argument("--child", choices=("send",))
    parser.add_argument("--config", type=Path)
    parser.add_argument("--now")
    args = parser.parse_args()
    if args.child:
        now = datetime.fromisoformat(args.now)
        print(json.dumps(asyncio.run(send_child(args.config, now))))
        return 0
    with tempfile.TemporaryDirectory(prefix="year-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        figures = asyncio.run(run_year(args, work))
    report(args, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
