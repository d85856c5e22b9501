"""Does the bot's memory stay flat with uptime? Residents keep using it, posts keep coming.

Run from the repository root: ``python benchmarks/uptime.py [--minutes 10] [--rate 40]
[--residents 10000] [--subscribers 2000]`` (the minutes are wall-clock ones).

The bot runs as the admin runs it (``python -m anbien_bot run``, a process of its own) against
the loopback fake Bot API and a fake portal, both in this process. A new post appears in the
portal's feed every ``--post-every`` seconds and goes to ``--subscribers`` chats (delivery
limits off, so a post is sent in seconds). Meanwhile residents write to the bot, ``--rate``
updates a second: first each of the ``--residents`` once (/start, a commune's people
arriving), then, for the rest of the run, residents picked at random: /start, /mysubs,
/latest, a search of a few words (a new mix every time), a press of "Read in full" on a
stored post, /settings, /help.

Every two seconds the bot's resident memory (VmRSS in /proc) is read. Prints it at the start,
once every resident has written (what the bot keeps per chat it knows is then all there) and
at each quarter of the run, the growth from then to the end per 10,000 updates, how many
updates were answered and what the bot logged (floor: no growth that keeps on with uptime;
the caches are bounded).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anbien_bot.store import Store  # noqa: E402
from anbien_bot.text.dates import to_iso  # noqa: E402
from tests.fake_portal import FakePortal  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.harness import write_config  # noqa: E402

NEWS = "thong-bao"
LIMITS_OFF = {"messages_per_second": 0, "private_interval_seconds": 0, "group_interval_seconds": 0}
FIRST_RESIDENT = 50_000_000  # outside the subscribers' ids
_VOCABULARY = (
    "người dân xã ấp kế hoạch triển khai thực hiện công tác tuyên truyền nông thôn mới đường "
    "giao thông điện lực cúp điện lịch tiếp dân hội nghị sơ kết tổng kết phòng chống thiên tai "
    "bão lũ triều cường sạt lở vận động hỗ trợ hộ nghèo chính sách bảo hiểm y tế thứ ba nam "
    "thái đông yên tây yên hưng yên vân khánh"
)
WORDS = _VOCABULARY.split()


def rss_kb(pid: int) -> int:
    """Return a process's resident memory in KB, as /proc shows it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def item(n: int, published: datetime, rng: random.Random) -> str:
    """Return the feed item of post n, its text different from every other post's."""
    title = " ".join(rng.choice(WORDS) for _ in range(9)).capitalize()
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 400)))
    return (
        f"<item><title>{title} số {n}</title><link>https://portal.example.vn/tin/{n}.html</link>"
        f"<guid>{n}</guid><pubDate>{format_datetime(published)}</pubDate>"
        f"<description>{body[:300]}</description><content:encoded><![CDATA[<p>"
        + "</p><p>".join(body[i : i + 400] for i in range(0, len(body), 400))
        + "</p>]]></content:encoded></item>"
    )


def feed(items: list[str]) -> str:
    """Return an RSS feed holding the newest 20 items."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Cổng xã</title><link>https://portal.example.vn/</link>"
        + "".join(reversed(items[-20:]))
        + "</channel></rss>"
    )


async def prepare(directory: Path, subscribers: int) -> None:
    """Create the database with the subscribers."""
    path = directory / "bot.sqlite3"
    await (await Store.open(path)).close()  # the current schema
    stamp = to_iso(datetime.now(UTC))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO chats(id, type, language, created_at, updated_at) "
            "VALUES (?, 'private', 'vi', ?, ?)",
            [(chat, stamp, stamp) for chat in range(1, subscribers + 1)],
        )
        conn.executemany(
            "INSERT INTO subscriptions(chat_id, category, created_at) VALUES (?, ?, ?)",
            [(chat, NEWS, stamp) for chat in range(1, subscribers + 1)],
        )


def article_ids(path: Path) -> list[int]:
    """Return the stored articles' ids, read beside the bot."""
    with sqlite3.connect(path, timeout=30) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM articles")]


def act(fake: FakeTelegram, rng: random.Random, chat: int, articles: list[int]) -> None:
    """Send one resident's update: a command, a search, or a button press."""
    kind = rng.random()
    if kind < 0.15:
        fake.push_message(chat, "/start")
    elif kind < 0.3:
        fake.push_message(chat, "/mysubs")
    elif kind < 0.4:
        fake.push_message(chat, "/latest")
    elif kind < 0.6:  # a search, half of them without diacritics, a new mix of words each time
        words = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
        fake.push_message(chat, words)
    elif kind < 0.8 and articles:
        fake.push_callback(chat, f"r:{rng.choice(articles)}:1")
    elif kind < 0.9:
        fake.push_message(chat, "/settings")
    else:
        fake.push_message(chat, "/help", language_code=rng.choice(("vi", "en")))


