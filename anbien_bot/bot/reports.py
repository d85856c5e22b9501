"""What the admins read: statistics, a broadcast's progress and its report, as Telegram HTML.

Pure: the counts come from the store, the words from texts. The chart is text in a <pre> block
(bars of block characters), which every Telegram client shows and which costs no plotting
library; see README, "For editors".
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..delivery.message import pack, units
from ..text.dates import format_vn
from ..texts import Html, Lang, text

if TYPE_CHECKING:
    from ..store.broadcasts import Broadcast
    from ..store.outbox import FanoutReport
    from ..store.stats import ArchiveStats, DayActivity, DeliveryStats, SubscriberStats

MESSAGE_LIMIT = 4096  # Telegram's limit for one message, in UTF-16 code units
_BAR_WIDTH = 10  # characters of the longest bar
_EIGHTHS = " ▏▎▍▌▋▊▉"
_FULL = "█"
_CHAT_KINDS = {"private": "chat_private", "group": "chat_group", "supergroup": "chat_group"}
_CHAT_KINDS["channel"] = "chat_channel"


def number(value: int, lang: Lang) -> str:
    """Return a count as its readers write it: 1.234 in Vietnamese, 1,234 in English."""
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if lang == "vi" else grouped


def duration(seconds: float, lang: Lang) -> str:
    """Return a time span in words, to the second under an hour and to the minute above."""
    whole = max(round(seconds), 1)
    if whole < 60:
        return text(lang, "seconds", s=whole)
    if whole < 3600:
        return text(lang, "minutes", m=whole // 60, s=whole % 60)
    return text(lang, "hours", h=whole // 3600, m=whole % 3600 // 60)


def bar(value: int, largest: int, width: int = _BAR_WIDTH) -> str:
    """Return a horizontal bar for value on a scale where largest fills width characters."""
    if value <= 0 or largest <= 0:
        return ""
    eighths = max(round(value / largest * width * 8), 1)  # a non-zero value always shows
    return _FULL * (eighths // 8) + _EIGHTHS[eighths % 8].strip()


def activity_chart(days: Sequence[DayActivity], lang: Lang) -> str:
    """Return a <pre> table of days: new chats and messages sent, with a bar for the sends."""
    largest = max((d.sent for d in days), default=0)
    rows = [(text(lang, "chart_day"), text(lang, "chart_new"), "", text(lang, "chart_sent"))]
    for day in days:
        rows.append(
            (
                day.day.strftime("%d/%m"),
                f"+{number(day.new_chats, lang)}" if day.new_chats else "0",
                bar(day.sent, largest),
                number(day.sent, lang),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{a:<{widths[0]}} {b:>{widths[1]}} {c:<{max(widths[2], 1)}} {d}".rstrip()
        for a, b, c, d in rows
    ]
    return "<pre>" + html.escape("\n".join(lines), quote=False) + "</pre>"


def stats_report(
    subscribers: SubscriberStats,
    deliveries: DeliveryStats,
    archive: ArchiveStats,
    days: Sequence[DayActivity],
    broadcasts: Sequence[tuple[Broadcast, FanoutReport]],
    category_names: Mapping[str, str],
    lang: Lang,
    now: datetime,
) -> list[str]:
    """Return /stats as messages (one, unless it grew past Telegram's limit)."""
    blocks = [
        text(lang, "stats_title", when=format_vn(now)),
        _subscribers_block(subscribers, category_names, lang),
        _deliveries_block(deliveries, lang),
        _archive_block(archive, lang),
    ]
    if days:
        blocks.append(
            text(lang, "stats_chart", days=len(days), chart=Html(activity_chart(days, lang)))
        )
    if broadcasts:
        items = "\n".join(
            broadcast_line(b, report, category_names, lang) for b, report in broadcasts
        )
        blocks.append(text(lang, "stats_broadcasts", items=Html(items)))
    return join_blocks(blocks)


def _subscribers_block(
    subscribers: SubscriberStats, category_names: Mapping[str, str], lang: Lang
) -> str:
    """Return the subscribers part of /stats: totals, then by category, language and kind."""

    def listing(counts: Mapping[str, int], name: Mapping[str, str]) -> str:
        return ", ".join(
            f"{name.get(key, key)} {number(count, lang)}" for key, count in counts.items()
        )

    by_category = {
        key: subscribers.by_category[key]
        for key in category_names
        if subscribers.by_category.get(key)
    }
    kinds: dict[str, int] = {}
    for kind, count in subscribers.by_type.items():
        key = _CHAT_KINDS.get(kind, "chat_group")
        kinds[key] = kinds.get(key, 0) + count
    languages = {
        key: text(lang, f"language_{key}") if key in ("vi", "en") else key
        for key in subscribers.by_language
    }
    lines = [
        text(
            lang,
            "stats_subscribers",
            active=number(subscribers.active, lang),
            new=number(subscribers.new_this_week, lang),
            bare=number(subscribers.without_categories, lang),
            inactive=number(subscribers.inactive, lang),
        )
    ]
    if by_category:
        lines.append(text(lang, "stats_by_category", items=listing(by_category, category_names)))
    if languages:
        lines.append(
            text(lang, "stats_by_language", items=listing(subscribers.by_language, languages))
        )
    if kinds:
        names = {key: text(lang, key) for key in kinds}
        lines.append(text(lang, "stats_by_type", items=listing(kinds, names)))
    return "\n".join(lines)


def _deliveries_block(deliveries: DeliveryStats, lang: Lang) -> str:
    """Return the deliveries part of /stats: the last day and week, and what waits."""
    counts = {
        "sent_day": deliveries.sent_day,
        "failed_day": deliveries.failed_day,
        "blocked_day": deliveries.blocked_day,
        "sent_week": deliveries.sent_week,
        "failed_week": deliveries.failed_week,
        "blocked_week": deliveries.blocked_week,
        "pending": deliveries.pending,
    }
    return text(lang, "stats_deliveries", **{k: number(v, lang) for k, v in counts.items()})


def _archive_block(archive: ArchiveStats, lang: Lang) -> str:
    """Return the archive part of /stats: how many articles, from when to when."""
    if not (archive.articles and archive.oldest and archive.newest):
        return text(lang, "stats_archive_empty")
    return text(
        lang,
        "stats_archive",
        count=number(archive.articles, lang),
        articles=archive.articles,  # chooses "1 article" or "2 articles"
        oldest=format_vn(archive.oldest)[:10],  # the day only: 29/05/2020
        newest=format_vn(archive.newest)[:10],
    )


def audience_name(audience: str, category_names: Mapping[str, str], lang: Lang) -> str:
    """Return who a broadcast goes to, in words (plain text, not escaped)."""
    # Audiences as store.broadcasts writes them: "all", "admin" or "category:<key>".
    if audience == "admin":
        return html.unescape(text(lang, "audience_admin"))
    if audience.startswith("category:"):
        key = audience.removeprefix("category:")
        name = category_names.get(key, key)
        return html.unescape(text(lang, "audience_category", category=name))
    return html.unescape(text(lang, "audience_all"))


def broadcast_line(
    broadcast: Broadcast, report: FanoutReport, category_names: Mapping[str, str], lang: Lang
) -> str:
    """Return one line of the recent broadcasts in /stats."""
    when = broadcast.started_at or broadcast.created_at
    return text(
        lang,
        "stats_broadcast_item",
        id=broadcast.id,
        when=format_vn(when)[:16],
        audience=audience_name(broadcast.audience, category_names, lang),
        sent=number(report.sent, lang),
        recipients=number(report.recipients, lang),
        status=text(lang, f"status_{broadcast.status}"),
    )


def progress_text(
    broadcast: Broadcast,
    report: FanoutReport,
    elapsed: float,
    category_names: Mapping[str, str],
    lang: Lang,
) -> str:
    """Return the progress message of a broadcast being sent, with the time left."""
    settled = report.sent + report.blocked + report.failed + report.cancelled
    if settled and elapsed > 0:
        eta = duration(report.pending * elapsed / settled, lang)
    else:
        eta = text(lang, "unknown_time")
    return text(
        lang,
        "broadcast_progress",
        id=broadcast.id,
        audience=audience_name(broadcast.audience, category_names, lang),
        sent=number(report.sent, lang),
        recipients=number(report.recipients, lang),
        pending=number(report.pending, lang),
        blocked=number(report.blocked, lang),
        failed=number(report.failed, lang),
        eta=Html(eta),
    )


def final_text(
    broadcast: Broadcast,
    report: FanoutReport,
    elapsed: float,
    category_names: Mapping[str, str],
    lang: Lang,
) -> str:
    """Return a finished (or stopped) broadcast's report."""
    return text(
        lang,
        "broadcast_stopped" if broadcast.status == "cancelled" else "broadcast_done",
        id=broadcast.id,
        audience=audience_name(broadcast.audience, category_names, lang),
        duration=Html(duration(elapsed, lang)),
        sent=number(report.sent, lang),
        recipients=number(report.recipients, lang),
        blocked=number(report.blocked, lang),
        failed=number(report.failed, lang),
        cancelled=number(report.cancelled, lang),
    )


def join_blocks(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Return blocks joined by blank lines into as few messages under limit as they fit.

    A block is never split, so no tag is ever cut in two; each block must fit on its own.
    Tags count against the limit too: a margin that spares parsing the HTML to measure it.
    """
    return ["\n\n".join(message) for message in pack(blocks, limit, units) if message]
