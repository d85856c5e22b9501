"""The command line: run the bot, try sources, check the config, fill the archive, upkeep."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import signal
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from .telegraphconfig import describe_telegraph
from .text.dates import format_vn

if TYPE_CHECKING:
    from .sources.ingest import Ingestor

log = logging.getLogger(__name__)

# Exit statuses, as the README lists them.
EXIT_CONFIG = 2  # the configuration is wrong, or Telegram refuses the token: fix, then rerun
EXIT_FAILED = 1  # the command ran but something failed (a source, a backup, a port)
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM before a one-shot command finished (128 + SIGINT)
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
        sub.add_argument(
            "--debug",
            action="store_true",
            help="log everything, tracebacks included (for a bug report)",
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
        "--once",
        action="store_true",
        help="poll each source once and exit (otherwise repeat); the exit status is 1 when "
        "a source failed. The running bot's polling schedule is left alone.",
    )
    command("check-config", "Check the configuration file and say what it configures.")
    command(
        "health",
        "Ask the running bot's /healthz (the [metrics] port) whether it works; status 0 if so.",
    )
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
    discover = command(
        "discover",
        "Find how to read a portal (its feed, else its pages) and print a [[sources]] block.",
    )
    discover.add_argument("url", metavar="URL", help="the portal's home page or a news category")
    discover.add_argument("--category", metavar="KEY", help="the category key for the block")
    discover.add_argument("--name", metavar="NAME", help="the source's name (default: the title)")
    discover.add_argument(
        "--allow-private",
        action="store_true",
        help="read a portal on a loopback or private address (the block gets allow_private)",
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
    telegraph = command("telegraph-account", "Create a Telegraph account; print its token once.")
    telegraph.add_argument("name", metavar="NAME", help="the account's name (1 to 32 characters)")
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
    try:
        return _command(args)
    except KeyboardInterrupt:  # Ctrl-C outside an event loop (loading, a backup)
        return EXIT_INTERRUPTED


def _command(args: argparse.Namespace) -> int:
    if args.command == "init":
        return init(args.path)
    if args.command == "discover":  # works without a config file: see discovery/command.py
        from .sources.discovery.command import discover_command

        return discover_command(
            args.url,
            config_path=args.config,
            category=args.category,
            name=args.name,
            allow_private=args.allow_private,
        )
    # (a backup or a health check needs no sources)
    warn = args.command not in ("backup", "health")
    config = _load(args.config, warn=warn, debug=args.debug)
    if config is None:
        return EXIT_CONFIG
    if args.command == "check-config":
        return check_config(config)
    if args.command == "health":
        return health(config)
    if args.command == "poll":
        if not args.once:
            until_stopped(poll(config, once=False))
            return 0  # polling goes on until stopped: that is how it ends
        return one_shot(poll(config, once=True))
    if args.command == "preview":
        from .sources.preview import preview

        return one_shot(preview(config, args.source, url=args.url))
    if args.command == "backup":
        return backup(config, args.to)
    if args.command == "maintain":
        return asyncio.run(maintain(config, vacuum=args.vacuum))
    if args.command == "telegraph-account":
        from .delivery.telegraphaccount import create_account_command

        return one_shot(create_account_command(config, args.name))
    if args.command == "backfill":
        from .sources.backfill import backfill

        return one_shot(backfill(config, source=args.source, pages=args.pages))
    return run(config)


def run(config: Config) -> int:
    """Run the bot until SIGINT or SIGTERM (status 0), or say in one line why it cannot."""
    if not config.telegram.token:
        print(
            "anbien-bot: config error: telegram.token: no bot token "
            "(set ANBIEN_BOT_TOKEN or telegram.token)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from telegram.error import InvalidToken

    from .bot.app import run as run_bot
    from .bot.lifecycle import StartError

    try:
        run_bot(config)
    except InvalidToken:
        # PTB's message quotes the token: say what is wrong without it.
        log.error("Telegram refused the bot token: check ANBIEN_BOT_TOKEN or telegram.token")
        return EXIT_CONFIG
    except StartError as exc:
        log.error("%s", exc)
        return EXIT_CONFIG if exc.lasting else EXIT_FAILED
    return 0


def one_shot(main: Coroutine[Any, Any, int]) -> int:
    """Run a command that ends by itself; return its status, or 130 if it was stopped."""
    status = until_stopped(main)
    return EXIT_INTERRUPTED if status is None else status


def until_stopped(main: Coroutine[Any, Any, int]) -> int | None:
    """Run main in an event loop; Ctrl-C or SIGTERM cancels it (its clean-up runs, without a
    traceback) and None is returned."""

    async def guarded() -> int | None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        try:
            return await main
        except asyncio.CancelledError:
            return None

    return asyncio.run(guarded())


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


def _load(path: Path | None, *, warn: bool, debug: bool = False) -> Config | None:
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
    secrets = [config.telegram.token, config.telegraph.access_token if config.telegraph else ""]
    setup_logging(secrets=secrets, level=logging.DEBUG if debug else logging.INFO)
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
    files = config.archive.files_dir
    if files.is_dir():
        # Not copied: they never change once written, so rsync backs them up incrementally.
        print(f"attached files are kept outside the database in {files}: copy them with")
        print(f"  rsync -a {files}/ <backup place>/files/")
    return 0


async def maintain(config: Config, *, vacuum: bool) -> int:
    """Run retention now, check the database's integrity and print what was found."""
    import sqlite3

    from .store import SchemaTooNewError, Store
    from .text.dates import utcnow

    try:
        store = await Store.open(config.storage.database, config.archive.files_dir)
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
    metrics = config.metrics
    where = f"http://{_host(metrics.listen)}:{metrics.port}" if metrics.enabled else None
    print(f"metrics: {where}/metrics and /healthz" if where else "metrics: off")
    print(describe_telegraph(config.telegraph))
    names = config.category_names
    print(f"categories ({len(names)}): " + ", ".join(f"{k} = {v}" for k, v in names.items()))
    for source in config.sources:
        cats = ", ".join(source.categories)
        print(f"source {source.name!r}: {source.type} {source.url} -> {cats}")
    print("config OK")
    return 0


