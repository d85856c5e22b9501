"""The delivery outbox: what each chat is owed, and what Telegram answered.

Rows are claimed in memory by the sender, never by a status in the table: a row is
``pending`` until Telegram has answered for it, so a crash at any moment leaves nothing
stranded, and a restart simply sends every pending row again.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..text.dates import from_iso, to_iso
from ..values import BroadcastStatus, DeliveryStatus
from .database import Database, literal
from .expansion import LAST_CHAT, expand_next

_PENDING, _SENT = literal(DeliveryStatus.PENDING), literal(DeliveryStatus.SENT)
_FAILED, _BLOCKED = literal(DeliveryStatus.FAILED), literal(DeliveryStatus.BLOCKED)
_CANCELLED = literal(DeliveryStatus.CANCELLED)

# A chat's messages go in this order: urgent first, then by the article's publication (a
# broadcast by the time it was queued: ordered_at), then first queued first. The indexes
# deliveries_queue (every chat) and deliveries_chat_queue (per chat) hold pending rows so.
_ORDER = "d.priority DESC, d.ordered_at, d.id"

# Whether row d is the head of its chat's queue: no pending row of the chat goes before it.
_IS_HEAD = f"""d.id = (
    SELECT e.id FROM deliveries e WHERE e.chat_id = d.chat_id AND e.status = {_PENDING}
    ORDER BY e.priority DESC, e.ordered_at, e.id LIMIT 1)"""

# Each chat's head row, among the pending rows of chats the sender is not busy with, read in
# sending order until :limit are found: a chat whose head is not yet due waits as a whole,
# so its later rows never overtake the head. A chat that a fan-out still being expanded has
# not reached yet waits too: that post may go before what it has now.
_DUE_HEADS = f"""
    SELECT d.id, d.chat_id, d.article_id, d.broadcast_id, d.priority, d.attempts,
        d.ordered_at, c.type, c.language,
        (SELECT count(*) FROM deliveries e
         WHERE e.chat_id = d.chat_id AND e.status = {_PENDING}) AS queued,
        {{due_posts}} AS due_posts
    FROM deliveries d INDEXED BY deliveries_queue JOIN chats c ON c.id = d.chat_id
    WHERE d.status = {_PENDING} AND d.not_before <= :now
        AND d.chat_id <= (SELECT COALESCE(min(reached), {LAST_CHAT}) FROM fanouts)
        AND d.chat_id NOT IN (SELECT value FROM json_each(:busy))
        AND {_IS_HEAD}
    ORDER BY {_ORDER} LIMIT :limit
"""
# How many due posts wait in a head's chat at its priority (for collapsing them into a list).
_DUE_POSTS = f"""(SELECT count(*) FROM deliveries e
    WHERE e.chat_id = d.chat_id AND e.status = {_PENDING} AND e.priority = d.priority
        AND e.article_id IS NOT NULL AND e.not_before <= :now)"""
# When the first head that is not yet due falls due.
_NEXT_DUE = f"""
    SELECT d.not_before FROM deliveries d INDEXED BY deliveries_due
    WHERE d.status = {_PENDING} AND d.not_before > :now
        AND d.chat_id NOT IN (SELECT value FROM json_each(:busy)) AND {_IS_HEAD}
    ORDER BY d.not_before LIMIT 1
"""


def _round_up(moment: datetime) -> datetime:
    """Return moment rounded up to the whole second, the precision of stored times."""
    if moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One pending outbox row at the head of its chat's queue, as the sender claims it."""

    id: int
    chat_id: int
    chat_type: str
    language: str
    article_id: int | None
    broadcast_id: int | None
    priority: int
    attempts: int  # tries already made
    ordered_at: int  # the publication (or queueing) time that orders the chat's rows (Unix)
    due_posts: int  # this chat's due post rows at this priority, the head included
    queued: int  # this chat's pending rows, the head included, due or not


@dataclass(frozen=True, slots=True)
class FanoutReport:
    """Where one article's (or broadcast's) deliveries stand."""

    recipients: int
    pending: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    seconds: float  # from the first row queued to the last message sent
    expanding: bool = False  # more rows are still to be written (store/expansion.py)


