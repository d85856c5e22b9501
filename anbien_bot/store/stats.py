"""Counts for the admins' statistics: who listens, what was delivered, what the archive holds.

Every count reads an index range (subscriptions, sent_at, the undelivered rows, published_at),
never the whole outbox. Retention (store/retention.py) folds rows older than
``retention.settled_days`` (7 at least) into delivery_days: the counts of the last 24 hours and
7 days therefore always find their rows, and the daily chart adds each day's totals to the
rows still kept for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ..text.dates import from_iso, to_iso
from ..values import DeliveryStatus
from .database import Database, literal
from .retention import VN_OFFSET  # Vietnam keeps UTC+7 all year: days are local days

_PENDING = literal(DeliveryStatus.PENDING)
_FAILED, _BLOCKED = literal(DeliveryStatus.FAILED), literal(DeliveryStatus.BLOCKED)


@dataclass(frozen=True, slots=True)
class SubscriberStats:
    """Who the bot serves now."""

    active: int  # active chats subscribed to at least one category
    without_categories: int  # active chats subscribed to nothing
    inactive: int  # chats that blocked the bot or removed it
    new_this_week: int  # active subscribers whose chat was first seen in the last 7 days
    by_category: dict[str, int]  # active subscribers of each category
    by_language: dict[str, int]
    by_type: dict[str, int]  # "private", "group", "supergroup", "channel"


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """Posts delivered and not delivered over the last day and week, and the backlog."""

    sent_day: int
    sent_week: int
    failed_day: int
    failed_week: int
    blocked_day: int
    blocked_week: int
    pending: int  # messages of any kind still waiting to be sent


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    """What the archive holds."""

    articles: int
    oldest: datetime | None
    newest: datetime | None


@dataclass(frozen=True, slots=True)
class DayActivity:
    """One day in Vietnam time: chats that arrived and messages sent."""

    day: date
    new_chats: int
    sent: int


class StatsTable:
    """Reads the counts behind /stats and /sources."""

    db: Database

    async def subscriber_stats(self, now: datetime) -> SubscriberStats:
        """Return the counts of chats by state, category, language and type."""
        week_ago = to_iso(now - timedelta(days=7))
        subscribed = "EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = c.id)"
        async with self.db.reading() as conn:
            cur = await conn.execute(
                f"""
                SELECT total(active AND {subscribed}), total(active AND NOT {subscribed}),
                    total(NOT active), total(active AND {subscribed} AND created_at >= ?)
                FROM chats c
                """,
                (week_ago,),
            )
            active, bare, inactive, new = await cur.fetchone()
            cur = await conn.execute(
                "SELECT s.category, count(*) FROM subscriptions s JOIN chats c "
                "ON c.id = s.chat_id WHERE c.active = 1 GROUP BY s.category"
            )
            by_category = {row[0]: row[1] for row in await cur.fetchall()}
            by = {}
            for column in ("language", "type"):
                cur = await conn.execute(
                    f"SELECT {column}, count(*) FROM chats c WHERE active = 1 AND {subscribed} "
                    f"GROUP BY {column} ORDER BY count(*) DESC, {column}"
                )
                by[column] = {row[0]: row[1] for row in await cur.fetchall()}
        return SubscriberStats(
            active=int(active),
            without_categories=int(bare),
            inactive=int(inactive),
            new_this_week=int(new),
            by_category=by_category,
            by_language=by["language"],
            by_type=by["type"],
        )

    async def delivery_stats(self, now: datetime) -> DeliveryStats:
        """Return posts sent, failed and blocked in the last 24 hours and 7 days."""
        day, week = to_iso(now - timedelta(days=1)), to_iso(now - timedelta(days=7))
        async with self.db.reading() as conn:
            # Every message sent, from deliveries_sent_at alone (it holds no article_id: a
            # look at each row would take a second at 10,000 subscribers), less the
            # announcements', which deliveries_broadcast finds.
            cur = await conn.execute(
                "SELECT (SELECT count(*) FROM deliveries WHERE sent_at >= :day), "
                "(SELECT count(*) FROM deliveries WHERE sent_at >= :week)",
                {"day": day, "week": week},
            )
            sent_day, sent_week = await cur.fetchone()
            cur = await conn.execute(
                "SELECT total(sent_at >= :day), total(sent_at >= :week) FROM deliveries "
                "WHERE broadcast_id IN (SELECT id FROM broadcasts)",
                {"day": day, "week": week},
            )
            announced_day, announced_week = await cur.fetchone()
            sent_day, sent_week = sent_day - announced_day, sent_week - announced_week
            # Rows that never arrived carry no time of their own: they count by when queued.
            cur = await conn.execute(
                f"""
                SELECT total(status = {_FAILED} AND created_at >= :day),
                    total(status = {_FAILED}),
                    total(status = {_BLOCKED} AND created_at >= :day),
                    total(status = {_BLOCKED})
                FROM deliveries
                WHERE status IN ({_FAILED}, {_BLOCKED}) AND created_at >= :week
                    AND article_id IS NOT NULL
                """,
                {"day": day, "week": week},
            )
            failed_day, failed_week, blocked_day, blocked_week = await cur.fetchone()
            cur = await conn.execute(f"SELECT count(*) FROM deliveries WHERE status = {_PENDING}")
            pending = (await cur.fetchone())[0]
        return DeliveryStats(
            sent_day=int(sent_day),
            sent_week=int(sent_week),
            failed_day=int(failed_day),
            failed_week=int(failed_week),
            blocked_day=int(blocked_day),
            blocked_week=int(blocked_week),
            pending=int(pending),
        )

    async def archive_stats(self) -> ArchiveStats:
        """Return how many articles are stored and the span of their publication dates."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                "SELECT count(*), min(published_at), max(published_at) FROM articles"
            )
            count, oldest, newest = await cur.fetchone()
        return ArchiveStats(
            int(count),
            None if oldest is None else from_iso(oldest),
            None if newest is None else from_iso(newest),
        )

    async def daily_activity(self, now: datetime, days: int) -> list[DayActivity]:
        """Return, for each of the last ``days`` days in Vietnam time, new chats and sends."""
        today = (now + timedelta(hours=7)).date()
        first = today - timedelta(days=days - 1)
        # The UTC moment the first local day began.
        since = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(hours=7)
        async with self.db.reading() as conn:
            cur = await conn.execute(
                f"SELECT date(created_at, '{VN_OFFSET}'), count(*) FROM chats "
                "WHERE created_at >= ? GROUP BY 1",
                (to_iso(since),),
            )
            chats = {row[0]: row[1] for row in await cur.fetchall()}
            cur = await conn.execute(
                "SELECT day, sent FROM delivery_days WHERE day >= ?", (first.isoformat(),)
            )
            sent: Counter[str] = Counter()
            for key, count in await cur.fetchall():
                sent[key] += count
            # Each day's rows still kept, counted as one range of deliveries_sent_at: a
            # date() of every row, grouped, would take a second at 10,000 subscribers.
            for offset in range(days):
                start = since + timedelta(days=offset)
                cur = await conn.execute(
                    "SELECT count(*) FROM deliveries WHERE sent_at >= ? AND sent_at < ?",
                    (to_iso(start), to_iso(start + timedelta(days=1))),
                )
                sent[(first + timedelta(days=offset)).isoformat()] += (await cur.fetchone())[0]
        result = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            key = day.isoformat()
            result.append(DayActivity(day, chats.get(key, 0), sent[key]))
        return result

    async def source_activity(self, since: datetime) -> dict[str, int]:
        """Return, per source name, how many of its articles were published since then."""
        async with self.db.reading() as conn:
            cur = await conn.execute(
                """
                SELECT s.name, count(*) FROM articles a
                JOIN article_keys k ON k.article_id = a.id
                JOIN sources s ON s.id = k.source_id
                WHERE a.published_at >= ? GROUP BY s.name
                """,
                (to_iso(since),),
            )
            return {row[0]: row[1] for row in await cur.fetchall()}
