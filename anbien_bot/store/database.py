"""The one SQLite connection, its pragmas, migrations and the unit-of-work lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path

import aiosqlite

from .schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


def literal(value: StrEnum) -> str:
    """Return a named value (values.DeliveryStatus, ...) as an SQL literal, to format in.

    Formatted rather than bound: SQLite uses a partial index such as deliveries_due
    (``WHERE status = 'pending'``) only for a query that spells the same literal.
    """
    return "'" + value.replace("'", "''") + "'"


class SchemaTooNewError(Exception):
    """The database was written by a newer version of the bot."""


class Database:
    """An aiosqlite connection whose units of work never interleave.

    aiosqlite serialises statements, not transactions: on a shared connection one
    coroutine's commit() would commit another's half-done work. Every unit of work
    therefore holds ``_lock`` from BEGIN to COMMIT, and reads take it too so they never
    see another coroutine's uncommitted rows.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (or create) the database, set its pragmas and migrate it to this version."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            for pragma in (
                "journal_mode=WAL",
                "synchronous=NORMAL",  # with WAL: durable across process crashes
                "foreign_keys=ON",
                "busy_timeout=5000",
            ):
                await conn.execute(f"PRAGMA {pragma}")
            db = cls(conn)
            await db._migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection after the unit of work in progress, if any."""
        async with self._lock:
            await self._conn.close()

    async def _migrate(self) -> None:
        async with self._lock:
            version = (await (await self._conn.execute("PRAGMA user_version")).fetchone())[0]
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"database schema {version} is newer than this bot's {SCHEMA_VERSION}"
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                log.info("migrating database schema to version %d", number)
                # executescript commits first, so the whole step runs inside our own BEGIN.
                await self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\n"
                    f"PRAGMA user_version = {number};\nCOMMIT;"
                )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a unit of work atomically: all its statements commit, or none do."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """Give the connection for reads that must not see another unit's half-done work."""
        async with self._lock:
            yield self._conn

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[aiosqlite.Connection]:
        """Give the connection for one write statement, which SQLite commits whole by itself.

        Cheaper than transaction() (one trip to the database thread instead of three) for a
        hot path; the lock keeps it out of another coroutine's open transaction.
        """
        async with self._lock:
            yield self._conn
