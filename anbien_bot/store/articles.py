"""Articles: storing what sources yield (once per story), and reading them back."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

import aiosqlite

from ..models import Article, Attachment, BodyBlock, Entry, body_text
from ..text.dates import from_iso, to_iso
from ..text.search import index_text
from ..text.vntext import fold
from ..values import BlockKind
from .database import Database
from .fanout import WITH_ARTICLE, FanoutPlan, enqueue
from .files import queue_files
from .sources import source_id


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one batch of entries did to the store."""

    new: tuple[int, ...] = ()  # ids of articles seen for the first time
    updated: int = 0  # known articles whose text changed at the source
    reposts: int = 0  # stories already stored from another source
    enqueued: int = 0  # delivery rows written to the outbox in this unit of work
    expanding: int = 0  # new posts whose rows the expansion writes next (store/expansion.py)


def story_key(title: str, published: datetime) -> str:
    """Return the key under which two sources' copies of one story meet: title and minute."""
    return f"{' '.join(fold(title).split())}|{to_iso(published)[:16]}"


# A new article's place in the search index (schema migration 9): 64 keys for each minute
# of publication (?9), taken in the order articles are stored, so newest first is the
# index's own order; a minute's 65th article takes the next free key.
_SEARCH_KEY = """(
    WITH RECURSIVE minute(m) AS (
        SELECT COALESCE(CAST(strftime('%s', ?9) AS INTEGER), 0) / 60
    ), free(k) AS (
        SELECT max(m << 6, COALESCE(
            (SELECT max(search_key) + 1 FROM articles WHERE search_key < (m + 1) << 6), m << 6
        )) FROM minute
        UNION ALL
        SELECT k + 1 FROM free WHERE EXISTS (SELECT 1 FROM articles WHERE search_key = free.k)
    )
    SELECT max(k) FROM free
)"""

# Every new article row is written by this statement from article_row: a poll's
# store_entries one at a time (id NULL: SQLite picks it), a back catalogue's import_entries
# in bulk (ids given, so its keys and categories can be written in bulk too).
INSERT_ARTICLE = f"""
    INSERT INTO articles(id, url, title, summary, body, author, image_url, attachments,
        published_at, first_seen_at, story_key, blocks, search_key)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, {_SEARCH_KEY})
"""
INSERT_KEY = "INSERT INTO article_keys(source_id, key, article_id) VALUES (?, ?, ?)"
INSERT_CATEGORY = """
    INSERT OR IGNORE INTO article_categories(article_id, category, search_key)
    SELECT ?1, ?2, search_key FROM articles WHERE id = ?1
"""
# The search index holds no text, only its words (content=''), so the store writes them:
# (article id, text.search.index_text of the article) after the article's row, and to take
# them out again ('delete') exactly what was written, before the row changes. An article
# is never deleted; code that comes to delete one must first take it out of the index.
INDEX_ARTICLE = """
    INSERT INTO archive_fts(rowid, folded, exact)
    SELECT search_key, ?2, title || ' ' || summary FROM articles WHERE id = ?1
"""
_UNINDEX_ARTICLE = """
    INSERT INTO archive_fts(archive_fts, rowid, folded, exact)
    SELECT 'delete', search_key, ?2, title || ' ' || summary FROM articles WHERE id = ?1
"""


class Placement(NamedTuple):
    """Where a new entry stands among stored articles."""

    published: str  # as stored: when first seen, if the entry gives no time
    story: str  # story_key: where another source's copy of it meets it


def placement(entry: Entry, seen_now: str) -> Placement:
    """Return a new entry's publication time as stored and its story key."""
    published = to_iso(entry.published) if entry.published else seen_now
    return Placement(published, story_key(entry.title, from_iso(published)))


def article_row(
    article_id: int | None, entry: Entry, placed: Placement, seen_now: str
) -> tuple[object, ...]:
    """Return the row INSERT_ARTICLE writes for a new entry placed by placement()."""
    published, story = placed
    return (
        article_id,
        entry.url,
        entry.title,
        entry.summary,
        "" if entry.blocks else entry.body,  # the text once: blocks hold it
        entry.author,
        entry.image_url,
        attachments_json(entry.attachments),
        published,
        seen_now,
        story,
        encode_blocks(entry.blocks),
    )


def attachments_json(attachments: Sequence[Attachment]) -> str:
    """Return attachments as the articles.attachments column keeps them."""
    return json.dumps([(a.title, a.url) for a in attachments], ensure_ascii=False)


