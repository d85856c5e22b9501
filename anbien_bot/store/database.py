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
_BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's lock


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
                f"busy_timeout={_BUSY_TIMEOUT_MS}",
            ):
                await conn.execute(f"PRAGMA {pragma}")
            db = cls(conn)
            await db._migrate(path)
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection after the unit of work in progress, if any."""
        async with self._lock:
            await self._conn.close()

    async def _migrate(self, path: str | Path) -> None:
        async with self._lock:
            version = (await (await self._conn.execute("PRAGMA user_version")).fetchone())[0]
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"database schema {version} is newer than this bot's {SCHEMA_VERSION}"
                )
            # One line, whatever the number of steps: the steps are ours, not the operator's.
            if version == 0:
                log.info("created the database %s (schema version %d)", path, SCHEMA_VERSION)
            elif version < SCHEMA_VERSION:
                log.info(
                    "upgrading the database %s from schema version %d to %d",
                    path,
                    version,
                    SCHEMA_VERSION,
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                # executescript commits first, so the whole step runs inside our own BEGIN.
                await self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\n"
                    f"PRAGMA user_version = {number};\nCOMMIT;"
                )

    async def check_writable(self, wait_ms: int = 1000) -> None:
        """Take the write lock and let it go again; raise sqlite3.Error if it cannot be had.

        A read-only file, a full lock held elsewhere (another process in a write
        transaction) or a closed connection all fail here. Nothing is written. It waits
        ``wait_ms`` for a busy lock, not the usual five seconds, so a health check answers
        quickly.
        """
        async with self._lock:
            await self._conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                await self._conn.rollback()
            finally:
                await self._conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")

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
