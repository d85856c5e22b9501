"""The command line: run the bot, try sources, check the config, fill the archive, upkeep."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import (
    Config,
    ConfigError,
    check_storage,
    config_warnings,
    find_config,
    load_config,
    starter_config,
)
from .log import setup_logging
from .text.dates import format_vn

if TYPE_CHECKING:
    from .sources.ingest import Ingestor

log = logging.getLogger(__name__)

EXIT_CONFIG = 2
EXIT_FAILED = 1
INIT_HELP = (
    "Write a commented starter config file (the An Biên categories and sources) to PATH, "
    "then say what to do next. It never overwrites a file."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anbien-bot",
        description="Telegram bot that carries the An Biên portal's news to its residents.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_, description=help_)
        sub.add_argument(
            "--config",
            type=Path,
            metavar="PATH",
            help="the configuration file (TOML); without it: ./config.toml, then "
            "~/.config/anbien-bot/config.toml, then /etc/anbien-bot/config.toml",
        )
        return sub

    init = commands.add_parser(
        "init", help="Write a commented starter config file.", description=INIT_HELP
    )
    init.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("config.toml"),
        metavar="PATH",
        help="where to write it (default: ./config.toml); an existing file is left alone",
    )

    command("run", "Run the bot: poll sources, deliver posts, answer residents.")
    poll = command("poll", "Fetch every source, store new articles and print them (no token).")
    poll.add_argument(
        "--once", action="store_true", help="poll each source once and exit (otherwise repeat)"
    )
    command("check-config", "Check the configuration file and say what it configures.")
    preview = command(
        "preview", "Fetch a source's listing and first article now and show what was extracted."
    )
    preview.add_argument("--source", required=True, metavar="NAME", help="the source's name")
    preview.add_argument(
        "--url",
        metavar="ARTICLE_URL",
        help="show this article page instead, read with the source's selectors",
    )
    backfill = command(
        "backfill", "Store sources' older articles so residents can search them; notify no one."
    )
    backfill.add_argument("--source", metavar="NAME", help="only this source (default: all)")
    backfill.add_argument(
        "--pages",
        type=_page_count,
        default=10,
        metavar="N",
        help="listing pages to walk from each listing URL of an HTML source (default: 10)",
    )
    backup = command("backup", "Copy the database to a file, safely while the bot runs.")
    backup.add_argument(
        "--to",
        required=True,
        metavar="FILE|DIR",
        help="the file to write, or a directory to write a dated copy into",
    )
    maintain = command(
        "maintain",
        "Fold old deliveries into the daily totals now (the bot does it daily), give the "
        "space back and check the database; safe while the bot runs.",
    )
    maintain.add_argument(
        "--vacuum",
        action="store_true",
        help="first rewrite the whole file, which lets a database made by an older bot give "
        "space back to the disk: once, and only with the bot stopped",
    )
    return parser


def _page_count(value: str) -> int:
    """Parse --pages: a whole number from 1 up."""
    try:
        pages = int(value)
    except ValueError:
        pages = 0
    if pages < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 up, got {value!r}")
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "init":
        return init(args.path)
    config = _load(args.config, warn=args.command != "backup")  # (a backup needs no sources)
    if config is None:
        return EXIT_CONFIG
    if args.command == "check-config":
        return check_config(config)
    if args.command == "poll":
        return asyncio.run(poll(config, once=args.once))
    if args.command == "preview":
        from .sources.preview import preview

        return asyncio.run(preview(config, args.source, url=args.url))
    if args.command == "backup":
        return backup(config, args.to)
    if args.command == "maintain":
        return asyncio.run(maintain(config, vacuum=args.vacuum))
    if args.command == "backfill":
        from .sources.backfill import backfill

        return asyncio.run(backfill(config, source=args.source, pages=args.pages))
    if not config.telegram.token:
        print(
            "anbien-bot: config error: telegram.token: no bot token "
            "(set ANBIEN_BOT_TOKEN or telegram.token)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from telegram.error import InvalidToken

    from .bot.app import run

    try:
        run(config)
    except InvalidToken:
        # PTB's message quotes the token: say what is wrong without it.
        log.error("Telegram refused the bot token: check ANBIEN_BOT_TOKEN or telegram.token")
        return EXIT_CONFIG
    return 0


def init(path: Path) -> int:
    """Write the starter config to path, never over an existing file, and say what is next."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:
            file.write(starter_config())
    except FileExistsError:
        print(
            f"anbien-bot: {path} already exists; it was left alone "
            "(check it with `anbien-bot check-config`, or give init another path)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except OSError as exc:
        print(f"anbien-bot: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        found = find_config() == path.absolute()
    except ConfigError:
        found = False
    option = "" if found else f" --config {shlex.quote(str(path))}"
    print(
        f"wrote a starter config to {path}\n"
        "next:\n"
        "  1. get a bot token from @BotFather, then: export ANBIEN_BOT_TOKEN='123456789:AA...'\n"
        f"  2. edit {path}: your Telegram user id in telegram.admins, your [[sources]]\n"
        f"  3. anbien-bot check-config{option}\n"
        f"  4. anbien-bot run{option}"
    )
    return 0


def _load(path: Path | None, *, warn: bool) -> Config | None:
    """Find (unless given), load and check the config, then set up logging.

    Return None after one line on stderr when the config is missing or wrong.
    """
    found = path is None
    try:
        if path is None:
            path = find_config()
        config = load_config(path)
        check_storage(config)
    except ConfigError as exc:
        where = f" (in {path}, found without --config)" if found and path else ""
        print(f"anbien-bot: config error: {exc}{where}", file=sys.stderr)
        return None
    setup_logging(secrets=[config.telegram.token])
    if found:
        log.info("using the config file %s (no --config given)", path)
    if warn:
        for warning in config_warnings(config):
            log.warning("%s", warning)
    return config


def backup(config: Config, target: str) -> int:
    """Copy the database to target while the bot may be running; print where and how big."""
    from .store.backup import BackupError, BackupRefused, backup_database

    try:
        written = backup_database(config.storage.database, target)
    except BackupRefused as exc:
        print(f"anbien-bot: backup refused: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BackupError as exc:
        print(f"anbien-bot: backup failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    size = written.stat().st_size
    print(f"backup of {config.storage.database} written to {written} ({size} bytes)")
    return 0


async def maintain(config: Config, *, vacuum: bool) -> int:
    """Run retention now, check the database's integrity and print what was found."""
    import sqlite3

    from .store import SchemaTooNewError, Store
    from .text.dates import utcnow

    try:
        store = await Store.open(config.storage.database)
        try:
            if vacuum:
                await store.db.vacuum()
            keep = config.retention
            report = await store.run_retention(utcnow(), keep.settled_days, keep.failed_days)
            problems = await store.db.integrity_problems()
        finally:
            await store.close()
    except (sqlite3.Error, SchemaTooNewError) as exc:
        print(f"anbien-bot: {config.storage.database}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    folded = ", ".join(f"{count} {status}" for status, count in report.folded.items())
    size = config.storage.database.stat().st_size
    print(f"folded into the daily totals: {folded}; {report.pages_released} pages freed")
    print(f"{config.storage.database}: {size / 1e6:.1f} MB")
    for problem in problems:
        print(f"anbien-bot: integrity check: {problem}", file=sys.stderr)
    if problems:
        print("restore the latest backup (see README, Backups)", file=sys.stderr)
        return EXIT_FAILED
    print("database OK")
    return 0


def check_config(config: Config) -> int:
    """Print a summary of a configuration that loaded without errors."""
    print(f"database: {config.storage.database}")
    print(f"token: {'set' if config.telegram.token else 'missing (needed for run)'}")
    print(f"admins: {len(config.telegram.admins)}")
    print(f"portal: {config.bot.portal_name}")
    print(f"polling every {config.polling.interval_seconds:g} s")
    names = config.category_names
    print(f"categories ({len(names)}): " + ", ".join(f"{k} = {v}" for k, v in names.items()))
    for source in config.sources:
        cats = ", ".join(source.categories)
        print(f"source {source.name!r}: {source.type} {source.url} -> {cats}")
    print("config OK")
    return 0


@asynccontextmanager
async def open_ingestor(config: Config) -> AsyncIterator[Ingestor]:
    """Open the store and the fetcher for a command that reads sources, and close them after."""
    from .sources.ingest import Ingestor, fetcher_for
    from .store import Store

    store = await Store.open(config.storage.database)
    try:
        async with fetcher_for(config) as fetcher:
            yield Ingestor(config, store, fetcher)
    finally:
        await store.close()


async def poll(config: Config, *, once: bool) -> int:
    """Poll every source (once, or at the interval until interrupted) and print new articles."""
    names = config.category_names
    async with open_ingestor(config) as ingestor:
        while True:
            outcomes = await ingestor.poll_due(force=once)
            for outcome in outcomes:
                if outcome.error:
                    print(f"! {outcome.source}: {outcome.error}", file=sys.stderr)
                for article_id in outcome.result.new:
                    article = await ingestor.store.article(article_id)
                    if article is None:
                        continue
                    cats = ", ".join(names.get(c, c) for c in article.categories)
                    print(
                        f"{format_vn(article.published)}  [{cats}]  {article.title}  {article.url}"
                    )
            if once:
                return 0
            await asyncio.sleep(min(config.polling.interval_seconds, 30))