def encode_blocks(blocks: tuple[BodyBlock, ...]) -> bytes | None:
    """Return a body's blocks as the articles.blocks column keeps them (None: not known).

    JSON, compressed: a body is most of an article's bytes and the archive is kept for years;
    deflate keeps a portal article's blocks in about a third of their size (issue 15), and
    reading them back costs microseconds.
    """
    if not blocks:
        return None
    rows = [[b.kind.value, b.text, b.url] if b.url else [b.kind.value, b.text] for b in blocks]
    return zlib.compress(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode())


def decode_blocks(column: bytes | str | None) -> tuple[BodyBlock, ...]:
    """Return the blocks encode_blocks wrote (plain JSON text in rows written before)."""
    if not column:
        return ()
    if isinstance(column, bytes):
        column = zlib.decompress(column).decode()
    return tuple(BodyBlock(BlockKind(row[0]), *row[1:]) for row in json.loads(column))


_ARTICLE_COLUMNS = """
    a.id, a.url, a.title, a.summary, a.body, a.author, a.image_url, a.attachments,
    a.published_at, a.first_seen_at, a.blocks,
    (SELECT group_concat(category, ' ') FROM article_categories c WHERE c.article_id = a.id)
        AS categories
"""


def article_from_row(row: aiosqlite.Row) -> Article:
    """Build an Article from a row selected with the article columns."""
    blocks = decode_blocks(row["blocks"])
    return Article(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        summary=row["summary"],
        image_url=row["image_url"],
        published=from_iso(row["published_at"]),
        first_seen=from_iso(row["first_seen_at"]),
        categories=tuple((row["categories"] or "").split()),
        body=row["body"] or body_text(blocks),
        author=row["author"],
        attachments=tuple(Attachment(t, u) for t, u in json.loads(row["attachments"])),
        blocks=blocks,
    )


class ArticlesTable:
    """Reads and writes articles, their keys and categories, and fans new ones out."""

    db: Database

    async def known_keys(self, source: str, keys: Iterable[str]) -> set[str]:
        """Return which of these keys the source has already yielded."""
        keys = list(keys)
        if not keys:
            return set()
        found: set[str] = set()
        async with self.db.reading() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                cur = await conn.execute(
                    f"""SELECT k.key FROM article_keys k JOIN sources s ON s.id = k.source_id
                    WHERE s.name = ? AND k.key IN ({",".join("?" * len(chunk))})""",
                    (source, *chunk),
                )
                found.update(row[0] for row in await cur.fetchall())
        return found

    async def store_entries(
        self,
        source: str,
        categories: Sequence[str],
        entries: Sequence[Entry],
        *,
        now: datetime,
        plan: FanoutPlan | None,
    ) -> StoreResult:
        """Store a source's entries in one unit of work and queue new stories as ``plan`` says.

        An entry whose key the source yielded before only updates the stored text (an edit
        at the source is never announced again). An entry matching a story another source
        already gave (same title and minute) joins that article under more categories, and
        only subscribers who have not had it are queued. With no plan nothing is queued: a
        new source's first poll (its back catalogue).

        Rows are written here for about WITH_ARTICLE chats in all (so this unit of work stays
        short however many subscribers); the rest are the expansion's (store/expansion.py).
        """
        new: list[int] = []
        updated = reposts = enqueued = expanding = 0
        seen_now = to_iso(now)
        async with self.db.transaction() as conn:
            sid = await source_id(conn, source)
            for entry in entries:
                article_id, is_new, changed = await _upsert(conn, sid, entry, seen_now)
                await conn.executemany(INSERT_CATEGORY, [(article_id, c) for c in categories])
                if is_new:
                    new.append(article_id)
                elif changed is None:
                    reposts += 1
                updated += bool(changed)
                if plan is not None and (is_new or changed is None):
                    article = await _read(conn, article_id)
                    assert article is not None  # stored just now, in this unit of work
                    written, whole = await enqueue(
                        conn, article, source, now, plan, write_first=enqueued < WITH_ARTICLE
                    )
                    enqueued += written
                    expanding += not whole
        return StoreResult(tuple(new), updated, reposts, enqueued, expanding)

    async def article(self, article_id: int) -> Article | None:
        """Return one stored article, or None."""
        async with self.db.reading() as conn:
            return await _read(conn, article_id)

    async def latest(self, category: str | None = None, limit: int = 5) -> list[Article]:
        """Return the newest articles, of one category or of all."""
        where, params = "", ()
        if category is not None:
            where = "WHERE a.id IN (SELECT article_id FROM article_categories WHERE category = ?)"
            params = (category,)
        async with self.db.reading() as conn:
            cur = await conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles a {where} "
                "ORDER BY a.published_at DESC, a.id DESC LIMIT ?",
                (*params, limit),
            )
            rows = await cur.fetchall()
        return [article_from_row(row) for row in rows]

    async def newest(self, category: str | None, limit: int) -> list[Article]:
        """Return the newest articles of one category or of all, newest published first.

        For the Atom feeds, which are read often and whatever a category's size: each reads
        one index range and stops at the limit. A category's range is article_categories'
        (category, search_key), in order of the minute of publication, so which of one
        minute's articles make the last places may differ from latest()'s by seconds.
        """
        if category is None:
            sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles a ORDER BY a.published_at DESC LIMIT ?"
            params: tuple[object, ...] = (limit,)
        else:
            sql = (
                f"SELECT {_ARTICLE_COLUMNS} FROM article_categories c "
                "JOIN articles a ON a.id = c.article_id "
                "WHERE c.category = ? ORDER BY c.search_key DESC LIMIT ?"
            )
            params = (category, limit)
        async with self.db.reading() as conn:
            rows = await (await conn.execute(sql, params)).fetchall()
        articles = [article_from_row(row) for row in rows]
        return sorted(articles, key=lambda a: (a.published, a.id), reverse=True)

    async def article_count(self) -> int:
        """Return how many articles are stored."""
        async with self.db.reading() as conn:
            cur = await conn.execute("SELECT count(*) FROM articles")
            return int((await cur.fetchone())[0])


