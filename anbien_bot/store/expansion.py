"""Writing a fan-out record's outbox rows, a batch of chat ids at a time.

A record (table fanouts, written by store/fanout.py with its article) holds what the planner
decided for a new post: each timing's slot, the default slot, the chats its alerts match.
Expanding it writes one pending row for every chat that wants the post, in ascending chat
id order, BATCH subscribers of a category at a time; the same unit of work moves the
record's cursor ("reached", the last chat id written) or, after the last batch, deletes the
record. A crash between batches leaves the cursor where the last one left it, and a row is
never written twice (UNIQUE(chat_id, article_id)), so expanding again from the cursor after
a restart loses nothing and doubles nothing.

Who wants the post is read as each batch is written: the chats then active and subscribed to
one of its categories, and the alerted chats of the record. So a chat that subscribes,
unsubscribes or leaves in the few seconds an expansion takes is found as it is when the
expansion reaches its id, not as it was when the post was stored.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import aiosqlite

log = logging.getLogger(__name__)

BATCH = 1000  # chat ids of one category (and of the alerts) written per batch
FIRST_CHAT = -(2**63)  # below every chat id (groups' ids are negative): nothing reached yet
LAST_CHAT = 2**63 - 1

# Chats in (:after, :upto] that want the post: subscribers of its categories, and the chats
# whose alerts it matched (the plan's "alerted", JSON).
_WANTED = """
    wanted(chat_id) AS (
        SELECT chat_id FROM subscriptions WHERE category IN
                (SELECT category FROM article_categories WHERE article_id = :article)
            AND chat_id > :after AND chat_id <= :upto
        UNION SELECT value FROM json_each(:alerted) WHERE value > :after AND value <= :upto
    )
"""

# Each wanted active chat gets the slot of its timing (the plan's "slots": [digest_hour,
# quiet_start, quiet_end, priority, not_before]), or the default slot.
_WRITE = f"""
    INSERT OR IGNORE INTO deliveries(
        chat_id, article_id, priority, not_before, created_at, ordered_at)
    WITH slots AS (
        SELECT value ->> 0 AS digest_hour, value ->> 1 AS quiet_start,
            value ->> 2 AS quiet_end, value ->> 3 AS priority, value ->> 4 AS not_before
        FROM json_each(:slots)
    ), {_WANTED}
    SELECT c.id, :article, COALESCE(p.priority, :priority), COALESCE(p.not_before, :not_before),
        :created_at,
        (SELECT COALESCE(CAST(strftime('%s', published_at) AS INTEGER), 0)
         FROM articles WHERE id = :article)
    FROM wanted w JOIN chats c ON c.id = w.chat_id
    LEFT JOIN chat_settings s ON s.chat_id = c.id
    LEFT JOIN slots p ON p.digest_hour IS s.digest_hour
        AND p.quiet_start IS s.quiet_start AND p.quiet_end IS s.quiet_end
    WHERE c.active = 1
    ORDER BY c.id
"""

# Where the next batch ends: just before the (BATCH + 1)-th chat id after :after in the
# category (or alert list) where that comes first, so no batch reads more than BATCH ids of
# any one of them. NULL when none has more than BATCH left: the batch is the last.
_BATCH_END = """
    SELECT min(next) - 1 FROM (
        SELECT (SELECT s.chat_id FROM subscriptions s
                WHERE s.category = c.category AND s.chat_id > :after
                ORDER BY s.chat_id LIMIT 1 OFFSET :batch) AS next
        FROM article_categories c WHERE c.article_id = :article
        UNION ALL
        SELECT (SELECT value FROM json_each(:alerted) WHERE value > :after
                ORDER BY value LIMIT 1 OFFSET :batch)
    )
"""


@dataclass(frozen=True, slots=True)
class Record:
    """A fan-out record: the post, the plan's decision (JSON) and how far it is written."""

    id: int | None  # None: not stored (a fan-out written whole with its article)
    article_id: int
    plan: str
    reached: int
    created_at: str


async def write_batch(
    conn: aiosqlite.Connection, record: Record, size: int = BATCH
) -> tuple[int, int | None]:
    """Write the record's next batch of rows; return (rows written, new cursor or None if done).

    The caller stores the cursor (or deletes the record) in the same unit of work.
    """
    params = _params(record)
    cur = await conn.execute(_BATCH_END, {**params, "batch": size})
    upto = (await cur.fetchone())[0]
    cur = await conn.execute(_WRITE, {**params, "upto": LAST_CHAT if upto is None else upto})
    return cur.rowcount, upto


async def expand_next(conn: aiosqlite.Connection) -> bool | None:
    """Write one batch of the oldest fan-out record; None if there is none, else if more remain.

    Records go oldest first: a post queued while another expands waits for it (seconds).
    """
    cur = await conn.execute(
        "SELECT id, article_id, plan, reached, created_at FROM fanouts ORDER BY id LIMIT 1"
    )
    row = await cur.fetchone()
    if row is None:
        return None
    record = Record(*row)
    _, upto = await write_batch(conn, record)
    if upto is None:
        await conn.execute("DELETE FROM fanouts WHERE id = ?", (record.id,))
        log.info("fan-out of article %d written to the outbox", record.article_id)
    else:
        await conn.execute("UPDATE fanouts SET reached = ? WHERE id = ?", (upto, record.id))
    remaining = await conn.execute("SELECT EXISTS (SELECT 1 FROM fanouts)")
    return bool((await remaining.fetchone())[0])


async def expand_chat(conn: aiosqlite.Connection, chat_id: int) -> None:
    """Write now the chat's rows of every record that has not reached it yet.

    For a chat changing its timing: its waiting rows, this one included, then move with it.
    """
    cur = await conn.execute(
        "SELECT id, article_id, plan, reached, created_at FROM fanouts WHERE reached < ?",
        (chat_id,),
    )
    for row in await cur.fetchall():
        params = _params(Record(*row))
        await conn.execute(_WRITE, {**params, "after": chat_id - 1, "upto": chat_id})


def _params(record: Record) -> dict[str, object]:
    plan = json.loads(record.plan)
    return {
        "article": record.article_id,
        "after": record.reached,
        "slots": json.dumps(plan["slots"]),
        "alerted": json.dumps(plan["alerted"]),
        "priority": plan["priority"],
        "not_before": plan["not_before"],
        "created_at": record.created_at,
    }
