"""backup and maintain: the database's upkeep, safe while the bot runs."""

from __future__ import annotations

import shlex
import sys

from ..config import Config
from .status import EXIT_CONFIG, EXIT_FAILED


def backup(config: Config, target: str) -> int:
    """Copy the database to target while the bot may be running; print where and how big."""
    from ..store.backup import BackupError, BackupRefused, backup_database

    try:
        written = backup_database(config.storage.database, target)
    except BackupRefused as exc:
        print(f"anbien-bot: backup refused: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BackupError as exc:
        print(f"anbien-bot: backup failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    size = written.stat().st_size
    print(f"backup of {config.storage.database} written to {written} ({size} bytes)")
    # Not copied: they never change once written, so rsync backs them up incrementally.
    files, beside = config.archive.files_dir, written.parent / "files"
    print(f"attached files are kept outside the database in {files}: copy them with")
    print(f"  rsync -a {shlex.quote(f'{files}/')} {shlex.quote(f'{beside}/')}")
    return 0


async def maintain(config: Config, *, vacuum: bool) -> int:
    """Run retention now, check the database's integrity and print what was found."""
    import sqlite3

    from ..store import SchemaTooNewError, Store
    from ..text.dates import utcnow

    try:
        store = await Store.open(config.storage.database, config.archive.files_dir)
        try:
            if vacuum:
                await store.db.vacuum()
            keep = config.retention
            report = await store.run_retention(utcnow(), keep.settled_days, keep.failed_days)
            problems = await store.db.integrity_problems()
        finally:
            await store.close()
    except (sqlite3.Error, SchemaTooNewError) as exc:
        print(f"anbien-bot: {config.storage.database}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    folded = ", ".join(f"{count} {status}" for status, count in report.folded.items())
    size = config.storage.database.stat().st_size
    print(f"folded into the daily totals: {folded}; {report.pages_released} pages freed")
    print(f"{config.storage.database}: {size / 1e6:.1f} MB")
    for problem in problems:
        print(f"anbien-bot: integrity check: {problem}", file=sys.stderr)
    if problems:
        print("restore the latest backup (see README, Backups)", file=sys.stderr)
        return EXIT_FAILED
    print("database OK")
    return 0
