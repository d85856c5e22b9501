"""Telegraph pages: which articles are published on Telegraph, and where."""

from __future__ import annotations

from datetime import datetime

from ..text.dates import to_iso
from .database import Database


class TelegraphTable:
    """Records the Telegraph page of each published article (schema migration 13)."""

    db: Database

    async def unpublished_article_ids(self, limit: int) -> list[int]:
        """Return up to ``limit`` articles without a Telegraph page, newest first."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                """
                SELECT a.id FROM articles a
                WHERE NOT EXISTS (SELECT 1 FROM telegraph_pages t WHERE t.article_id = a.id)
                ORDER BY a.published_at DESC, a.id DESC LIMIT ?
                """,
                (limit,),
            )
            return [row[0] for row in await cur.fetchall()]

    async def record_telegraph_page(
        self, article_id: int, url: str, path: str, now: datetime
    ) -> bool:
        """Record an article's Telegraph page; return False if the article is gone (or has one)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """
                INSERT INTO telegraph_pages(article_id, url, path, created_at)
                SELECT id, ?, ?, ? FROM articles WHERE id = ?
                ON CONFLICT(article_id) DO NOTHING
                """,
                (url, path, to_iso(now), article_id),
            )
            return cur.rowcount == 1

    async def telegraph_url(self, article_id: int) -> str | None:
        """Return the address of an article's Telegraph page, or None if it has none."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT url FROM telegraph_pages WHERE article_id = ?", (article_id,)
            )
            row = await cur.fetchone()
        return None if row is None else row[0]
