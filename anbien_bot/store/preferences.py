"""Residents' comfort: keyword alerts, delivery timing and chosen language, per chat.

Every row hangs off its chat with ON DELETE CASCADE, so /stop (forget_chat) takes it along.
A change of timing moves the chat's waiting ordinary posts to their new slot at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

import aiosqlite

from ..delivery.alerts import MAX_ALERTS, TextWords, Urgency, index_key, matches
from ..delivery.schedule import QuietHours, Timing, plan
from ..text.dates import to_iso
from .database import Database
from .outbox import stamp


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


def _timing(digest_hour: int | None, quiet_start: int | None, quiet_end: int | None) -> Timing:
    """Return the timing stored in a chat's settings columns."""
    if quiet_start is None or quiet_end is None:
        return Timing(digest_hour)
    return Timing(digest_hour, QuietHours(quiet_start, quiet_end))


class PreferencesTable:
    """Reads and writes alerts and chat settings, and says who an article alerts."""

    db: Database
    # What makes a post urgent; the application sets it from the config at start.
    urgency: Urgency = Urgency()

    def set_urgency(self, urgency: Urgency) -> None:
        """Use these rules to decide which new posts are urgent."""
        self.urgency = urgency

    async def add_alert(self, chat_id: int, words: Sequence[str], now: datetime) -> AlertAdded:
        """Add an alert of these words (from alerts.query_words) to a chat."""
        joined = " ".join(words)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT count(*), total(words = ?) FROM alerts WHERE chat_id = ?",
                (joined, chat_id),
            )
            count, same = await cur.fetchone()
            if same:
                return AlertAdded.EXISTS
            if count >= MAX_ALERTS:
                return AlertAdded.FULL
            await conn.execute(
                "INSERT INTO alerts(chat_id, words, key, created_at) VALUES (?, ?, ?, ?)",
                (chat_id, joined, index_key(words), to_iso(now)),
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
        return ChatSettings(_timing(row[0], row[1], row[2]), row[3])

    async def set_digest(self, chat_id: int, hour: int | None, now: datetime) -> None:
        """Send the chat a daily digest at hour (Vietnam time), or each post at once (None)."""
        await self._change(chat_id, now, "digest_hour = ?", (hour,))

    async def set_quiet_hours(self, chat_id: int, quiet: QuietHours | None, now: datetime) -> None:
        """Hold the chat's ordinary posts during a daily window, or never (None)."""
        start, end = (None, None) if quiet is None else (quiet.start, quiet.end)
        await self._change(chat_id, now, "quiet_start = ?, quiet_end = ?", (start, end))

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
        self, chat_id: int, now: datetime, assignments: str, values: tuple[int | None, ...]
    ) -> None:
        """Change timing columns of a chat's settings and move its waiting posts to match."""
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
            slot = plan(_timing(*await cur.fetchone()), now)
            # Only ordinary and digest rows never tried: urgent rows and retries keep their slot.
            await conn.execute(
                "UPDATE deliveries SET priority = ?, not_before = ? WHERE chat_id = ? "
                "AND status = 'pending' AND article_id IS NOT NULL AND priority <= 0 "
                "AND attempts = 0",
                (slot.priority, stamp(slot.not_before), chat_id),
            )


async def _ensure_settings(conn: aiosqlite.Connection, chat_id: int, now: datetime) -> None:
    """Give a chat its settings row, with the defaults, if it has none yet."""
    await conn.execute(
        "INSERT OR IGNORE INTO chat_settings(chat_id, updated_at) VALUES (?, ?)",
        (chat_id, to_iso(now)),
    )


async def alerted_chats(conn: aiosqlite.Connection, text: TextWords) -> list[int]:
    """Return the active chats with an alert that the article's words match."""
    cur = await conn.execute(
        """
        SELECT a.chat_id, a.words FROM alerts a JOIN chats c ON c.id = a.chat_id
        WHERE c.active = 1 AND a.key IN (SELECT value FROM json_each(?))
        """,
        (json.dumps(sorted(text.folded), ensure_ascii=False),),
    )
    return sorted({row[0] for row in await cur.fetchall() if matches(row[1].split(), text)})


async def timing_slots(
    conn: aiosqlite.Connection, now: datetime, urgent: bool
) -> list[tuple[int | None, int | None, int | None, int, str]]:
    """Return, for each distinct timing chats chose, the slot of a post queued now.

    The rows are (digest_hour, quiet_start, quiet_end, priority, not_before), so one
    INSERT ... SELECT can queue an article for every chat whatever its timing.
    """
    cur = await conn.execute(
        "SELECT DISTINCT digest_hour, quiet_start, quiet_end FROM chat_settings "
        "WHERE digest_hour IS NOT NULL OR quiet_start IS NOT NULL"
    )
    slots = []
    for digest_hour, quiet_start, quiet_end in await cur.fetchall():
        slot = plan(_timing(digest_hour, quiet_start, quiet_end), now, urgent=urgent)
        slots.append((digest_hour, quiet_start, quiet_end, slot.priority, stamp(slot.not_before)))
    return slots
