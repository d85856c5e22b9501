"""Attached files the archive keeps: a directory of files named by their content, outside the
database, and the table of which link each one came from.

Why outside the database: a signed PDF is often larger than a year of articles' text, and it
never changes once written. Kept in the file, it would make every backup of the database copy
it again; kept beside it, the database's backups stay small and fast, and the directory backs
up incrementally (rsync copies each file once). A file is named by its SHA-256, so two links
to one file keep it once, and written to a temporary name then renamed, so a crash leaves no
half-written file under a real name.

The wish to keep a file is written with its article (``queue_files``, in the same unit of
work), so it is never lost; the download itself happens later, without holding the store
(sources/attachments.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from ..models import Attachment
from ..text.dates import to_iso
from ..text.urls import is_pdf_url
from .database import Database

# After this many failed downloads a poll stops trying; a backfill tries once more.
MAX_TRIES = 8
_QUEUE = """
    INSERT OR IGNORE INTO file_downloads(url, article_id, next_try_at)
    SELECT ?1, ?2, '' WHERE NOT EXISTS (SELECT 1 FROM archived_files WHERE url = ?1)
"""


@dataclass(frozen=True, slots=True)
class WantedFile:
    """A linked file the archive means to keep, and the article that links it."""

    url: str
    article_url: str
    tries: int  # failed downloads so far


async def queue_files(
    conn: aiosqlite.Connection, article_id: int, attachments: Sequence[Attachment]
) -> None:
    """Note, inside an article's unit of work, the PDFs it links that are not kept yet."""
    wanted = [(a.url, article_id) for a in attachments if is_pdf_url(a.url)]
    if wanted:
        await conn.executemany(_QUEUE, wanted)


class FilesTable:
    """Keeps attached files in the files directory and says where each link's file is."""

    db: Database
    files_dir: Path | None  # None: no directory (a database in memory)

    async def archived_file(self, url: str) -> Path | None:
        """Return the kept file of a link (an attachment's URL), or None if none is kept."""
        if self.files_dir is None:
            return None
        async with self.db.reading() as conn:
            cur = await conn.execute("SELECT path FROM archived_files WHERE url = ?", (url,))
            row = await cur.fetchone()
        if row is None:
            return None
        path = self.files_dir / row[0]
        return path if path.is_file() else None

    async def wanted_files(self, now: datetime, *, everything: bool = False) -> list[WantedFile]:
        """Return the files to download now: those due (a poll), or all still missing
        (``everything``: a backfill, which also retries those refused or given up)."""
        where = "" if everything else "WHERE d.next_try_at <= ? AND d.tries < ?"
        params = () if everything else (to_iso(now), MAX_TRIES)
        async with self.db.reading() as conn:
            cur = await conn.execute(
                f"""SELECT d.url, a.url, d.tries FROM file_downloads d
                JOIN articles a ON a.id = d.article_id {where}
                ORDER BY d.next_try_at, d.url""",
                params,
            )
            return [WantedFile(*row) for row in await cur.fetchall()]

    async def keep_file(self, url: str, data: bytes, now: datetime) -> Path:
        """Write a downloaded file into the files directory (once per content) and record
        that the link's file is kept; return where it is."""
        if self.files_dir is None:
            raise OSError("no files directory (the database is in memory)")
        digest = hashlib.sha256(data).hexdigest()
        relative = f"{digest[:2]}/{digest}{_suffix(url)}"
        path = self.files_dir / relative
        await asyncio.to_thread(_write_once, path, data)
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT OR REPLACE INTO archived_files(url, path, bytes, sha256, stored_at)
                VALUES (?, ?, ?, ?, ?)""",
                (url, relative, len(data), digest, to_iso(now)),
            )
            await conn.execute("DELETE FROM file_downloads WHERE url = ?", (url,))
        return path

    async def file_failed(self, url: str, reason: str, retry_at: datetime | None) -> int:
        """Record a failed download; ``retry_at`` None: polls never try again (a file over
        the cap, or not a PDF). Return the failures so far."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE file_downloads SET tries = tries + 1, last_error = ?, next_try_at = ?
                WHERE url = ? RETURNING tries""",
                (reason[:200], to_iso(retry_at) if retry_at else None, url),
            )
            row = await cur.fetchone()
        return int(row[0]) if row else 0


def _suffix(url: str) -> str:
    """Return the file's extension as its link names it (".pdf"), lowercased."""
    return ".pdf" if is_pdf_url(url) else ""


def _write_once(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file and a rename, unless it is there already
    (the same content under the same name)."""
    if path.is_file() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
