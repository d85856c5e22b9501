"""The delivery outbox: what each chat is owed, and what Telegram answered."""

from __future__ import annotations

from .database import Database


class OutboxTable:
    """Reads and writes outbox rows (filled in by its feature)."""

    db: Database
