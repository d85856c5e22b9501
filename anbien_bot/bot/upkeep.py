"""The bot's daily upkeep: old outbox rows folded into the daily totals, space given back.

Run as a job at a quiet hour; its batches give way to residents' commands and the sender
(store/retention.py), and it stops between two batches when the bot stops.
"""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import Application

from ..text.dates import VN_TZ, utcnow
from .services import BotContext

log = logging.getLogger(__name__)

RETENTION_TIME = time(3, 30, tzinfo=VN_TZ)  # residents asleep, no digest due (6h at the earliest)


def schedule(app: Application) -> None:
    """Run retention every day at RETENTION_TIME."""
    assert app.job_queue is not None
    app.job_queue.run_daily(
        run_retention,
        RETENTION_TIME,
        name="retention",
        # A run that starts late (the machine was busy, asleep) is still wanted, once.
        job_kwargs={"misfire_grace_time": 6 * 3600, "coalesce": True, "max_instances": 1},
    )


async def run_retention(context: BotContext) -> None:
    """Fold the outbox rows retention allows into the totals and log what it did."""
    svc, app = context.services, context.application
    keep = svc.config.retention
    report = await svc.store.run_retention(
        utcnow(), keep.settled_days, keep.failed_days, stopping=lambda: not app.running
    )
    log.info(
        "retention: folded %s in %d batches (longest %.0f ms), %d pages given back, %.1f s%s",
        " ".join(f"{status}={count}" for status, count in report.folded.items()),
        report.batches,
        1000 * report.longest_batch,
        report.pages_released,
        report.seconds,
        "" if report.complete else " (stopped early: the bot is stopping)",
    )
