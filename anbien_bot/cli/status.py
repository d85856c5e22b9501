"""Exit statuses, and running a command's coroutine until it ends or is stopped."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from typing import Any

# Exit statuses, as the README lists them.
EXIT_CONFIG = 2  # the configuration is wrong, or Telegram refuses the token: fix, then rerun
EXIT_FAILED = 1  # the command ran but something failed (a source, a backup, a port)
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM before a one-shot command finished (128 + SIGINT)


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