def health(config: Config) -> int:
    """Print what the running bot's /healthz says; 0 when it is healthy, 1 otherwise."""
    from urllib.error import HTTPError
    from urllib.request import ProxyHandler, build_opener

    metrics = config.metrics
    if not metrics.enabled:
        print("anbien-bot: the metrics port is off: set [metrics] port", file=sys.stderr)
        return EXIT_CONFIG
    host = metrics.listen
    # A bot listening everywhere is asked on loopback.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    url = f"http://{_host(host)}:{metrics.port}/healthz"
    try:
        # Straight to the bot: an HTTP_PROXY in the environment has no business here.
        with build_opener(ProxyHandler({})).open(url, timeout=10) as response:
            print(response.read().decode().strip())
            return 0
    except HTTPError as exc:
        print(f"unhealthy: {exc.read().decode().strip()}", file=sys.stderr)
    except OSError as exc:
        print(f"no answer from {url}: {getattr(exc, 'reason', exc)}", file=sys.stderr)
    return EXIT_FAILED


def _host(address: str) -> str:
    """Return an address as the host part of a URL (an IPv6 one in brackets)."""
    return f"[{address}]" if ":" in address else address


@asynccontextmanager
async def open_ingestor(config: Config, *, one_shot: bool = False) -> AsyncIterator[Ingestor]:
    """Open the store and the fetcher for a command that reads sources, and close them after.

    ``one_shot``: see Ingestor.
    """
    from .sources.ingest import Ingestor, fetcher_for
    from .store import Store

    store = await Store.open(config.storage.database, config.archive.files_dir)
    try:
        async with fetcher_for(config) as fetcher:
            yield Ingestor(config, store, fetcher, one_shot=one_shot)
    finally:
        await store.close()


async def poll(config: Config, *, once: bool) -> int:
    """Poll every source (once, or at the interval until stopped) and print new articles.

    Once: the status is 1 when a source failed, and the polling schedule the running bot
    keeps (failures in a row, backoff, next poll time) is left alone.
    """
    names = config.category_names
    async with open_ingestor(config, one_shot=once) as ingestor:
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
                return EXIT_FAILED if any(o.error for o in outcomes) else 0
            await asyncio.sleep(min(config.polling.interval_seconds, 30))
