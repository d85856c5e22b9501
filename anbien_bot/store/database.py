"""The one SQLite connection, its pragmas, migrations and the unit-of-work lock.

Upkeep lives here too, as SQLite provides it: a new file is created with incremental
auto-vacuum, so the pages retention frees go back to the disk a few at a time while the bot
runs (store/retention.py); an older file small enough is rewritten once, at open, to get it.
The query planner's statistics are refreshed with PRAGMA optimize at close and after each
retention run, as SQLite advises for a long-lived connection.
"""

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

# An older file (auto_vacuum off) up to this size is rewritten with VACUUM when opened, to
# turn incremental vacuum on: a rewrite runs at about 150 MB/s, so this costs under a second,
# once. A bigger one waits for `anbien-bot maintain --vacuum` with the bot stopped; meanwhile
# the pages retention frees are reused inside the file, which grows no further.
VACUUM_AT_OPEN_BYTES = 64 * 1024 * 1024
# After a checkpoint the -wal file is cut back to this; it only grows past it for the
# duration of one big unit of work (a fan-out to every subscriber).
_WAL_KEPT_BYTES = 16 * 1024 * 1024
# ANALYZE reads at most about this many rows of each index: PRAGMA optimize stays fast
# however large the tables (SQLite's advice for optimize).
_ANALYSIS_LIMIT = 1000
_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


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
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (or create) the database, set its pragmas and migrate it to this version."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            for pragma in (
                # Takes effect on a new file only, before its first table.
                f"auto_vacuum={_INCREMENTAL}",
                "journal_mode=WAL",
                "synchronous=NORMAL",  # with WAL: durable across process crashes
                "foreign_keys=ON",
                f"busy_timeout={_BUSY_TIMEOUT_MS}",
                f"journal_size_limit={_WAL_KEPT_BYTES}",
                f"analysis_limit={_ANALYSIS_LIMIT}",
            ):
                await conn.execute(f"PRAGMA {pragma}")
            db = cls(conn)
            await db._migrate(path)
            if str(path) != ":memory:":
                await db._turn_on_incremental_vacuum()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Refresh the planner's statistics, then close the connection after the unit of work
        in progress, if any."""
        async with self._lock:
            if self._closed:  # closing twice (a test, a shutdown after a failed start) is fine
                return
            self._closed = True
            try:
                await self._conn.execute("PRAGMA optimize")
            except aiosqlite.Error as exc:  # a busy file must not keep the bot from stopping
                log.warning("PRAGMA optimize at close failed: %s", exc)
            await self._conn.close()

    async def _turn_on_incremental_vacuum(self) -> None:
        """Rewrite a small file made before incremental vacuum so it has it; log for a big one."""
        if await self.pragma("auto_vacuum") == _INCREMENTAL:
            return
        size = await self.pragma("page_count") * await self.pragma("page_size")
        if size > VACUUM_AT_OPEN_BYTES:
            log.warning(
                "the database (%d MB) cannot give freed space back to the disk: stop the bot "
                "and run `anbien-bot maintain --vacuum` once",
                size // (1024 * 1024),
            )
            return
        await self.vacuum()

    async def vacuum(self) -> None:
        """Rewrite the whole file with incremental auto-vacuum on (holds the store throughout)."""
        async with self._lock:
            await self._conn.execute(f"PRAGMA auto_vacuum={_INCREMENTAL}")
            await self._conn.execute("VACUUM")
        log.info("database rewritten with incremental vacuum on")

    async def pragma(self, name: str) -> int:
        """Return the value of an integer pragma (page_count, freelist_count, auto_vacuum)."""
        async with self._lock:
            cur = await self._conn.execute(f"PRAGMA {name}")
            return int((await cur.fetchone())[0])

    async def release_pages(self, pages: int) -> int:
        """Give up to ``pages`` free pages back to the disk in one short step; return how many.

        A no-op (0) on a file without incremental vacuum. The file shrinks at the next
        checkpoint.
        """
        async with self._lock:
            cur = await self._conn.execute("PRAGMA freelist_count")
            before = (await cur.fetchone())[0]
            # executescript steps the pragma to its end; execute() would free a single page.
            await self._conn.executescript(f"PRAGMA incremental_vacuum({int(pages)});")
            cur = await self._conn.execute("PRAGMA freelist_count")
            return int(before - (await cur.fetchone())[0])

    async def checkpoint(self) -> None:
        """Copy the -wal file into the database (a file freed of pages shrinks here)."""
        async with self._lock:
            await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def optimize(self) -> None:
        """Refresh the query planner's statistics where SQLite thinks they have gone stale."""
        async with self._lock:
            await self._conn.execute("PRAGMA optimize")

    async def integrity_problems(self) -> list[str]:
        """Return what PRAGMA integrity_check finds wrong (empty: the file is sound).

        It reads the whole file, in proportion to its size: meant for `anbien-bot maintain`,
        whose connection is its own, not for the running bot's.
        """
        async with self._lock:
            cur = await self._conn.execute("PRAGMA integrity_check")
            found = [row[0] for row in await cur.fetchall()]
            cur = await self._conn.execute("PRAGMA foreign_key_check")
            found += [f"foreign key: {tuple(row)}" for row in await cur.fetchall()]
        return [] if found == ["ok"] else [f for f in found if f != "ok"]

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
