"""The SQLite store: every table of the bot, behind named methods; all SQL lives here."""

from __future__ import annotations

from pathlib import Path

from .articles import ArticlesTable, StoreResult
from .broadcasts import BroadcastsTable
from .chats import Chat, ChatsTable
from .database import Database, SchemaTooNewError
from .links import LinksTable
from .outbox import OutboxTable
from .preferences import PreferencesTable
from .retention import RetentionReport, RetentionTable
from .search import SearchTable
from .sources import SourcesTable, SourceState
from .stats import StatsTable
from .telegraph import TelegraphTable

__all__ = [
    "Chat",
    "RetentionReport",
    "SchemaTooNewError",
    "SourceState",
    "Store",
    "StoreResult",
]


class Store(
    ArticlesTable,
    BroadcastsTable,
    ChatsTable,
    LinksTable,
    OutboxTable,
    PreferencesTable,
    RetentionTable,
    SearchTable,
    SourcesTable,
    StatsTable,
    TelegraphTable,
):
    """The bot's storage, one table family per base class."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        """Open the database at path, migrating it to the current schema."""
        return cls(await Database.open(path))

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()
