"""Fan one post with a photo out to many private subscribers through the loopback fake Bot API.

Run from the repository root: ``python benchmarks/fanout.py [--subscribers N]`` (10,000 by
default; the paced run then takes about six minutes). The fake Telegram runs in this process;
every sender runs in a child process of its own, so its CPU time and peak memory are its own.

(a) At Telegram's limit of 30 msg/s: the sustained rate over the run, spacing violations in
    the fake's own timestamps (more than 30 sends in any second, or two sends to one private
    chat less than 1 s apart), and how often the photo was sent by URL or uploaded.
(b) With every limit off: our sender's rate and CPU per message beside a bare
    python-telegram-bot loop against the same fake (send_message, as the issue asks, and
    send_photo by file_id, which is what our sender sends).
(c) The peak resident memory of each sender process.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from anbien_bot.config import load_config  # noqa: E402
from anbien_bot.delivery.planner import Planner  # noqa: E402
from anbien_bot.models import Entry  # noqa: E402
from anbien_bot.store import Store  # noqa: E402
from anbien_bot.text.dates import to_iso  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.harness import write_config  # noqa: E402

LIMIT = 30  # Telegram's overall limit, msg/s
NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
IMAGE = "https://anbien.example.vn/PublishingImages/TinTuc/bao-so-3.jpg"
MODES = ("sender", "bare-message", "bare-photo")
FLOORS = {"rate": 29.0, "violations": 0, "photo_fetches": 1, "bare_share": 0.75, "rss_mb": 150}


# -- setting up -------------------------------------------------------------------------------


def configure(directory: Path, base_url: str, **delivery: Any) -> Path:
    """Write the config of one run (8 sends in flight, the default) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    return write_config(
        directory, telegram={"api_base_url": base_url}, delivery={"concurrency": 8, **delivery}
    )


async def prepare(directory: Path, base_url: str, subscribers: int, **delivery: Any) -> Path:
    """Write a config and a database with one photo post queued for every subscriber."""
    config = configure(directory, base_url, **delivery)
    db_path = directory / "bot.sqlite3"
    store = await Store.open(db_path)
    try:
        chats = range(1, subscribers + 1)
        with sqlite3.connect(db_path) as conn:
            conn.executemany(
                "INSERT INTO chats(id, type, language, created_at, updated_at) "
                "VALUES (?, 'private', 'vi', ?, ?)",
                [(chat, to_iso(NOW), to_iso(NOW)) for chat in chats],
            )
            conn.executemany(
                "INSERT INTO subscriptions(chat_id, category, created_at) "
                "VALUES (?, 'thong-bao', ?)",
                [(chat, to_iso(NOW)) for chat in chats],
            )
        post = Entry(
            key="3001",
            url="https://anbien.example.vn/trang/TinTuc/17/3001/canh-bao-bao-so-3.html",
            title="Cảnh báo bão số 3: người dân ven biển khẩn trương gia cố nhà cửa",
            summary=(
                "Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn huyện yêu cầu các xã, "
                "thị trấn kêu gọi tàu thuyền vào nơi trú ẩn an toàn trước 17 giờ ngày 6/9."
            ),
            image_url=IMAGE,
            published=NOW,
        )
        await store.store_entries("Cổng huyện", ["thong-bao"], [post], now=NOW, plan=Planner())
        while await store.expand_fanouts():  # every row written before the timed send
            pass
    finally:
        await store.close()
    return config


