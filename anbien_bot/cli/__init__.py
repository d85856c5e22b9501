"""The command line: run the bot, try sources, check the config, fill the archive, upkeep.

One module per concern: arguments.py (the parser), status.py (exit statuses, running a
command to its end), starter.py (init), checks.py (check-config, health), database.py
(backup, maintain), polling.py (poll). Running the bot and loading the config stay here,
whose log lines carry the name ``anbien_bot.cli``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from ..config import Config, ConfigError, check_storage, config_warnings, find_config, load_config
from ..log import setup_logging
from .arguments import build_parser
from .checks import check_config, health
from .database import backup, maintain
from .polling import poll
from .starter import init
from .status import EXIT_CONFIG, EXIT_FAILED, EXIT_INTERRUPTED, one_shot, until_stopped

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _command(args)
    except KeyboardInterrupt:  # Ctrl-C outside an event loop (loading, a backup)
        return EXIT_INTERRUPTED


def _command(args: argparse.Namespace) -> int:
    if args.command == "init":
        return init(args.path)
    if args.command == "discover":  # works without a config file: see discovery/command.py
        from ..sources.discovery.command import discover_command

        return discover_command(
            args.url,
            config_path=args.config,
            category=args.category,
            name=args.name,
            allow_private=args.allow_private,
        )
    # (a backup or a health check needs no sources; telegraph-account makes the token)
    warn = args.command not in ("backup", "health", "telegraph-account")
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
        from ..sources.preview import preview

        return one_shot(preview(config, args.source, url=args.url))
    if args.command == "backup":
        return backup(config, args.to)
    if args.command == "maintain":
        return asyncio.run(maintain(config, vacuum=args.vacuum))
    if args.command == "telegraph-account":
        from ..delivery.telegraphaccount import create_account_command

        return one_shot(create_account_command(config, args.name))
    if args.command == "backfill":
        from ..sources.backfill import backfill

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

    from ..bot.app import run as run_bot
    from ..bot.lifecycle import StartError

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
