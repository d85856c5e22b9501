"""A consistent copy of the database, taken while the bot runs, with SQLite's online backup.

Copying the file with cp while the bot writes can tear it (and misses what still sits in the
-wal file); the backup API copies one snapshot instead. The database is in WAL mode, so the
snapshot's read transaction never blocks the bot's writes.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing, suppress
from datetime import datetime
from pathlib import Path

# Files SQLite keeps beside a database: writing over any of them corrupts the live one.
_COMPANIONS = ("", "-wal", "-shm", "-journal")


class BackupError(Exception):
    """The database could not be copied, or the copy is damaged."""


class BackupRefused(BackupError):
    """The target is one the backup must never write: the live database or its companions."""


def backup_database(source: Path, target: str | Path, now: datetime | None = None) -> Path:
    """Copy the database at source to target, check the copy and return the file written.

    A target that is a directory (or is written with a trailing slash) gets a dated file
    inside it. The copy is written next to its final name first and renamed into place once
    checked, so the target is always either the old backup or a complete new one; on failure
    nothing is left behind. The copy is a single file.
    """
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    target = _target_file(source, target, now or datetime.now().astimezone())
    _refuse_live_files(source, target)
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        with closing(_open(source)) as live, closing(_open(partial)) as copy:
            live.backup(copy)  # all pages in one step: one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file next to the copy
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy failed its check: {verdict}")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"copying {source} to {target} failed: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)  # gone already after a successful rename
    return target


def _target_file(source: Path, target: str | Path, now: datetime) -> Path:
    """Return the file to write: target itself, or a dated file when it names a directory."""
    path = Path(target)
    if str(target).endswith(("/", os.sep)) or path.is_dir():
        suffix = source.suffix or ".sqlite3"
        return path / f"{source.stem}-{now:%Y-%m-%d-%H%M%S}{suffix}"
    return path


def _refuse_live_files(source: Path, target: Path) -> None:
    """Refuse a target that is the live database or one of its companion files."""
    live = source.resolve()
    resolved = target.resolve()
    for companion in _COMPANIONS:
        path = live.with_name(live.name + companion)
        same = resolved == path
        if not same and target.exists() and path.exists():
            same = os.path.samefile(target, path)  # a hard link, or another name for it
        if same:
            what = f"the live database's {companion} file" if companion else "the live database"
            raise BackupRefused(
                f"{target} is {what} ({path}); writing over it would destroy it: "
                "choose another --to"
            )


def _open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=30)
