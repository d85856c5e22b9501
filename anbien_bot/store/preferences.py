"""Residents' comfort: keyword alerts, delivery timing and chosen language, per chat.

Every row hangs off its chat with ON DELETE CASCADE, so /stop (forget_chat) takes it along.
A change of timing moves the chat's waiting ordinary posts to the slot its caller's planner
gives for the new timing, in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

import aiosqlite

from ..models import QuietHours, Slot, Timing
from ..text.dates import to_iso
from ..values import DeliveryStatus, Priority
from .database import Database, literal
from .expansion import expand_chat

# The planner's slot for a post waiting for a chat with a timing, now (planner.slot_for).
Replan = Callable[[Timing, datetime], Slot]


@dataclass(frozen=True, slots=True)
class Alert:
    """One keyword alert of a chat."""

    id: int
    words: str  # as typed: NFC, case-folded, one space apart


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's delivery timing and the language it chose (None: its Telegram client's)."""

    timing: Timing = field(default_factory=Timing)
    language: str | None = None


class AlertAdded(Enum):
    """What adding an alert did."""

    ADDED = "added"
    EXISTS = "exists"
    FULL = "full"


def timing_from_columns(
    digest_hour: int | None, quiet_start: int | None, quiet_end: int | None
) -> Timing:
    """Return the timing stored in a chat's settings columns."""
    if quiet_start is None or quiet_end is None:
        return Timing(digest_hour)
    return Timing(digest_hour, QuietHours(quiet_start, quiet_end))


class PreferencesTable:
    """Reads and writes alerts and chat settings."""

    db: Database

    async def add_alert(
        self, chat_id: int, words: Sequence[str], now: datetime, *, key: str, limit: int
    ) -> AlertAdded:
        """Add an alert of these words (alerts.query_words), filed under key, to a chat.

        ``key`` is the folded word an article must hold for the alert to be tried on it
        (alerts.index_key); a chat holding ``limit`` alerts gets no more.
        """
        joined = " ".join(words)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT count(*), total(words = ?) FROM alerts WHERE chat_id = ?",
                (joined, chat_id),
            )
            count, same = await cur.fetchone()
            if same:
                return AlertAdded.EXISTS
            if count >= limit:
                return AlertAdded.FULL
            await conn.execute(
                "INSERT INTO alerts(chat_id, words, key, created_at) VALUES (?, ?, ?, ?)",
                (chat_id, joined, key, to_iso(now)),
            )
        return AlertAdded.ADDED

    async def alerts(self, chat_id: int) -> list[Alert]:
        """Return a chat's alerts, oldest first."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT id, words FROM alerts WHERE chat_id = ? ORDER BY id", (chat_id,)
            )
            return [Alert(row[0], row[1]) for row in await cur.fetchall()]

    async def remove_alert(self, chat_id: int, alert_id: int) -> bool:
        """Remove one of a chat's alerts; return False if it had no such alert."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM alerts WHERE id = ? AND chat_id = ?", (alert_id, chat_id)
            )
            return cur.rowcount > 0

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """Return a chat's settings, the defaults when it chose none."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT digest_hour, quiet_start, quiet_end, language FROM chat_settings "
                "WHERE chat_id = ?",
                (chat_id,),
            )
            row = await cur.fetchone()
        if row is None:
            return ChatSettings()
        return ChatSettings(timing_from_columns(row[0], row[1], row[2]), row[3])

    async def set_digest(
        self, chat_id: int, hour: int | None, now: datetime, *, replan: Replan
    ) -> None:
        """Send the chat a daily digest at hour (Vietnam time), or each post at once (None).

        Its waiting posts move to replan(new timing, now).
        """
        await self._change(chat_id, now, replan, "digest_hour = ?", (hour,))

    async def set_quiet_hours(
        self, chat_id: int, quiet: QuietHours | None, now: datetime, *, replan: Replan
    ) -> None:
        """Hold the chat's ordinary posts during a daily window, or never (None).

        Its waiting posts move to replan(new timing, now).
        """
        start, end = (None, None) if quiet is None else (quiet.start, quiet.end)
        await self._change(chat_id, now, replan, "quiet_start = ?, quiet_end = ?", (start, end))

    async def set_language(self, chat_id: int, language: str, now: datetime) -> None:
        """Make the chat's messages come in language, whatever its Telegram client says."""
        async with self.db.transaction() as conn:
            await _ensure_settings(conn, chat_id, now)
            await conn.execute(
                "UPDATE chat_settings SET language = ?, updated_at = ? WHERE chat_id = ?",
                (language, to_iso(now), chat_id),
            )
            await conn.execute("UPDATE chats SET language = ? WHERE id = ?", (language, chat_id))

    async def _change(
        self,
        chat_id: int,
        now: datetime,
        replan: Replan,
        assignments: str,
        values: tuple[int | None, ...],
    ) -> None:
        """Change timing columns of a chat's settings and move its waiting posts to match.

        The new timing is read back inside the unit of work, so two changes at once (two
        admins of a group) cannot leave the posts planned for a timing the chat no longer has.
        """
        async with self.db.transaction() as conn:
            await _ensure_settings(conn, chat_id, now)
            await conn.execute(
                f"UPDATE chat_settings SET {assignments}, updated_at = ? WHERE chat_id = ?",
                (*values, to_iso(now), chat_id),
            )
            cur = await conn.execute(
                "SELECT digest_hour, quiet_start, quiet_end FROM chat_settings WHERE chat_id = ?",
                (chat_id,),
            )
            slot = replan(timing_from_columns(*await cur.fetchone()), now)
            # A post whose expansion has not reached the chat yet gets its row now, to move too.
            await expand_chat(conn, chat_id)
            # Only ordinary and digest rows never tried: urgent rows and retries keep their slot.
            await conn.execute(
                "UPDATE deliveries SET priority = :priority, not_before = :not_before "
                f"WHERE chat_id = :chat AND status = {literal(DeliveryStatus.PENDING)} "
                "AND article_id IS NOT NULL AND priority <= :ordinary AND attempts = 0",
                {
                    "priority": slot.priority,
                    "not_before": to_iso(slot.not_before),
                    "chat": chat_id,
                    "ordinary": Priority.ORDINARY,
                },
            )


async def _ensure_settings(conn: aiosqlite.Connection, chat_id: int, now: datetime) -> None:
    """Give a chat its settings row, with the defaults, if it has none yet."""
    await conn.execute(
        "INSERT OR IGNORE INTO chat_settings(chat_id, updated_at) VALUES (?, ?)",
        (chat_id, to_iso(now)),
    )
