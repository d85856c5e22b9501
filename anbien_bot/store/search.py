"""Searching the archive, and filling it in bulk from a source's back catalogue."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

import aiosqlite

from ..models import Article, Entry, SearchHits
from ..text.dates import to_iso
from ..text.search import MAX_RESULTS, SearchQuery, index_text
from .articles import (
    _ARTICLE_COLUMNS,
    INDEX_ARTICLE,
    INSERT_ARTICLE,
    INSERT_CATEGORY,
    INSERT_KEY,
    StoreResult,
    article_from_row,
    article_row,
    placement,
)
from .database import Database
from .files import queue_files
from .sources import source_id

log = logging.getLogger(__name__)

_FACET_WINDOW = 200  # categories offered for narrowing come from this many newest matches
_CHUNK = 500  # parameters per IN (...) list, well under SQLite's limit


class SearchTable:
    """Reads the archive's search index and imports back catalogues without announcing them."""

    db: Database

    async def search(
        self,
        query: SearchQuery,
        *,
        offset: int = 0,
        limit: int = 5,
        category: str | None = None,
    ) -> SearchHits:
        """Return ``limit`` matches from ``offset``: exact ones first, newest first within each.

        At most MAX_RESULTS matches are counted. A query the index cannot read (which the
        query builder should make impossible) finds nothing rather than failing.
        """
        async with self.db.reading() as conn:
            try:
                keys = await _matching_keys(conn, query, category)
            except sqlite3.OperationalError as error:
                log.warning("search %r failed: %s", query.folded, error)
                return SearchHits((), 0)
            articles = await _articles(conn, keys[offset : offset + limit])
            categories = () if category else await _categories(conn, keys[:_FACET_WINDOW])
        return SearchHits(tuple(articles), len(keys), categories)

    async def import_entries(
        self,
        source: str,
        categories: Sequence[str],
        entries: Sequence[Entry],
        *,
        now: datetime,
    ) -> StoreResult:
        """Store entries from a source's back catalogue in one unit of work, queueing nothing.

        An entry whose key the source yielded before is left as stored, so running a backfill
        again adds only what is missing. A story another source already carries (same title
        and minute) joins that article, as in store_entries. Rows are written a statement per
        table, oldest first, so the search index appends instead of merging row by row.
        """
        seen_now = to_iso(now)
        async with self.db.transaction() as conn:
            sid = await source_id(conn, source)
            unique = {entry.key: entry for entry in reversed(entries)}  # the first copy wins
            known = await _known(conn, sid, unique)
            fresh = [e for key, e in unique.items() if key not in known]
            placed = {e.key: placement(e, seen_now) for e in fresh}
            fresh.sort(key=lambda e: placed[e.key].published)
            carried = await _carried_elsewhere(conn, sid, {p.story for p in placed.values()})
            cur = await conn.execute("SELECT COALESCE(MAX(id), 0) FROM articles")
            next_id = int((await cur.fetchone())[0]) + 1
            keys, new = [], []
            for entry in fresh:
                article_id = carried.pop(placed[entry.key].story, None)
                if article_id is None:
                    article_id, next_id = next_id, next_id + 1
                    new.append((article_id, entry))
                keys.append((sid, entry.key, article_id))
            await conn.executemany(
                INSERT_ARTICLE, [article_row(i, e, placed[e.key], seen_now) for i, e in new]
            )
            await conn.executemany(
                INDEX_ARTICLE, [(i, index_text(e.title, e.summary, e.body)) for i, e in new]
            )
            for article_id, entry in new:
                await queue_files(conn, article_id, entry.attachments)
            await conn.executemany(INSERT_KEY, keys)
            await conn.executemany(
                INSERT_CATEGORY, [(article_id, c) for _, _, article_id in keys for c in categories]
            )
        return StoreResult(new=tuple(i for i, _ in new), reposts=len(keys) - len(new))

    async def incomplete_keys(self, source: str, keys: Iterable[str]) -> set[str]:
        """Return which of these keys of the source name an article stored as text only
        (before bodies were kept whole), which a backfill completes."""
        keys = list(keys)
        found: set[str] = set()
        async with self.db.reading() as conn:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                cur = await conn.execute(
                    f"""SELECT k.key FROM article_keys k
                    JOIN sources s ON s.id = k.source_id
                    JOIN articles a ON a.id = k.article_id
                    WHERE s.name = ? AND a.blocks IS NULL
                        AND k.key IN ({",".join("?" * len(chunk))})""",
                    (source, *chunk),
                )
                found.update(row[0] for row in await cur.fetchall())
        return found

    async def optimize_search_index(self) -> None:
        """Merge the search index into one run (after a large import: searches read less)."""
        async with self.db.transaction() as conn:
            await conn.execute("INSERT INTO archive_fts(archive_fts) VALUES ('optimize')")


