"""init: write the starter config file and say what to do next."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from ..config import ConfigError, find_config, starter_config
from .status import EXIT_FAILED


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
