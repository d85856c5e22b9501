"""Queueing a new post: the facts the planner decides from, and its decision kept as a record.

The store decides nothing here. Inside the unit of work that stored the article it gathers
what a plan needs (the article, the alerts filed under its words, the timings chats chose),
hands them to a FanoutPlan (delivery/planner.py's Planner), and keeps the answer as a
fan-out record with the article. store/expansion.py writes the record's outbox rows, a
batch of chat ids at a time, each batch in its own short unit of work: a post to 100,000
subscribers never holds the store for long, and a crash at any moment loses no subscriber.
When the unit of work has room, the rows of the first WITH_ARTICLE chat ids are written
with the article, so a post to a few thousand subscribers is queued whole at once and leaves
no record.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Protocol

import aiosqlite

from ..models import Article, Fanout, Timing
from ..text.dates import to_iso
from .expansion import FIRST_CHAT, Record, write_batch
from .preferences import timing_from_columns

WITH_ARTICLE = 2000  # chat ids whose rows are written in the article's unit of work

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
    *,
    write_first: bool = True,
) -> tuple[int, bool]:
    """Queue the article as the plan says; return (rows written now, whether that was all).

    Every active chat subscribed to one of its categories, and every chat the plan says its
    alerts match, gets one row (UNIQUE(chat_id, article_id): a chat that already had the
    post from another source gets nothing), at the slot of its timing. The rows beyond the
    first WITH_ARTICLE chat ids (all of them without ``write_first``) are the expansion's.
    """
    alerts = await _alerts_under(conn, plan.alert_keys(article))
    columns = await _timings(conn)
    timings = {c: timing_from_columns(*c) for c in columns}
    fanout = plan.fan_out(source, article, alerts, set(timings.values()), now)
    slots = []
    for (digest_hour, quiet_start, quiet_end), timing in timings.items():
        slot = fanout.slots.get(timing, fanout.default)
        slots.append((digest_hour, quiet_start, quiet_end, slot.priority, to_iso(slot.not_before)))
    decided = json.dumps(
        {
            "slots": slots,
            "alerted": list(fanout.alerted),
            "priority": fanout.default.priority,
            "not_before": to_iso(fanout.default.not_before),
        }
    )
    record = Record(None, article.id, decided, FIRST_CHAT, to_iso(now))
    written, reached = 0, FIRST_CHAT
    if write_first:
        written, upto = await write_batch(conn, record, WITH_ARTICLE)
        if upto is None:
            return written, True
        reached = upto
    await conn.execute(
        "INSERT INTO fanouts(article_id, plan, reached, created_at) VALUES (?, ?, ?, ?)",
        (article.id, decided, reached, record.created_at),
    )
    return written, False


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
