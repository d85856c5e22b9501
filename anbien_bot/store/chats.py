"""Chats (residents, groups, channels) and the categories they subscribe to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..text.dates import to_iso, utcnow
from ..values import DeliveryStatus
from .database import Database, literal

_PENDING, _BLOCKED = literal(DeliveryStatus.PENDING), literal(DeliveryStatus.BLOCKED)


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat the bot talks to, as stored."""

    id: int
    type: str  # "private", "group", "supergroup" or "channel"
    language: str
    active: bool
    from_config: bool


class ChatsTable:
    """Reads and writes chats and subscriptions."""

    db: Database

    async def upsert_chat(
        self, chat_id: int, chat_type: str, language: str, *, now: datetime | None = None
    ) -> None:
        """Record a chat (or refresh its type and language); a new chat starts active."""
        stamp = to_iso(now or utcnow())
        async with self.db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO chats(id, type, language, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET type = excluded.type,
                    language = excluded.language, updated_at = excluded.updated_at
                """,
                (chat_id, chat_type, language, stamp, stamp),
            )

    async def activate_chat(
        self, chat_id: int, chat_type: str, language: str, *, now: datetime | None = None
    ) -> bool:
        """Record a chat that talks to the bot as active, keeping its old choices; True if new."""
        stamp = to_iso(now or utcnow())
        async with self.db.transaction() as conn:
            cur = await conn.execute("SELECT 1 FROM chats WHERE id = ?", (chat_id,))
            is_new = await cur.fetchone() is None
            await conn.execute(
                """
                INSERT INTO chats(id, type, language, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET type = excluded.type, active = 1,
                    language = excluded.language, updated_at = excluded.updated_at
                """,
                (chat_id, chat_type, language, stamp, stamp),
            )
        return is_new

    async def chat(self, chat_id: int) -> Chat | None:
        """Return a stored chat, or None."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT id, type, language, active, from_config FROM chats WHERE id = ?",
                (chat_id,),
            )
            row = await cur.fetchone()
        if row is None:
            return None
        return Chat(row[0], row[1], row[2], bool(row[3]), bool(row[4]))

    async def set_active(self, chat_id: int, active: bool) -> None:
        """Mark a chat active (it came back) or inactive (it blocked or removed the bot)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE chats SET active = ?, updated_at = ? WHERE id = ?",
                (int(active), to_iso(utcnow()), chat_id),
            )
            if not active:
                # What was queued for a chat that left will never arrive: say so, don't retry.
                await conn.execute(
                    f"UPDATE deliveries SET status = {_BLOCKED}, error = 'chat inactive' "
                    f"WHERE chat_id = ? AND status = {_PENDING}",
                    (chat_id,),
                )

    async def subscribe(self, chat_id: int, categories: Iterable[str]) -> list[str]:
        """Subscribe a chat to categories; return those that were new."""
        stamp = to_iso(utcnow())
        added = []
        async with self.db.transaction() as conn:
            for category in categories:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO subscriptions(chat_id, category, created_at) "
                    "VALUES (?, ?, ?)",
                    (chat_id, category, stamp),
                )
                if cur.rowcount:
                    added.append(category)
        return added

    async def unsubscribe(
        self, chat_id: int, categories: Iterable[str] | None = None
    ) -> list[str]:
        """Unsubscribe a chat from categories (all when None); return those removed."""
        async with self.db.transaction() as conn:
            if categories is None:
                cur = await conn.execute(
                    "DELETE FROM subscriptions WHERE chat_id = ? RETURNING category", (chat_id,)
                )
                return sorted(row[0] for row in await cur.fetchall())
            removed = []
            for category in categories:
                cur = await conn.execute(
                    "DELETE FROM subscriptions WHERE chat_id = ? AND category = ?",
                    (chat_id, category),
                )
                if cur.rowcount:
                    removed.append(category)
            return removed

    async def toggle_subscription(self, chat_id: int, category: str) -> bool:
        """Subscribe a chat to a category it lacks or drop one it has; return True if now on."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND category = ?",
                (chat_id, category),
            )
            if cur.rowcount:
                return False
            await conn.execute(
                "INSERT INTO subscriptions(chat_id, category, created_at) VALUES (?, ?, ?)",
                (chat_id, category, to_iso(utcnow())),
            )
            return True

    async def subscriptions(self, chat_id: int) -> list[str]:
        """Return the categories a chat subscribes to."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT category FROM subscriptions WHERE chat_id = ?", (chat_id,)
            )
            return [row[0] for row in await cur.fetchall()]

    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything kept about a chat: its row, subscriptions and outbox rows."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM chats WHERE id = ?", (chat_id,))

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Move a group that became a supergroup to its new id, keeping its choices."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("SELECT 1 FROM chats WHERE id = ?", (old_id,))
            if await cur.fetchone() is None:
                return  # already moved (Telegram tells both the old and the new chat)
            cur = await conn.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,))
            if await cur.fetchone() is not None:
                await conn.execute("DELETE FROM chats WHERE id = ?", (new_id,))
            # ON UPDATE CASCADE carries subscriptions and outbox rows along.
            await conn.execute("UPDATE chats SET id = ? WHERE id = ?", (new_id, old_id))

    async def sync_config_channels(self, channels: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Make the config's channels the from_config chats, with exactly their categories."""
        stamp = to_iso(utcnow())
        async with self.db.transaction() as conn:
            marks = ",".join("?" * len(channels))
            await conn.execute(
                f"DELETE FROM chats WHERE from_config = 1 AND id NOT IN ({marks})",
                [c for c, _ in channels],
            )
            for chat_id, categories in channels:
                await conn.execute(
                    """
                    INSERT INTO chats(id, type, language, from_config, created_at, updated_at)
                    VALUES (?, 'channel', 'vi', 1, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET from_config = 1, active = 1
                    """,
                    (chat_id, stamp, stamp),
                )
                await conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
                await conn.executemany(
                    "INSERT INTO subscriptions(chat_id, category, created_at) VALUES (?, ?, ?)",
                    [(chat_id, c, stamp) for c in categories],
                )
