"""Articles: storing what sources yield (once per story), and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from ..delivery.alerts import Urgency, text_words
from ..delivery.schedule import Timing, plan
from ..models import Article, Attachment, Entry
from ..text.dates import from_iso, to_iso
from ..text.search import index_text
from ..text.vntext import fold
from .database import Database
from .preferences import alerted_chats, timing_slots
from .sources import source_id


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one batch of entries did to the store."""

    new: tuple[int, ...] = ()  # ids of articles seen for the first time
    updated: int = 0  # known articles whose text changed at the source
    reposts: int = 0  # stories already stored from another source
    enqueued: int = 0  # delivery rows written to the outbox


def story_key(title: str, published: datetime) -> str:
    """Return the key under which two sources' copies of one story meet: title and minute."""
    return f"{' '.join(fold(title).split())}|{to_iso(published)[:16]}"


_ARTICLE_COLUMNS = """
    a.id, a.url, a.title, a.summary, a.body, a.author, a.image_url, a.attachments,
    a.published_at, a.first_seen_at,
    (SELECT group_concat(category, ' ') FROM article_categories c WHERE c.article_id = a.id)
        AS categories
"""


def article_from_row(row: aiosqlite.Row) -> Article:
    """Build an Article from a row selected with the article columns."""
    return Article(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        summary=row["summary"],
        image_url=row["image_url"],
        published=from_iso(row["published_at"]),
        first_seen=from_iso(row["first_seen_at"]),
        categories=tuple((row["categories"] or "").split()),
        body=row["body"],
        author=row["author"],
        attachments=tuple(Attachment(t, u) for t, u in json.loads(row["attachments"])),
    )


class ArticlesTable:
    """Reads and writes articles, their keys and categories, and fans new ones out."""

    db: Database
    urgency: Urgency  # see PreferencesTable

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
        announce: bool = True,
    ) -> StoreResult:
        """Store a source's entries in one unit of work and queue deliveries for new stories.

        An entry whose key the source yielded before only updates the stored text (an edit
        at the source is never announced again). An entry matching a story another source
        already gave (same title and minute) joins that article under more categories, and
        only subscribers who have not had it are queued. With ``announce`` false nothing is
        queued: a new source's back catalogue, or a backfill.
        """
        new: list[int] = []
        updated = reposts = enqueued = 0
        seen_now = to_iso(now)
        async with self.db.transaction() as conn:
            sid = await source_id(conn, source)
            for entry in entries:
                article_id, is_new, changed = await _upsert(conn, sid, entry, seen_now)
                await conn.executemany(
                    "INSERT OR IGNORE INTO article_categories(article_id, category) VALUES (?, ?)",
                    [(article_id, c) for c in categories],
                )
                if is_new:
                    new.append(article_id)
                elif changed is None:
                    reposts += 1
                updated += bool(changed)
                if announce and (is_new or changed is None):
                    enqueued += await _enqueue(conn, article_id, now, source, self.urgency)
        return StoreResult(tuple(new), updated, reposts, enqueued)

    async def article(self, article_id: int) -> Article | None:
        """Return one stored article, or None."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?", (article_id,)
            )
            row = await cur.fetchone()
        return None if row is None else article_from_row(row)

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
        """SELECT a.id, a.title, a.summary, a.body FROM article_keys k
        JOIN articles a ON a.id = k.article_id WHERE k.source_id = ? AND k.key = ?""",
        (sid, entry.key),
    )
    row = await cur.fetchone()
    attachments = json.dumps([(a.title, a.url) for a in entry.attachments], ensure_ascii=False)
    if row is not None:
        # A later poll may see a thinner copy (no enrichment for known items): keep what we had.
        merged = replace(
            entry, summary=entry.summary or row["summary"], body=entry.body or row["body"]
        )
        if (merged.title, merged.summary, merged.body) == tuple(row)[1:]:
            return row["id"], False, False
        await conn.execute(
            """
            UPDATE articles SET title = ?, summary = ?, body = ?, search_text = ?, url = ?,
                author = COALESCE(NULLIF(?, ''), author), image_url = COALESCE(?, image_url)
            WHERE id = ?
            """,
            (
                merged.title,
                merged.summary,
                merged.body,
                index_text(merged.title, merged.summary, merged.body),
                merged.url,
                merged.author,
                merged.image_url,
                row["id"],
            ),
        )
        return row["id"], False, True
    published = to_iso(entry.published) if entry.published else seen_now
    key = story_key(entry.title, from_iso(published))
    # A story another source already carries is the same article: one message, not two.
    cur = await conn.execute(
        """
        SELECT id FROM articles WHERE story_key = ? AND id NOT IN
            (SELECT article_id FROM article_keys WHERE source_id = ?)
        ORDER BY id LIMIT 1
        """,
        (key, sid),
    )
    row = await cur.fetchone()
    is_new = row is None
    if is_new:
        cur = await conn.execute(
            """
            INSERT INTO articles(url, title, summary, body, author, image_url, attachments,
                published_at, first_seen_at, story_key, search_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            (
                entry.url,
                entry.title,
                entry.summary,
                entry.body,
                entry.author,
                entry.image_url,
                attachments,
                published,
                seen_now,
                key,
                index_text(entry.title, entry.summary, entry.body),
            ),
        )
        row = await cur.fetchone()
    await conn.execute(
        "INSERT INTO article_keys(source_id, key, article_id) VALUES (?, ?, ?)",
        (sid, entry.key, row[0]),
    )
    return row[0], is_new, (False if is_new else None)