async def _matching_keys(
    conn: aiosqlite.Connection, query: SearchQuery, category: str | None
) -> list[int]:
    """Return the search keys of up to MAX_RESULTS matches, exact ones first, newest first.

    The index's rowid is articles.search_key, newest last: the matches are read in the
    index's own order and stop at the limit, whatever their number.
    """
    where = "archive_fts MATCH ?"
    extra: tuple[str, ...] = ()
    if category is not None:
        # "+": a plain rowid IN (...) would make FTS5 look up each of the category's keys.
        where += " AND +rowid IN (SELECT search_key FROM article_categories WHERE category = ?)"
        extra = (category,)
    keys: list[int] = []
    for expression in (query.exact_match, query.other_match):
        if expression is None or len(keys) >= MAX_RESULTS:
            continue
        cur = await conn.execute(
            f"SELECT rowid FROM archive_fts WHERE {where} ORDER BY rowid DESC LIMIT ?",
            (expression, *extra, MAX_RESULTS - len(keys)),
        )
        keys.extend(row[0] for row in await cur.fetchall())
    return keys


async def _articles(conn: aiosqlite.Connection, keys: Sequence[int]) -> list[Article]:
    """Return the articles with these search keys, in the order given."""
    if not keys:
        return []
    cur = await conn.execute(
        f"SELECT {_ARTICLE_COLUMNS}, a.search_key FROM articles a "
        f"WHERE a.search_key IN ({','.join('?' * len(keys))})",
        tuple(keys),
    )
    found = {row["search_key"]: article_from_row(row) for row in await cur.fetchall()}
    return [found[k] for k in keys if k in found]


async def _categories(conn: aiosqlite.Connection, keys: Sequence[int]) -> tuple[str, ...]:
    """Return the categories of the articles with these search keys, the most common first."""
    if not keys:
        return ()
    cur = await conn.execute(
        f"""SELECT category FROM article_categories WHERE article_id IN
            (SELECT id FROM articles WHERE search_key IN ({",".join("?" * len(keys))}))
        GROUP BY category ORDER BY count(*) DESC, category""",
        tuple(keys),
    )
    return tuple(row[0] for row in await cur.fetchall())


async def _known(conn: aiosqlite.Connection, sid: int, keys: Iterable[str]) -> set[str]:
    """Return which of these keys the source has already yielded."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        cur = await conn.execute(
            f"SELECT key FROM article_keys WHERE source_id = ? "
            f"AND key IN ({','.join('?' * len(chunk))})",
            (sid, *chunk),
        )
        found.update(row[0] for row in await cur.fetchall())
    return found


async def _carried_elsewhere(
    conn: aiosqlite.Connection, sid: int, stories: set[str]
) -> dict[str, int]:
    """Return, by story key, the article another source already carries for these stories."""
    keys = sorted(stories)
    carried: dict[str, int] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        cur = await conn.execute(
            f"""SELECT story_key, MIN(id) FROM articles
            WHERE story_key IN ({",".join("?" * len(chunk))})
                AND id NOT IN (SELECT article_id FROM article_keys WHERE source_id = ?)
            GROUP BY story_key""",
            (*chunk, sid),
        )
        carried.update((row[0], row[1]) for row in await cur.fetchall())
    return carried