async def run(directory: Path, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    await prepare(directory, args.subscribers)
    db = directory / "bot.sqlite3"
    async with FakeTelegram() as fake, FakePortal() as portal:
        start = datetime.now(UTC) - timedelta(hours=1)
        items = [item(n, start + timedelta(minutes=n), rng) for n in range(1, 4)]
        portal.serve("/rss", feed(items))
        config = write_config(
            directory,
            telegram={"api_base_url": fake.base_url},
            sources=[{"name": "Cổng xã", "url": portal.url("/rss"), "category": NEWS}],
            polling={"interval_seconds": 2, "jitter_seconds": 0},
            delivery=LIMITS_OFF,
        )
        log = (directory / "bot.log").open("w")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "anbien_bot", "run", "--config", str(config),
            stdout=asyncio.subprocess.DEVNULL, stderr=log, cwd=ROOT,
        )  # fmt: skip
        samples: list[tuple[float, int, int]] = []  # (seconds, updates pushed, RSS KB)
        arrived: tuple[int, int] | None = None  # (updates pushed, RSS KB) once all had written
        try:
            while not any(c.method == "getUpdates" for c in fake.calls):
                if process.returncode is not None:
                    raise RuntimeError("the bot exited during start-up")
                await asyncio.sleep(0.05)
            began = time.monotonic()
            end = began + args.minutes * 60
            next_post = began + args.post_every
            next_sample = began
            articles: list[int] = []
            chats = [FIRST_RESIDENT + n for n in range(args.residents)]
            for pushed in itertools.count():
                at = began + pushed / args.rate
                if at >= end:
                    break
                await asyncio.sleep(max(at - time.monotonic(), 0))
                if process.returncode is not None:
                    raise RuntimeError("the bot exited")
                now = time.monotonic()
                if now >= next_post:
                    items.append(item(len(items) + 1, datetime.now(UTC), rng))
                    portal.serve("/rss", feed(items))
                    articles = await asyncio.to_thread(article_ids, db)
                    next_post += args.post_every
                if now >= next_sample:
                    samples.append((now - began, pushed, rss_kb(process.pid)))
                    next_sample += 2.0
                if pushed < len(chats):  # the commune arrives, each resident once
                    fake.push_message(chats[pushed], "/start")
                else:
                    act(fake, rng, rng.choice(chats), articles)
                if pushed == len(chats) + int(5 * args.rate):  # all arrived, 5 s ago: answered
                    arrived = (pushed, rss_kb(process.pid))
            await asyncio.sleep(5.0)  # the last answers
            samples.append((time.monotonic() - began, pushed, rss_kb(process.pid)))
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()
            log.close()
        answered = [
            c for c in fake.calls if c.status == 200 and (c.chat_id or 0) >= FIRST_RESIDENT
        ]
        residents = {c.chat_id for c in answered}
        answers = len(answered)
        posts = len(items) - 3
        delivered = sum(1 for c in fake.sent() if 0 < (c.chat_id or 0) <= args.subscribers)
    report(args, samples, arrived, answers, len(residents), posts, delivered)
    lines = (directory / "bot.log").read_text("utf-8", "replace").splitlines()
    errors = [line for line in lines if " ERROR " in line or line.startswith("Traceback")]
    warnings = sum(" WARNING " in line for line in lines)
    print(f"\nthe bot's log: {len(lines):,} lines, {warnings} warnings, {len(errors)} errors")
    for line in errors[:5]:
        print(f"  {line[:160]}")


def report(
    args: argparse.Namespace,
    samples: list[tuple[float, int, int]],
    arrived: tuple[int, int] | None,
    answers: int,
    residents: int,
    posts: int,
    delivered: int,
) -> None:
    """Print the memory figures."""
    print(
        f"{args.minutes:g} min, {samples[-1][1]:,} updates from {residents:,} residents "
        f"({answers:,} calls answering them), {posts} posts ({delivered:,} messages to "
        f"{args.subscribers:,} subscribers)"
    )
    if arrived is None:
        print("the run ended before every resident had written: give it more minutes")
        return
    print(f"\nbot's resident memory (VmRSS), MB:\n  at the start {samples[0][2] / 1024:.1f}")
    print(
        f"  once all {args.residents:,} residents had written ({arrived[0]:,} updates): ", end=""
    )
    print(f"{arrived[1] / 1024:.1f}")
    total = samples[-1][0]
    for quarter in (0.25, 0.5, 0.75, 1.0):
        s = min(samples, key=lambda s: abs(s[0] - quarter * total))
        print(f"  at {quarter:.0%} ({s[0] / 60:.1f} min, {s[1]:,} updates): {s[2] / 1024:.1f}")
    peak = max(s[2] for s in samples)
    print(f"  peak {peak / 1024:.1f}")
    last = samples[-1]
    grown = (last[2] - arrived[1]) / 1024
    per_10k = grown / max(last[1] - arrived[0], 1) * 10_000
    print(f"  from then to the end: {grown:+.1f} MB ({per_10k:+.2f} MB per 10,000 updates)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=40.0, help="updates a second")
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=2_000)
    parser.add_argument("--post-every", type=float, default=20.0, help="seconds")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="uptime-") as tmp:
        asyncio.run(run(Path(tmp), args))


if __name__ == "__main__":
    main()
