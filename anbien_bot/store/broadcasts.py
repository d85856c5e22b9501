"""Admin broadcasts: drafts, their audience, the fan-out into the outbox, and their record.

A broadcast is a row from the moment an admin asks for it (``draft``) until it is ``done`` or
``cancelled``; it is never deleted, so who sent what, when and to how many stays on record.
Going from draft to sending and writing every recipient's outbox row is one unit of work, so
a second press of Send, or a crash halfway, can never send it twice or to half the audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from ..text.dates import from_iso, to_iso, utcnow
from ..values import BroadcastStatus, DeliveryStatus, Priority
from .database import Database, literal

AUDIENCE_ALL = "all"  # every active chat subscribed to at least one category
AUDIENCE_ADMIN = "admin"  # only the admin who sends it: a test
CATEGORY_AUDIENCE = "category:"  # + a category key: that category's subscribers

_DRAFT, _SENDING = literal(BroadcastStatus.DRAFT), literal(BroadcastStatus.SENDING)
_DONE, _CANCELLED = literal(BroadcastStatus.DONE), literal(BroadcastStatus.CANCELLED)
_PENDING = literal(DeliveryStatus.PENDING)


@dataclass(frozen=True, slots=True)
class Broadcast:
    """One broadcast, as recorded."""

    id: int
    admin_id: int
    created_at: datetime
    text: str  # Telegram HTML, exactly as previewed
    photo: str | None  # Telegram file_id
    audience: str
    status: BroadcastStatus
    recipients: int | None
    started_at: datetime | None
    finished_at: datetime | None
    chat_id: int | None  # where the admin composed it and reads its progress
    progress_message_id: int | None


def category_audience(key: str) -> str:
    """Return the audience of one category's subscribers."""
    return f"{CATEGORY_AUDIENCE}{key}"


def audience_category(audience: str) -> str | None:
    """Return the category key of a category audience, or None for any other audience."""
    return (
        audience.removeprefix(CATEGORY_AUDIENCE)
        if audience.startswith(CATEGORY_AUDIENCE)
        else None
    )


def _maybe(value: str | None) -> datetime | None:
    return None if value is None else from_iso(value)


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        admin_id=row["admin_id"],
        created_at=from_iso(row["created_at"]),
        text=row["text"],
        photo=row["photo"],
        audience=row["audience"],
        status=BroadcastStatus(row["status"]),
        recipients=row["recipients"],
        started_at=_maybe(row["started_at"]),
        finished_at=_maybe(row["finished_at"]),
        chat_id=row["chat_id"],
        progress_message_id=row["progress_message_id"],
    )


def _recipients(audience: str, admin_id: int) -> tuple[str, tuple[object, ...]]:
    """Return the query of an audience's chat ids and its parameters."""
    if audience == AUDIENCE_ADMIN:
        return "SELECT ? AS chat_id", (admin_id,)
    subscribed = (
        "SELECT DISTINCT s.chat_id AS chat_id FROM subscriptions s "
        "JOIN chats c ON c.id = s.chat_id WHERE c.active = 1"
    )
    key = audience_category(audience)
    if key is not None:
        return subscribed + " AND s.category = ?", (key,)
    if audience == AUDIENCE_ALL:
        return subscribed, ()
    raise ValueError(f"unknown audience {audience!r}")


