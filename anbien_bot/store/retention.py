"""Retention: settled outbox rows folded into totals and deleted, then their pages given back.

Every message ever sent would otherwise keep a row (about 190 bytes with its indexes: 10 GB a
year at 10,000 subscribers and 20 posts a day; benchmarks/year.py). Rows that are settled
(sent, blocked, cancelled) and older than ``settled_days`` are added to the totals /stats
reads (delivery_days, broadcast_totals) and deleted in the same unit of work, so every count
reads the same before and after; failed rows wait ``failed_days``, for the admins to look
into.

The work goes in batches of 200 rows, each its own short unit of work, and yields to the
event loop between them, so residents' commands and the sender never wait long for the
store. Rows are found by the indexes on sent_at and on the undelivered and cancelled rows'
queueing times: a run reads the rows it deletes, not the table.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..text.dates import to_iso
from ..values import DeliveryStatus
from .database import Database, literal

BATCH_ROWS = 200  # rows folded per unit of work: 3 ms typically, 40 ms at worst (a checkpoint)
BATCH_PAGES = 256  # pages (4 KiB) given back to the disk per step
VN_OFFSET = "+7 hours"  # days are Vietnam days, as /stats counts them

_SENT, _FAILED = literal(DeliveryStatus.SENT), literal(DeliveryStatus.FAILED)
_BLOCKED, _CANCELLED = literal(DeliveryStatus.BLOCKED), literal(DeliveryStatus.CANCELLED)

# The rows each pass folds, oldest first, each read from its own index: sent rows by when they
# were sent; the others by when they were queued, as /stats counts them.
_PASSES = {
    DeliveryStatus.SENT: "SELECT id FROM deliveries WHERE sent_at IS NOT NULL AND sent_at < ? "
    "ORDER BY sent_at LIMIT ?",
    DeliveryStatus.BLOCKED: "SELECT id FROM deliveries WHERE status IN "
    f"({_FAILED}, {_BLOCKED}) AND status = {_BLOCKED} AND created_at < ? "
    "ORDER BY created_at LIMIT ?",
    DeliveryStatus.CANCELLED: f"SELECT id FROM deliveries WHERE status = {_CANCELLED} "
    "AND created_at < ? ORDER BY created_at LIMIT ?",
    DeliveryStatus.FAILED: "SELECT id FROM deliveries WHERE status IN "
    f"({_FAILED}, {_BLOCKED}) AND status = {_FAILED} AND created_at < ? "
    "ORDER BY created_at LIMIT ?",
}
_BATCH = "(SELECT value FROM json_each(:ids))"
_COUNTS = f"""sum(status = {_SENT}), sum(status = {_FAILED}), sum(status = {_BLOCKED}),
    sum(status = {_CANCELLED})"""
_ADD_COUNTS = """sent = sent + excluded.sent, failed = failed + excluded.failed,
    blocked = blocked + excluded.blocked, cancelled = cancelled + excluded.cancelled"""
_FOLD = (
    f"""
    INSERT INTO delivery_days(day, kind, sent, failed, blocked, cancelled)
    SELECT date(CASE WHEN status = {_SENT} THEN sent_at ELSE created_at END, '{VN_OFFSET}'),
        CASE WHEN article_id IS NULL THEN 'broadcast' ELSE 'article' END, {_COUNTS}
    FROM deliveries WHERE id IN {_BATCH} GROUP BY 1, 2
    ON CONFLICT(day, kind) DO UPDATE SET {_ADD_COUNTS}
    """,
    f"""
    INSERT INTO broadcast_totals(broadcast_id, sent, failed, blocked, cancelled,
        first_queued, last_sent)
    SELECT broadcast_id, {_COUNTS}, min(created_at), max(sent_at)
    FROM deliveries WHERE id IN {_BATCH} AND broadcast_id IS NOT NULL GROUP BY broadcast_id
    ON CONFLICT(broadcast_id) DO UPDATE SET {_ADD_COUNTS},
        first_queued = min(first_queued, excluded.first_queued),
        last_sent = COALESCE(max(last_sent, excluded.last_sent), last_sent, excluded.last_sent)
    """,
    f"""
    UPDATE retention SET articles_through = max(articles_through,
        COALESCE((SELECT max(article_id) FROM deliveries WHERE id IN {_BATCH}), 0))
    """,
    f"DELETE FROM deliveries WHERE id IN {_BATCH}",
)


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one retention run did."""

    folded: dict[str, int]  # rows folded and deleted, by status
    batches: int
    longest_batch: float  # seconds the store was held by the longest batch
    pages_released: int  # 4 KiB pages given back to the disk
    seconds: float
    complete: bool  # False: stopped early (the bot was stopping); the next run goes on


class RetentionTable:
    """Folds old outbox rows into totals and gives the freed pages back."""

    db: Database

    async def fold_batch(self, status: DeliveryStatus, before: datetime, limit: int) -> int:
        """Fold up to limit rows of status settled before the moment into totals; delete them.

        Return how many were folded (fewer than limit: none of them is left).
        """
        async with self.db.transaction() as conn:
            cur = await conn.execute(_PASSES[status], (to_iso(before), limit))
            ids = json.dumps([row[0] for row in await cur.fetchall()])
            for statement in _FOLD:
                cur = await conn.execute(statement, {"ids": ids})
            return cur.rowcount

    async def run_retention(
        self,
        now: datetime,
        settled_days: int,
        failed_days: int,
        *,
        stopping: Callable[[], bool] = lambda: False,
    ) -> RetentionReport:
        """Fold every row retention allows, batch by batch, then give the pages back.

        Between two batches the event loop runs whatever waits (for the store, too), and
        ``stopping`` is asked whether to stop there: the bot is shutting down. What was
        folded by then stays folded; the next run goes on from there.
        """
        started = time.perf_counter()
        folded = dict.fromkeys(_PASSES, 0)
        batches, longest, released = 0, 0.0, 0
        settled, failed = now - timedelta(days=settled_days), now - timedelta(days=failed_days)
        passes = iter(_PASSES)
        status: DeliveryStatus | None = next(passes)
        while status is not None and not stopping():
            held = time.perf_counter()
            count = await self.fold_batch(
                status, failed if status == DeliveryStatus.FAILED else settled, BATCH_ROWS
            )
            longest = max(longest, time.perf_counter() - held)
            batches += 1
            folded[status] += count
            if count < BATCH_ROWS:
                status = next(passes, None)
            await asyncio.sleep(0)  # whoever waits for the store goes now
        while not stopping() and (step := await self.db.release_pages(BATCH_PAGES)):
            released += step
            await asyncio.sleep(0)
        if released:
            await self.db.checkpoint()
        if not stopping():
            await self.db.optimize()
        return RetentionReport(
            folded={str(k): v for k, v in folded.items()},
            batches=batches,
            longest_batch=longest,
            pages_released=released,
            seconds=time.perf_counter() - started,
            complete=status is None,
        )
