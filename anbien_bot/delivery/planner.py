"""Who gets a new post, at what priority, and not before when: every decision of the outbox.

Read it beside the README's "Residents' settings". For each new post (an article seen for the
first time, or a story another source carried first, for the chats that have not had it):

1. **Who.** Every active chat subscribed to one of the post's categories (the store selects
   them in one statement), and every active chat with a keyword alert that the post's title,
   summary and body match (delivery/alerts.py: whole words, all of them, marks as typed).
   A chat gets one row however many of its categories and alerts match.
2. **Urgent** (Urgency): its source has ``urgent = true``, one of its categories is in
   ``[urgent] categories``, or its *title* holds one of ``[urgent] words`` side by side.
   Then every chat gets it at once, at Priority.URGENT, before everything waiting, whatever
   its digest or quiet hours.
3. **Otherwise each chat's timing** (slot_for): a chat with a digest hour gets it in the next
   digest after now, at that digest's priority (values.digest_priority: one priority per
   day, below ORDINARY), even in its quiet hours, since the hour is its own choice; a chat
   whose quiet hours hold now gets it at Priority.ORDINARY when they end; any other chat at
   once at Priority.ORDINARY.

When a chat changes its timing, its waiting ordinary and digest rows move to slot_for of the
new timing (urgent rows and retries keep theirs). The planner rules from configuration
(Planner.from_config), so whichever command stores a post (the bot, ``poll --once``) decides
alike. Not decided here: collapsing a chat's many due posts into one list, and a digest's
rows into one message, happen at send time (delivery/outgoing.py, from
``delivery.collapse_after`` and the rows due at that moment); an editor's broadcast is queued
at Priority.BROADCAST by store/broadcasts.py.

Everything here is pure and takes the moment as an argument, so tests need no clock. Times a
resident chooses are Vietnam time; the outbox keeps UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from ..config import Config
from ..models import Article, Fanout, QuietHours, Slot, Timing
from ..text.dates import VN_TZ
from ..values import Priority, digest_priority
from .alerts import folded_words, holds_phrase, matches, query_words, text_words

DIGEST_HOURS = (6, 7, 8, 12, 17, 20)  # offered in /settings
QUIET_CHOICES = ((21, 6), (22, 6), (22, 7), (23, 6))  # (start hour, end hour) offered


@dataclass(frozen=True, slots=True)
class Urgency:
    """What makes a post urgent: its source, one of its categories, or words in its title."""

    sources: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> Urgency:
        """Return the urgency rules of the configuration: sources, [urgent] categories, words."""
        return cls(
            sources=frozenset(s.name for s in config.sources if s.urgent),
            categories=frozenset(config.urgent.categories),
            phrases=tuple(p for p in (query_words(w) for w in config.urgent.words) if p),
        )

    def is_urgent(self, source: str, categories: Iterable[str], title: str) -> bool:
        """Return whether a post is urgent.

        Only the title is read: a warning names its danger there, while a body mentioning
        "phòng cháy" (fire prevention) in passing would otherwise wake everyone at night.
        """
        if source in self.sources or not self.categories.isdisjoint(categories):
            return True
        return any(holds_phrase(phrase, title) for phrase in self.phrases)


@dataclass(frozen=True, slots=True)
class Planner:
    """Decides, for a new post, which chats get it and each chat's slot (see the module)."""

    urgency: Urgency = field(default_factory=Urgency)

    @classmethod
    def from_config(cls, config: Config) -> Planner:
        """Return the planner of the configuration's urgency rules."""
        return cls(Urgency.from_config(config))

    def alert_keys(self, article: Article) -> frozenset[str]:
        """Return the keys of the alerts the article may match (alerts.index_key): its words."""
        return folded_words(_alert_text(article))

    def fan_out(
        self,
        source: str,
        article: Article,
        alerts: Sequence[tuple[int, str]],
        timings: Iterable[Timing],
        now: datetime,
    ) -> Fanout:
        """Return who gets a post queued now, beyond its subscribers, and the slot of each timing.

        ``alerts`` are (chat id, alert words) of the active chats' alerts filed under one of
        alert_keys(article); ``timings`` are the distinct timings chats chose.
        """
        urgent = self.urgency.is_urgent(source, article.categories, article.title)
        return Fanout(
            default=slot_for(Timing(), now, urgent=urgent),
            slots={timing: slot_for(timing, now, urgent=urgent) for timing in timings},
            alerted=alerted_chats(article, alerts),
        )


def alerted_chats(article: Article, alerts: Sequence[tuple[int, str]]) -> tuple[int, ...]:
    """Return, in order, the chats with one of these (chat id, words) alerts the post matches."""
    if not alerts:
        return ()
    words = text_words(_alert_text(article))
    return tuple(sorted({chat for chat, typed in alerts if matches(typed.split(), words)}))


def slot_for(timing: Timing, now: datetime, *, urgent: bool = False) -> Slot:
    """Return the slot of a post queued now for a chat with this timing."""
    if urgent:
        return Slot(Priority.URGENT, now)
    if timing.digest_hour is not None:
        # The digest hour is the resident's own choice: it wins over their quiet hours.
        at = next_digest(now, timing.digest_hour)
        return Slot(digest_priority(at.astimezone(VN_TZ).date()), at)
    if timing.quiet is not None:
        end = quiet_end(now, timing.quiet)
        if end is not None:
            return Slot(Priority.ORDINARY, end)
    return Slot(Priority.ORDINARY, now)


def quiet_end(moment: datetime, quiet: QuietHours) -> datetime | None:
    """Return when the quiet window holding moment ends, or None if moment is not in one."""
    local = moment.astimezone(VN_TZ)
    minute = local.hour * 60 + local.minute
    start, end = quiet.start, quiet.end
    if start == end:
        return None
    if start < end:
        inside, next_day = start <= minute < end, False
    else:
        inside, next_day = minute >= start or minute < end, minute >= start
    if not inside:
        return None
    day = local.date() + timedelta(days=1 if next_day else 0)
    return datetime.combine(day, time(end // 60, end % 60), tzinfo=VN_TZ)


def next_digest(moment: datetime, hour: int) -> datetime:
    """Return the first digest time at ``hour`` (Vietnam time) strictly after moment."""
    local = moment.astimezone(VN_TZ)
    at = datetime.combine(local.date(), time(hour), tzinfo=VN_TZ)
    return at if at > local else at + timedelta(days=1)


def _alert_text(article: Article) -> str:
    """Return the text a keyword alert is matched against: title, summary and body."""
    return " ".join((article.title, article.summary, article.body))