class BroadcastsTable:
    """Reads and writes broadcasts, and queues them in the outbox."""

    db: Database

    async def create_broadcast(
        self,
        admin_id: int,
        chat_id: int,
        text: str,
        photo: str | None = None,
        *,
        now: datetime | None = None,
    ) -> int:
        """Record a draft for everyone (the admin may narrow it) and return its id."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO broadcasts(admin_id, chat_id, created_at, text, photo, audience, "
                "urgent) VALUES (?, ?, ?, ?, ?, ?, 1)",
                (admin_id, chat_id, to_iso(now or utcnow()), text, photo, AUDIENCE_ALL),
            )
            return int(cur.lastrowid or 0)

    async def broadcast(self, broadcast_id: int) -> Broadcast | None:
        """Return a broadcast, or None."""
        async with self.db.reading() as conn:
            cur = await conn.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
            row = await cur.fetchone()
        return None if row is None else _broadcast(row)

    async def broadcasts_with_status(self, status: BroadcastStatus) -> list[Broadcast]:
        """Return the broadcasts in one status, oldest first."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT * FROM broadcasts WHERE status = ? ORDER BY id", (status,)
            )
            return [_broadcast(row) for row in await cur.fetchall()]

    async def recent_broadcasts(self, limit: int) -> list[Broadcast]:
        """Return the latest broadcasts that were sent or stopped, newest first."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT * FROM broadcasts WHERE started_at IS NOT NULL ORDER BY id DESC LIMIT ?",
                (limit,),
            )
            return [_broadcast(row) for row in await cur.fetchall()]

    async def set_broadcast_audience(self, broadcast_id: int, audience: str) -> bool:
        """Choose who receives a draft; False if it is no longer a draft."""
        _recipients(audience, 0)  # raises on an audience that does not exist
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE broadcasts SET audience = ? WHERE id = ? AND status = {_DRAFT}",
                (audience, broadcast_id),
            )
            return cur.rowcount > 0

    async def audience_size(self, audience: str, admin_id: int) -> int:
        """Return how many chats an audience reaches now."""
        query, params = _recipients(audience, admin_id)
        async with self.db.reading() as conn:
            cur = await conn.execute(f"SELECT count(*) FROM ({query})", params)
            return int((await cur.fetchone())[0])

    async def start_broadcast(
        self, broadcast_id: int, *, now: datetime | None = None
    ) -> int | None:
        """Turn a draft into outbox rows for its whole audience; return how many were queued.

        None means it was not a draft (already sending, done or cancelled): nothing is queued
        twice. 0 means its audience is empty, and it stays a draft.
        """
        moment = now or utcnow()
        async with self.db.transaction() as conn:
            # The status change decides who won a double press: only one sees a draft.
            cur = await conn.execute(
                f"UPDATE broadcasts SET status = {_SENDING}, started_at = ? "
                f"WHERE id = ? AND status = {_DRAFT} RETURNING admin_id, audience",
                (to_iso(moment), broadcast_id),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            admin_id, audience = row
            if audience == AUDIENCE_ADMIN:
                # The test goes through the outbox like the real thing; the admin's chat
                # needs its row for that.
                await conn.execute(
                    "INSERT INTO chats(id, type, language, created_at, updated_at) "
                    "VALUES (?, 'private', 'vi', ?, ?) ON CONFLICT(id) DO UPDATE SET active = 1",
                    (admin_id, to_iso(moment), to_iso(moment)),
                )
            query, params = _recipients(audience, admin_id)
            # Before every post still waiting, but after urgent ones.
            cur = await conn.execute(
                "INSERT OR IGNORE INTO deliveries(chat_id, broadcast_id, priority, not_before, "
                f"created_at, ordered_at) SELECT chat_id, ?, ?, ?, ?, ? FROM ({query})",
                (
                    broadcast_id,
                    Priority.BROADCAST,
                    to_iso(moment),
                    to_iso(moment),
                    int(moment.timestamp()),  # its place among the chat's rows (schema 10)
                    *params,
                ),
            )
            queued = cur.rowcount
            if queued == 0:
                await conn.execute(
                    f"UPDATE broadcasts SET status = {_DRAFT}, started_at = NULL WHERE id = ?",
                    (broadcast_id,),
                )
                return 0
            await conn.execute(
                "UPDATE broadcasts SET recipients = ? WHERE id = ?", (queued, broadcast_id)
            )
        return queued

    async def set_broadcast_progress(self, broadcast_id: int, message_id: int) -> None:
        """Remember the message that shows a broadcast's progress."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
                (message_id, broadcast_id),
            )

    async def cancel_broadcast(
        self, broadcast_id: int, *, now: datetime | None = None
    ) -> BroadcastStatus | None:
        """Drop a draft, or stop a broadcast's unsent rows; return the status it had, or None.

        Messages already handed to Telegram are not recalled; rows still pending become
        ``cancelled``, and the sender skips any it had already read.
        """
        async with self.db.transaction() as conn:
            cur = await conn.execute("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,))
            row = await cur.fetchone()
            if row is None or row[0] not in (BroadcastStatus.DRAFT, BroadcastStatus.SENDING):
                return None
            await conn.execute(
                f"UPDATE deliveries SET status = {literal(DeliveryStatus.CANCELLED)}, "
                f"error = 'cancelled by an admin' WHERE broadcast_id = ? AND status = {_PENDING}",
                (broadcast_id,),
            )
            await conn.execute(
                f"UPDATE broadcasts SET status = {_CANCELLED}, finished_at = ? WHERE id = ?",
                (to_iso(now or utcnow()), broadcast_id),
            )
        return BroadcastStatus(row[0])

    async def finish_broadcast(self, broadcast_id: int, *, now: datetime | None = None) -> bool:
        """Mark a sending broadcast done once none of its rows is pending; True if it now is."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                f"""
                UPDATE broadcasts SET status = {_DONE}, finished_at = ?
                WHERE id = ? AND status = {_SENDING} AND NOT EXISTS (
                    SELECT 1 FROM deliveries WHERE broadcast_id = ? AND status = {_PENDING}
                )
                """,
                (to_iso(now or utcnow()), broadcast_id, broadcast_id),
            )
            return cur.rowcount > 0
