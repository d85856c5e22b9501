"""A consistent copy of the database, taken while the bot runs, with SQLite's online backup.

Copying the file with cp while the bot writes can tear it (and misses what still sits in the
-wal file); the backup API copies one snapshot instead. The database is in WAL mode, so the
snapshot's read transaction never blocks the bot's writes.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path


class BackupError(Exception):
    """The database could not be copied, or the copy is damaged."""


def backup_database(source: Path, target: Path) -> int:
    """Copy the database at source to target, check the copy and return its size in bytes.

    The copy is written next to target first and renamed into place once checked, so target
    is always either the old backup or a complete new one. The copy is a single file.
    """
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(_open(source)) as live, closing(_open(partial)) as copy:
            live.backup(copy)  # all pages in one step: one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file next to the copy
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup failed: {exc}") from exc
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its check: {verdict}")
    os.replace(partial, target)
    return target.stat().st_size


def _open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=30)
