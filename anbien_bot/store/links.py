"""What the last check of each article's original page found (sources/linkcheck.py decides)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..text.dates import from_iso, to_iso
from .database import Database

_CHUNK = 500  # URLs asked about in one query: well under SQLite's limit of bound values


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """One check of a page: whether it is gone for good, what it answered, and when."""

    dead: bool
    status: str  # "404", "410", "no such host", "connection refused", "200", "timed out", ...
    checked_at: datetime


class LinksTable:
    """Reads and writes the link checks."""

    db: Database

    async def link_checks(self, urls: Iterable[str]) -> dict[str, LinkCheck]:
        """Return the last check of each URL that was ever checked."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, LinkCheck] = {}
        async with self.db.reading() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                cur = await conn.execute(
                    "SELECT url, dead, status, checked_at FROM link_checks "
                    f"WHERE url IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                for url, dead, status, checked_at in await cur.fetchall():
                    found[url] = LinkCheck(bool(dead), status, from_iso(checked_at))
        return found

    async def record_link_check(self, url: str, check: LinkCheck) -> None:
        """Keep the outcome of a check, replacing the one before."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO link_checks(url, dead, status, checked_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(url) DO UPDATE SET dead = excluded.dead,
                    status = excluded.status, checked_at = excluded.checked_at
                """,
                (url, int(check.dead), check.status, to_iso(check.checked_at)),
            )
