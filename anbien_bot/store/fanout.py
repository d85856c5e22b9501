"""Queueing a new post: the facts the planner decides from, and its decision written as rows.

The store decides nothing here. Inside the unit of work that stored the article it gathers
what a plan needs (the article, the alerts filed under its words, the timings chats chose),
hands them to a FanoutPlan (delivery/planner.py's Planner), and writes the answer with one
INSERT ... SELECT over the subscriptions, so a post reaches 100,000 subscribers in one
statement whatever their timings.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Protocol

import aiosqlite

from ..models import Article, Fanout, Timing
from ..text.dates import to_iso
from .preferences import timing_from_columns

# A chat's timing columns in chat_settings: (digest_hour, quiet_start, quiet_end).
_Columns = tuple[int | None, int | None, int | None]


class FanoutPlan(Protocol):
    """What the store asks of the planner for each new post (delivery.planner.Planner)."""

    def alert_keys(self, article: Article) -> Collection[str]:
        """Return the keys (alerts.key) of the alerts the article may match."""
        ...

    def fan_out(
        self,
        source: str,
        article: Article,
        alerts: Sequence[tuple[int, str]],
        timings: Iterable[Timing],
        now: datetime,
    ) -> Fanout:
        """Return who gets the post beyond its subscribers, and each timing's slot."""
        ...


async def enqueue(
    conn: aiosqlite.Connection,
    article: Article,
    source: str,
    now: datetime,
    plan: FanoutPlan,
) -> int:
    """Queue the article as the plan says; return how many outbox rows were written.

    Every active chat subscribed to one of its categories, and every chat the plan says its
    alerts match, gets one row (UNIQUE(chat_id, article_id): a chat that already had the
    post from another source gets nothing), at the slot of its timing.
    """
    alerts = await _alerts_under(conn, plan.alert_keys(article))
    columns = await _timings(conn)
    timings = {c: timing_from_columns(*c) for c in columns}
    fanout = plan.fan_out(source, article, alerts, set(timings.values()), now)
    slots = []
    for (digest_hour, quiet_start, quiet_end), timing in timings.items():
        slot = fanout.slots.get(timing, fanout.default)
        slots.append((digest_hour, quiet_start, quiet_end, slot.priority, to_iso(slot.not_before)))
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
            "article": article.id,
            "slots": json.dumps(slots),
            "alerted": json.dumps(list(fanout.alerted)),
            "priority": fanout.default.priority,
            "not_before": to_iso(fanout.default.not_before),
            "now": to_iso(now),
        },
    )
    return cur.rowcount


async def _alerts_under(
    conn: aiosqlite.Connection, keys: Collection[str]
) -> list[tuple[int, str]]:
    """Return (chat id, words) of the active chats' alerts filed under one of these keys."""
    if not keys:
        return []
    cur = await conn.execute(
        """
        SELECT a.chat_id, a.words FROM alerts a JOIN chats c ON c.id = a.chat_id
        WHERE c.active = 1 AND a.key IN (SELECT value FROM json_each(?))
        """,
        (json.dumps(sorted(keys), ensure_ascii=False),),
    )
    return [(row[0], row[1]) for row in await cur.fetchall()]


async def _timings(conn: aiosqlite.Connection) -> list[_Columns]:
    """Return the distinct timing columns chats chose, leaving out the default (none)."""
    cur = await conn.execute(
        "SELECT DISTINCT digest_hour, quiet_start, quiet_end FROM chat_settings "
        "WHERE digest_hour IS NOT NULL OR quiet_start IS NOT NULL"
    )
    return [(row[0], row[1], row[2]) for row in await cur.fetchall()]