async def child(mode: str, config_path: Path) -> dict[str, Any]:
    """Run one sender (ours or a bare loop) to the end; return its rate, CPU and memory."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from anbien_bot.delivery.render import render_post
    from anbien_bot.delivery.sender import Sender

    config = load_config(config_path, environ={})
    store = await Store.open(config.storage.database)
    request = HTTPXRequest(connection_pool_size=2 * config.delivery.concurrency)
    async with Bot(
        config.telegram.token, base_url=config.telegram.api_base_url, request=request
    ) as bot:
        article = await store.article(1)
        assert article is not None
        caption = render_post(article, "vi", config.category_names).text
        chats = range(1, await store.pending_deliveries() + 1)
        file_id = None
        if mode == "bare-photo":  # the photo's file_id, as our sender has it after one send
            file_id = (await bot.send_photo(chats[0], IMAGE, caption=caption)).photo[-1].file_id
            chats = chats[1:]
        cpu, wall = _cpu(), time.perf_counter()
        if mode == "sender":
            sender = Sender(bot, store, config)
            sender.start()
            await sender.wait_idle()
            sent, late = sender.stats["sent"], sender.stats["late"]
            left = await store.pending_deliveries()
            cpu, wall = _cpu() - cpu, time.perf_counter() - wall
            await sender.stop()
            assert left == 0, f"{left} deliveries left"
        else:
            for chat in chats:
                if file_id is None:
                    await bot.send_message(chat, caption, parse_mode="HTML")
                else:
                    await bot.send_photo(chat, file_id, caption=caption, parse_mode="HTML")
            sent, late = len(chats), 0
            cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    await store.close()
    return {
        "sent": sent,
        "seconds": wall,
        "cpu": cpu,
        "late": late,
        "rss_mb": _own_peak_kb() / 1024,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _own_peak_kb() -> int:
    """Return this process's own peak resident memory (VmHWM), in KiB.

    ru_maxrss is no good in a child: Linux folds the parent's peak at the fork into it when
    the child execs, so every child would look as big as this benchmark's parent.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_child(mode: str, config: Path) -> dict[str, Any]:
    """Run a child process in mode against config and return what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--child",
        mode,
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=3600)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{err.decode()[-3000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])


# -- measuring ------------------------------------------------------------------------------


def global_violations(stamps: list[float], limit: int) -> int:
    """Return how many sends open a one-second window (half-open) holding over limit sends."""
    stamps = sorted(stamps)
    return sum(
        1
        for i, start in enumerate(stamps)
        if bisect.bisect_left(stamps, start + 1.0, lo=i) - i > limit
    )


def chat_violations(fake: FakeTelegram, interval: float) -> int:
    """Return how many sends came less than interval after the previous one to their chat."""
    last: dict[int, float] = {}
    count = 0
    for call in sorted(fake.sent(), key=lambda c: c.at):
        if call.chat_id in last and call.at - last[call.chat_id] < interval:
            count += 1
        last[call.chat_id] = call.at
    return count


async def paced(subscribers: int, work: Path) -> dict[str, Any]:
    """Run (a): our sender at 30 msg/s."""
    async with FakeTelegram() as fake:
        config = await prepare(
            work / "paced", fake.base_url, subscribers, messages_per_second=LIMIT
        )
        result = await run_child("sender", config)
        sends = fake.sent()
        stamps = sorted(c.at for c in sends)
        photos = [c for c in fake.calls if c.method == "sendPhoto"]
        by_url = sum(1 for c in photos if str(c.params.get("photo", "")).startswith("http"))
        return {
            **result,
            "delivered": len({c.chat_id for c in sends}),
            "rate": (len(stamps) - 1) / (stamps[-1] - stamps[0]),
            "global_violations": global_violations(stamps, LIMIT),
            "chat_violations": chat_violations(fake, 1.0),
            "photo_by_url": by_url,
            "photo_uploads": fake.uploads,
            "photo_by_file_id": len(photos) - by_url - fake.uploads,
        }


async def unpaced(subscribers: int, work: Path, rounds: int) -> dict[str, dict[str, Any]]:
    """Run (b): ours and two bare loops with every limit off, in turns, the median of each.

    The three take turns so that a neighbour's load on the machine falls on all of them.
    """
    off = {"messages_per_second": 0, "private_interval_seconds": 0, "group_interval_seconds": 0}
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for turn in range(rounds):
        for mode in MODES:
            async with FakeTelegram() as fake:
                config = await prepare(work / f"{mode}-{turn}", fake.base_url, subscribers, **off)
                result = await run_child(mode, config)
                result["delivered"] = len({c.chat_id for c in fake.sent()})
                result["rate"] = result["sent"] / result["seconds"]
                runs[mode].append(result)
    medians = {}
    for mode, results in runs.items():
        ordered = sorted(results, key=lambda r: r["rate"])
        medians[mode] = {**ordered[(len(ordered) - 1) // 2], "rates": [r["rate"] for r in results]}
    return medians


def report(
    subscribers: int,
    a: dict[str, Any] | None,
    b: dict[str, dict[str, Any]] | None,
    rounds: int,
) -> None:
    """Print every figure with its floor."""
    print(f"fan-out of one photo post to {subscribers:,} private subscribers (loopback fake)")
    peaks = []
    if a is not None:
        print(f"\n(a) limit {LIMIT} msg/s, concurrency 8")
        print(f"  delivered            {a['delivered']:,} in {a['seconds']:.1f} s")
        print(f"  sustained rate       {a['rate']:.2f} msg/s   (floor >= {FLOORS['rate']})")
        print(f"  global violations    {a['global_violations']}   (floor {FLOORS['violations']})")
        print(f"  per-chat violations  {a['chat_violations']}   (floor {FLOORS['violations']})")
        print(
            f"  photo by URL {a['photo_by_url']}, uploads {a['photo_uploads']}, "
            f"by file_id {a['photo_by_file_id']:,}   (floor: exactly 1 by URL or upload)"
        )
        print(f"  CPU per message      {1000 * a['cpu'] / max(a['sent'], 1):.2f} ms")
        print(f"  slots missed, re-paced  {a['late']}")
        peaks.append(("paced", a))
    if b is not None:
        print(f"\n(b) limits off, concurrency 8, side by side (median of {rounds} turns)")
        print(f"  {'':28}{'msg/s':>9}{'CPU ms/msg':>12}{'peak RSS MB':>13}")
        names = {
            "sender": "our sender (sendPhoto)",
            "bare-message": "bare send_message loop",
            "bare-photo": "bare send_photo loop",
        }
        for mode, name in names.items():
            r = b[mode]
            cpu = 1000 * r["cpu"] / max(r["sent"], 1)
            turns = ", ".join(f"{x:.0f}" for x in r["rates"])
            print(f"  {name:28}{r['rate']:9.1f}{cpu:12.2f}{r['rss_mb']:13.1f}   turns: {turns}")
        for mode in MODES[1:]:
            share = b["sender"]["rate"] / b[mode]["rate"]
            print(f"  ours / {names[mode]:21}{share:8.1%}   (floor >= {FLOORS['bare_share']:.0%})")
        peaks.append(("unpaced", b["sender"]))
    shown = ", ".join(f"{r['rss_mb']:.1f} MB {kind}" for kind, r in peaks)
    print(f"\n(c) peak RSS of the sender process: {shown}   (floor <= {FLOORS['rss_mb']} MB)")
    print(
        "    VmHWM of the child; its ru_maxrss ("
        + ", ".join(f"{r['maxrss_mb']:.1f} MB" for _, r in peaks)
        + ") also counts this parent's memory at the fork"
    )


async def main_async(args: argparse.Namespace) -> int:
    # The fake stands in for Telegram and stamps each request as it arrives: a long pass of
    # this process's garbage collector would stamp a few late, and count against the sender.
    gc.collect()
    gc.freeze()
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        work = Path(tmp)
        b = None if args.skip_unpaced else await unpaced(args.subscribers, work, args.rounds)
        a = None if args.skip_paced else await paced(args.subscribers, work)
    report(args.subscribers, a, b, args.rounds)
    return 0


def main() -> int:
    """Parse the command line and run the benchmark (or one of its children)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--skip-paced", action="store_true", help="only run (b) and (c)")
    parser.add_argument("--skip-unpaced", action="store_true", help="only run (a) and (c)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of (b); the median counts")
    parser.add_argument("--child", choices=("sender", "bare-message", "bare-photo"))
    parser.add_argument("--config", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.config))))
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
