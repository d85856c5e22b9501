"""Running the Application: reach Telegram with patience, serve until SIGINT or SIGTERM, stop.

python-telegram-bot's run_polling gives up at start after one failed try, with a traceback,
or (bootstrap_retries=-1) retries at its own pace and says nothing. A server that boots
before its network is up needs the bot to wait instead, and to say in one line per try what
failed, where and when it tries again. So this is run_polling's sequence (initialize,
post_init, start the updates, start; then updater.stop, stop, post_stop, shutdown,
post_shutdown) with that waiting around the steps that reach Telegram. A stop signal ends
any wait at once. A traceback is logged only at DEBUG level (``--debug``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from ..delivery.courier import _seconds as retry_seconds

log = logging.getLogger(__name__)

FIRST_WAIT = 1.0  # seconds before the second try; it doubles with each failure
MAX_WAIT = 60.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StartError(Exception):
    """The bot cannot start, for a reason that waiting will not mend; said in one line.

    ``lasting``: no restart mends it either (Telegram refuses the webhook URL), unlike a
    port that another process holds for now.
    """

    def __init__(self, message: str, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


async def serve(
    app: Application,
    *,
    start_updates: Callable[[], Awaitable[object]],
    updates_call: str,
    where: str,
) -> None:
    """Run app until SIGINT or SIGTERM, waiting as long as it takes for Telegram at start.

    ``start_updates`` starts the updater (long polling or the webhook), whose first Bot API
    call is ``updates_call``; ``where`` is the Bot API's address, named in the log.
    Raise InvalidToken when Telegram refuses the token, StartError when it refuses the set-up.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in _STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    quiet = _QuietBootstrap()
    ptb_log = logging.getLogger("telegram.ext")
    ptb_log.addFilter(quiet)
    opened = False
    try:
        if not await _patiently(app.initialize, "getMe", where, stop):
            return
        opened = True  # from here on, post_stop undoes what post_init starts
        if app.post_init:
            await app.post_init(app)
        if stop.is_set() or not await _patiently(start_updates, updates_call, where, stop):
            return
        ptb_log.removeFilter(quiet)
        await app.start()
        log.info("@%s is running; SIGTERM or Ctrl-C stops it", app.bot.username)
        await stop.wait()
        log.info("stopping: the messages being sent finish, the rest wait for the next start")
    finally:
        ptb_log.removeFilter(quiet)
        await _stop(app, opened)
        for sig in _STOP_SIGNALS:
            loop.remove_signal_handler(sig)


async def _patiently(
    step: Callable[[], Awaitable[object]], call: str, where: str, stop: asyncio.Event
) -> bool:
    """Run step until it succeeds (True) or stop is set (False), waiting longer each time
    Telegram cannot be reached.
    """
    wait = FIRST_WAIT
    while not stop.is_set():
        attempt = asyncio.ensure_future(step())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({attempt, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not attempt.done():
            attempt.cancel()
            await asyncio.wait({attempt})
            return False
        try:
            attempt.result()
            return True
        except RetryAfter as exc:
            error: TelegramError = exc
            delay = retry_seconds(exc)
            message = "Telegram at %s asked the bot to wait (%s: %s); trying again in %g s"
        except (BadRequest, Forbidden) as exc:
            # Telegram answered, and no number of tries changes its answer (a webhook URL it
            # will not take, say).
            raise StartError(f"Telegram refused {call} at {where}: {exc}", lasting=True) from exc
        except NetworkError as exc:  # no connection, DNS, timeouts, Telegram's 5xx
            error = exc
            delay, wait = wait, min(wait * 2, MAX_WAIT)
            message = "cannot reach Telegram at %s (%s: %s); trying again in %g s"
        debug = log.isEnabledFor(logging.DEBUG)
        log.warning(message, where, call, error, delay, exc_info=error if debug else None)
        try:
            async with asyncio.timeout(delay):
                await stop.wait()
        except TimeoutError:
            pass
    return False


async def _stop(app: Application, opened: bool) -> None:
    """Stop what was started, in run_polling's order; post_stop once post_init has run."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if opened and app.post_stop:
        await app.post_stop(app)
    await app.shutdown()
    await app.bot.shutdown()  # its HTTP clients, when getMe never succeeded
    if app.post_shutdown:
        await app.post_shutdown(app)


def polling_error(where: str) -> Callable[[TelegramError], None]:
    """Return the updater's error callback: one line per failed getUpdates, no traceback.

    python-telegram-bot tries again by itself, after 1 s and up to 30 s apart.
    """

    def report(exc: TelegramError) -> None:
        log.warning(
            "getUpdates to %s failed (%s); trying again shortly",
            where,
            exc,
            exc_info=exc if log.isEnabledFor(logging.DEBUG) else None,
        )

    return report


class _QuietBootstrap(logging.Filter):
    """Drop python-telegram-bot's own traceback of a failed start step, which
    ``_patiently`` has just said in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for a record of PTB's retry loop carrying a Telegram error."""
        error = record.exc_info[1] if record.exc_info else None
        return not (record.module == "networkloop" and isinstance(error, TelegramError))
