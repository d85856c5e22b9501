"""The command line's arguments: one subcommand each, with its help."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__

INIT_HELP = (
    "Write a commented starter config file (the An Biên categories and sources) to PATH, "
    "then say what to do next. It never overwrites a file."
)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the whole command line."""
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
        type=page_count,
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


def page_count(value: str) -> int:
    """Parse --pages: a whole number from 1 up."""
    try:
        pages = int(value)
    except ValueError:
        pages = 0
    if pages < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 up, got {value!r}")
    return pages