async def _enqueue(
    conn: aiosqlite.Connection, article_id: int, now: datetime, source: str, urgency: Urgency
) -> int:
    """Queue the article for every active chat that follows one of its categories or is alerted.

    One row per chat however many of its categories and alerts match (UNIQUE(chat_id,
    article_id)). Each row's priority and not_before follow the chat's timing (digest, quiet
    hours), unless the post is urgent: then it goes to everyone at once, before the rest.
    """
    cur = await conn.execute(
        """SELECT title, summary, body, (SELECT group_concat(category, ' ')
            FROM article_categories c WHERE c.article_id = a.id) FROM articles a WHERE id = ?""",
        (article_id,),
    )
    title, summary, body, categories = await cur.fetchone()
    urgent = urgency.is_urgent(source, (categories or "").split(), title)
    alerted = await alerted_chats(conn, text_words(" ".join((title, summary, body))))
    slots = await timing_slots(conn, now, urgent)
    default = plan(Timing(), now, urgent=urgent)  # at once; urgent or ordinary priority
    seen_now = to_iso(now)
    cur = await conn.execute(
        """
        INSERT OR IGNORE INTO deliveries(chat_id, article_id, priority, not_before, created_at)
        WITH slots AS (
            SELECT value ->> 0 AS digest_hour, value ->> 1 AS quiet_start,
                value ->> 2 AS quiet_end, value ->> 3 AS priority, value ->> 4 AS not_before
            FROM json_each(:slots)
        ), wanted AS (
            SELECT chat_id FROM subscriptions WHERE category IN
                (SELECT category FROM article_categories WHERE article_id = :article)
            UNION SELECT value FROM json_each(:alerted)
        )
        SELECT c.id, :article, COALESCE(p.priority, :priority),
            COALESCE(p.not_before, :not_before), :now
        FROM wanted w JOIN chats c ON c.id = w.chat_id
        LEFT JOIN chat_settings s ON s.chat_id = c.id
        LEFT JOIN slots p ON p.digest_hour IS s.digest_hour
            AND p.quiet_start IS s.quiet_start AND p.quiet_end IS s.quiet_end
        WHERE c.active = 1
        """,
        {
            "article": article_id,
            "slots": json.dumps(slots),
            "alerted": json.dumps(alerted),
            "priority": default.priority,
            "not_before": seen_now,  # a chat with no timing: at once
            "now": seen_now,
        },
    )
    return cur.rowcount