class OutboxTable:
    """Reads and writes delivery rows and the cache of Telegram's photo file ids."""

    db: Database

    async def due_deliveries(
        self, now: datetime, limit: int, busy: Collection[int] = (), *, count_posts: bool = True
    ) -> tuple[list[Delivery], datetime | None]:
        """Return up to limit due chat heads in sending order, and when the next one falls due.

        Chats in ``busy`` (claimed in memory) are skipped. The second value is only looked up
        when fewer than limit rows are due: then it is the earliest not_before of a waiting
        head, or None when nothing is pending. Without ``count_posts`` (no collapsing), each
        head's due_posts is 1 and the query is cheaper.
        """
        params = {"now": to_iso(now), "busy": json.dumps(list(busy)), "limit": limit}
        heads = _DUE_HEADS.format(due_posts=_DUE_POSTS if count_posts else "1")
        async with self.db.reading() as conn:
            cur = await conn.execute(heads, params)
            rows = await cur.fetchall()
            next_due = None
            if len(rows) < limit:
                cur = await conn.execute(_NEXT_DUE, params)
                first = await cur.fetchone()
                next_due = None if first is None else from_iso(first[0])
        deliveries = [
            Delivery(
                id=row["id"],
                chat_id=row["chat_id"],
                chat_type=row["type"],
                language=row["language"],
                article_id=row["article_id"],
                broadcast_id=row["broadcast_id"],
                priority=row["priority"],
                attempts=row["attempts"],
                ordered_at=row["ordered_at"],
                due_posts=row["due_posts"],
                queued=row["queued"],
            )
            for row in rows
        ]
        return deliveries, next_due

    async def due_posts(self, chat_id: int, priority: int, now: datetime) -> list[tuple[int, int]]:
        """Return (delivery id, article id) of a chat's due post rows at priority, in order.

        The rows stop at the first one not yet due or not a post (a broadcast), so nothing
        later overtakes it.
        """
        async with self.db.reading() as conn:
            cur = await conn.execute(
                f"""
                SELECT d.id, d.article_id, d.not_before <= ? AS due
                FROM deliveries d
                WHERE d.chat_id = ? AND d.status = {_PENDING} AND d.priority = ?
                ORDER BY {_ORDER}
                """,
                (to_iso(now), chat_id, priority),
            )
            rows = await cur.fetchall()
        posts = []
        for row in rows:
            if not row["due"] or row["article_id"] is None:
                break
            posts.append((row["id"], row["article_id"]))
        return posts

    async def mark_sent(
        self, messages: Sequence[tuple[Sequence[int], int]], now: datetime
    ) -> None:
        """Record, in one unit of work, the rows each accepted message (its id) carried."""
        pairs = json.dumps([[i, message_id] for ids, message_id in messages for i in ids])
        # This runs once per message sent: one statement, no BEGIN/COMMIT round trips.
        async with self.db.single_statement() as conn:
            # By id only: the message went out, whatever happened to the row meanwhile.
            await conn.execute(
                f"""
                UPDATE deliveries SET status = {_SENT}, sent_at = :now, error = NULL,
                    attempts = attempts + 1,
                    message_id = (SELECT value ->> 1 FROM json_each(:pairs)
                                  WHERE value ->> 0 = deliveries.id)
                WHERE id IN (SELECT value ->> 0 FROM json_each(:pairs))
                """,
                {"now": to_iso(now), "pairs": pairs},
            )

    async def retry_delivery(
        self, ids: Sequence[int], not_before: datetime, error: str, *, count: bool = True
    ) -> None:
        """Put rows back to wait until not_before, counting the try unless it was not theirs.

        Times are stored to the second: not_before is rounded up, never down, so a row never
        goes before the moment Telegram's retry_after allows.
        """
        later = to_iso(_round_up(not_before))
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE deliveries SET not_before = ?, error = ?, attempts = attempts + ? "
                f"WHERE id = ? AND status = {_PENDING}",
                [(later, error, int(count), i) for i in ids],
            )

    async def mark_failed(self, ids: Sequence[int], error: str) -> None:
        """Give up on rows for good, keeping the reason."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                f"UPDATE deliveries SET status = {_FAILED}, error = ?, attempts = attempts + 1 "
                f"WHERE id = ? AND status = {_PENDING}",
                [(error, i) for i in ids],
            )

    async def fanout_report(
        self, *, article_id: int | None = None, broadcast_id: int | None = None
    ) -> FanoutReport:
        """Return the counts of one article's (or one broadcast's) deliveries by status.

        A broadcast's rows that retention folded count from broadcast_totals.
        """
        column, key = (
            ("article_id", article_id)
            if article_id is not None
            else (
                "broadcast_id",
                broadcast_id,
            )
        )
        async with self.db.reading() as conn:
            cur = await conn.execute(
                f"""
                SELECT count(*), total(status = {_PENDING}), total(status = {_SENT}),
                    total(status = {_FAILED}), total(status = {_BLOCKED}),
                    total(status = {_CANCELLED}), min(created_at), max(sent_at),
                    EXISTS (SELECT 1 FROM fanouts WHERE article_id IS ?)
                FROM deliveries WHERE {column} = ?
                """,
                (article_id, key),
            )
            row = await cur.fetchone()
            folded = (0, 0, 0, 0, 0, 0, None, None)
            if broadcast_id is not None:
                cur = await conn.execute(
                    "SELECT sent + failed + blocked + cancelled, 0, sent, failed, blocked, "
                    "cancelled, first_queued, last_sent "
                    "FROM broadcast_totals WHERE broadcast_id = ?",
                    (broadcast_id,),
                )
                folded = await cur.fetchone() or folded
        counts = [int(row[i] + folded[i]) for i in range(6)]
        first = min((t for t in (row[6], folded[6]) if t), default=None)
        last = max((t for t in (row[7], folded[7]) if t), default=None)
        seconds = (from_iso(last) - from_iso(first)).total_seconds() if first and last else 0.0
        return FanoutReport(*counts, seconds=max(seconds, 0.0), expanding=bool(row[8]))

    async def expand_fanouts(self) -> bool:
        """Write the next batch of a new post's outbox rows; return whether more remain.

        Each batch is its own short unit of work, so residents' commands and the sender's
        own writes get the store between two batches.
        """
        async with self.db.transaction() as conn:
            return bool(await expand_next(conn))

    async def pending_deliveries(self) -> int:
        """Return how many rows still wait to be sent."""
        async with self.db.reading() as conn:
            cur = await conn.execute(f"SELECT count(*) FROM deliveries WHERE status = {_PENDING}")
            return int((await cur.fetchone())[0])

    async def broadcast_message(self, broadcast_id: int) -> tuple[str, str | None] | None:
        """Return a broadcast's Telegram-HTML text and photo file_id, or None if it is gone.

        A broadcast an admin stopped counts as gone: rows the sender read before the stop
        are then dropped instead of sent.
        """
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT text, photo FROM broadcasts WHERE id = ? "
                f"AND status != {literal(BroadcastStatus.CANCELLED)}",
                (broadcast_id,),
            )
            row = await cur.fetchone()
        return None if row is None else (row[0], row[1])

    async def telegram_file(self, url: str) -> str | None:
        """Return Telegram's file_id for an image URL sent before, or None."""
        async with self.db.reading() as conn:
            cur = await conn.execute("SELECT file_id FROM telegram_files WHERE url = ?", (url,))
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def remember_telegram_file(self, url: str, file_id: str, now: datetime) -> None:
        """Keep Telegram's file_id for an image URL, so the image is never fetched again."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO telegram_files(url, file_id, stored_at) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET file_id = excluded.file_id, "
                "stored_at = excluded.stored_at",
                (url, file_id, to_iso(now)),
            )

    async def forget_telegram_file(self, url: str, file_id: str) -> None:
        """Drop a file_id Telegram no longer accepts (unless a newer one replaced it)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM telegram_files WHERE url = ? AND file_id = ?", (url, file_id)
            )
