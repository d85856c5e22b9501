"""Per-source polling state: validators, body hash, health, how well its articles read, and
the next poll time."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from ..text.dates import from_iso, to_iso
from ..values import FailureKind
from .database import Database


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers about a source between polls."""

    name: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_error_kind: FailureKind | None = None  # None: none yet, or from before it was kept
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    seeded: bool = False
    last_item_count: int | None = None
    alerted: bool = False  # the admins were told it is down and not yet that it recovered
    # For each field residents see ("lead", "image", "date"): whether each of the source's
    # last articles had it, "1" or "0", oldest first.
    field_marks: Mapping[str, str] = field(default_factory=dict)
    degraded: tuple[str, ...] = ()  # the fields the admins were told its articles now lack


def _maybe(value: str | None) -> datetime | None:
    return None if value is None else from_iso(value)


def _marks(value: str | None) -> dict[str, str]:
    """Return stored field marks; anything unreadable counts as no history."""
    try:
        marks = json.loads(value or "{}")
    except ValueError:
        return {}
    if not isinstance(marks, dict):
        return {}
    return {k: v for k, v in marks.items() if isinstance(k, str) and isinstance(v, str)}


def _kind(value: str | None) -> FailureKind | None:
    """Return a stored failure kind; one this version does not know counts as none."""
    try:
        return None if value is None else FailureKind(value)
    except ValueError:
        return None


class SourcesTable:
    """Reads and writes the ``sources`` table."""

    db: Database

    async def source_state(self, name: str) -> SourceState:
        """Return the stored state of a source (a blank one if it was never polled)."""
        async with self.db.reading() as conn:
            cur = await conn.execute("SELECT * FROM sources WHERE name = ?", (name,))
            row = await cur.fetchone()
        if row is None:
            return SourceState(name)
        return SourceState(
            name=row["name"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            body_hash=row["body_hash"],
            last_success_at=_maybe(row["last_success_at"]),
            last_error=row["last_error"],
            last_error_at=_maybe(row["last_error_at"]),
            last_error_kind=_kind(row["last_error_kind"]),
            consecutive_failures=row["consecutive_failures"],
            next_poll_at=_maybe(row["next_poll_at"]),
            seeded=bool(row["seeded"]),
            last_item_count=row["last_item_count"],
            alerted=bool(row["alerted"]),
            field_marks=_marks(row["field_marks"]),
            degraded=tuple(f for f in row["degraded"].split(",") if f),
        )

    async def source_states(self) -> list[SourceState]:
        """Return the state of every source the store knows, by name."""
        async with self.db.reading() as conn:
            cur = await conn.execute("SELECT name FROM sources ORDER BY name")
            names = [row[0] for row in await cur.fetchall()]
        return [await self.source_state(name) for name in names]

    async def record_success(
        self,
        name: str,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        item_count: int | None = None,
    ) -> None:
        """Record a poll that worked (or found the source unchanged) and reset its failures.

        Validators and counts given as None keep their stored values, since a 304 or an
        unchanged body carries none of its own.
        """
        async with self.db.transaction() as conn:
            await _ensure(conn, name)
            await conn.execute(
                """
                UPDATE sources SET
                    etag = COALESCE(?, etag),
                    last_modified = COALESCE(?, last_modified),
                    body_hash = COALESCE(?, body_hash),
                    last_item_count = COALESCE(?, last_item_count),
                    last_success_at = ?, next_poll_at = ?,
                    consecutive_failures = 0, seeded = 1
                WHERE name = ?
                """,
                (
                    etag,
                    last_modified,
                    body_hash,
                    item_count,
                    to_iso(now),
                    to_iso(next_poll_at),
                    name,
                ),
            )

    async def record_read(
        self,
        name: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        item_count: int | None = None,
    ) -> None:
        """Record what a one-shot poll (``poll --once``) read, and nothing of its schedule.

        The validators and the item count describe the articles now stored, so the next
        poll need not parse them again; the source is seeded, as after any poll that
        stored its items. Its health, failures in a row and next poll time are the
        running bot's, and stay as they are.
        """
        async with self.db.transaction() as conn:
            await _ensure(conn, name)
            await conn.execute(
                """
                UPDATE sources SET
                    etag = COALESCE(?, etag),
                    last_modified = COALESCE(?, last_modified),
                    body_hash = COALESCE(?, body_hash),
                    last_item_count = COALESCE(?, last_item_count),
                    seeded = 1
                WHERE name = ?
                """,
                (etag, last_modified, body_hash, item_count, name),
            )

    async def record_failure(
        self,
        name: str,
        error: str,
        kind: FailureKind,
        *,
        now: datetime,
        next_poll_at: datetime,
    ) -> int:
        """Record a failed poll, why in words and of what kind; return the failures in a row."""
        async with self.db.transaction() as conn:
            await _ensure(conn, name)
            cur = await conn.execute(
                """
                UPDATE sources SET last_error = ?, last_error_kind = ?, last_error_at = ?,
                    next_poll_at = ?, consecutive_failures = consecutive_failures + 1
                WHERE name = ? RETURNING consecutive_failures
                """,
                (error, kind, to_iso(now), to_iso(next_poll_at), name),
            )
            row = await cur.fetchone()
        return int(row[0])

    async def record_fields(
        self, name: str, found: Mapping[str, Sequence[bool]], *, keep: int
    ) -> None:
        """Add whether each new article (oldest first) had each field; keep the last ``keep``."""
        if not any(found.values()):
            return
        async with self.db.transaction() as conn:
            await _ensure(conn, name)
            cur = await conn.execute("SELECT field_marks FROM sources WHERE name = ?", (name,))
            marks = dict(_marks((await cur.fetchone())[0]))
            for field_name, had in found.items():
                added = "".join("1" if h else "0" for h in had)
                marks[field_name] = (marks.get(field_name, "") + added)[-keep:]
            await conn.execute(
                "UPDATE sources SET field_marks = ? WHERE name = ?",
                (json.dumps(marks, sort_keys=True), name),
            )

    async def set_source_degraded(self, name: str, fields: Sequence[str]) -> None:
        """Remember which missing fields the admins were last told about (none: recovered)."""
        async with self.db.transaction() as conn:
            await _ensure(conn, name)
            await conn.execute(
                "UPDATE sources SET degraded = ? WHERE name = ?", (",".join(fields), name)
            )

    async def set_source_alerted(self, name: str, alerted: bool) -> None:
        """Remember whether the admins were last told that a source is down."""
        async with self.db.transaction() as conn:
            await _ensure(conn, name)
            await conn.execute(
                "UPDATE sources SET alerted = ? WHERE name = ?", (int(alerted), name)
            )


async def _ensure(conn: aiosqlite.Connection, name: str) -> None:
    await conn.execute("INSERT OR IGNORE INTO sources(name) VALUES (?)", (name,))


async def source_id(conn: aiosqlite.Connection, name: str) -> int:
    """Return the id of a source, creating its row on first use."""
    await _ensure(conn, name)
    cur = await conn.execute("SELECT id FROM sources WHERE name = ?", (name,))
    return int((await cur.fetchone())[0])
