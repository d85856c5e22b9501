"""Logging: one line per event, quiet libraries, and no secret ever printed."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from types import TracebackType

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Format records on one line each and blank out secrets (the bot token) wherever they are."""

    def __init__(self, secrets: Iterable[str], fmt: str = _FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        """Return the formatted record with every secret replaced."""
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "<token>")
        # One event, one line: a traceback stays with its record in journald and in grep.
        return " | ".join(line.strip() for line in text.splitlines() if line.strip())


def setup_logging(secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    """Send one-line records to stderr, with secrets redacted and chatty libraries quieted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(list(secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for name in ("httpx", "httpcore", "apscheduler", "telegram.ext.Application"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # Python prints warnings and uncaught tracebacks to stderr itself, past the redaction;
    # PTB's InvalidToken message, for one, quotes the token.
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught


def _log_uncaught(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    """Log an exception nothing caught, through the redacting handler."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    logging.getLogger("anbien_bot").critical(
        "stopped by an uncaught error", exc_info=(kind, value, traceback)
    )