async def _upsert(
    conn: aiosqlite.Connection, sid: int, entry: Entry, seen_now: str
) -> tuple[int, bool, bool | None]:
    """Insert or update one entry; return (article id, is new, text changed or None=repost)."""
    cur = await conn.execute(
        """SELECT a.id, a.title, a.summary, a.body, a.blocks FROM article_keys k
        JOIN articles a ON a.id = k.article_id WHERE k.source_id = ? AND k.key = ?""",
        (sid, entry.key),
    )
    row = await cur.fetchone()
    if row is not None:
        known = decode_blocks(row["blocks"])
        stored = (row["title"], row["summary"], row["body"] or body_text(known))
        # A later poll may see a thinner copy (no enrichment for known items): keep what we had.
        merged = replace(
            entry,
            summary=entry.summary or row["summary"],
            body=entry.body or stored[2],
            blocks=entry.blocks or known,
        )
        if (merged.title, merged.summary, merged.body) == stored and merged.blocks == known:
            return row["id"], False, False
        await conn.execute(_UNINDEX_ARTICLE, (row["id"], index_text(*stored)))
        await conn.execute(
            """
            UPDATE articles SET title = :title, summary = :summary, body = :body, url = :url,
                blocks = :blocks, author = COALESCE(NULLIF(:author, ''), author),
                image_url = COALESCE(:image_url, image_url),
                attachments = CASE WHEN :files = '[]' THEN attachments ELSE :files END
            WHERE id = :id
            """,
            {
                "title": merged.title,
                "summary": merged.summary,
                "body": "" if merged.blocks else merged.body,
                "url": merged.url,
                "blocks": encode_blocks(merged.blocks),
                "author": merged.author,
                "image_url": merged.image_url,
                "files": attachments_json(entry.attachments),
                "id": row["id"],
            },
        )
        await queue_files(conn, row["id"], entry.attachments)
        await conn.execute(
            INDEX_ARTICLE, (row["id"], index_text(merged.title, merged.summary, merged.body))
        )
        return row["id"], False, True
    placed = placement(entry, seen_now)
    # A story another source already carries is the same article: one message, not two.
    cur = await conn.execute(
        """
        SELECT id FROM articles WHERE story_key = ? AND id NOT IN
            (SELECT article_id FROM article_keys WHERE source_id = ?)
        ORDER BY id LIMIT 1
        """,
        (placed.story, sid),
    )
    row = await cur.fetchone()
    is_new = row is None
    if is_new:
        cur = await conn.execute(
            INSERT_ARTICLE + " RETURNING id", article_row(None, entry, placed, seen_now)
        )
        row = await cur.fetchone()
        await conn.execute(
            INDEX_ARTICLE, (row[0], index_text(entry.title, entry.summary, entry.body))
        )
        await queue_files(conn, row[0], entry.attachments)
    await conn.execute(INSERT_KEY, (sid, entry.key, row[0]))
    return row[0], is_new, (False if is_new else None)


async def _read(conn: aiosqlite.Connection, article_id: int) -> Article | None:
    """Return one stored article, or None."""
    cur = await conn.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?", (article_id,)
    )
    row = await cur.fetchone()
    return None if row is None else article_from_row(row)
