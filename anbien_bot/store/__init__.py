"""The SQLite store: every table of the bot, behind named methods; all SQL lives here."""

from __future__ import annotations

from pathlib import Path

from .articles import ArticlesTable, StoreResult
from .broadcasts import BroadcastsTable
from .chats import Chat, ChatsTable
from .database import Database, SchemaTooNewError
from .files import FilesTable, WantedFile
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
    "WantedFile",
]


class Store(
    ArticlesTable,
    BroadcastsTable,
    ChatsTable,
    LinksTable,
    FilesTable,
    OutboxTable,
    PreferencesTable,
    RetentionTable,
    SearchTable,
    SourcesTable,
    StatsTable,
    TelegraphTable,
):
    """The bot's storage, one table family per base class."""

    def __init__(self, db: Database, files_dir: Path | None = None) -> None:
        self.db = db
        self.files_dir = files_dir  # where attached files are kept (store/files.py)

    @classmethod
    async def open(cls, path: str | Path, files_dir: str | Path | None = None) -> Store:
        """Open the database at path, migrating it to the current schema; attached files are
        kept in ``files_dir`` (by default a directory "files" beside the database)."""
        if files_dir is None and str(path) != ":memory:":
            files_dir = Path(path).parent / "files"
        return cls(await Database.open(path), Path(files_dir) if files_dir else None)

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()
