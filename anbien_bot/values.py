"""Named values every layer shares: outbox priorities and statuses, broadcast statuses, and
the kinds of a source's failure.

The database stores these values as they are (integers and lowercase words), so a row read
back compares equal to its member: ``Priority.URGENT == 20``, ``DeliveryStatus.SENT == "sent"``.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum, StrEnum


class Priority(IntEnum):
    """Where an outbox row stands in its chat's queue: higher goes first.

    A digest's rows sit below ORDINARY at minus the digest's date (see digest_priority), so
    one digest's rows share one priority and an earlier digest always goes before a later one.
    """

    URGENT = 20  # urgent posts: before everything, even broadcasts
    BROADCAST = 10  # an editor's announcement: before every post still waiting
    ORDINARY = 0  # a post sent as it comes (after the chat's quiet hours, if any)


def digest_priority(day: date) -> int:
    """Return the outbox priority of the rows of the digest sent on ``day``: minus its date."""
    return -(day.year * 10000 + day.month * 100 + day.day)


def is_digest(priority: int) -> bool:
    """Return whether an outbox priority belongs to a digest's rows."""
    return priority < Priority.ORDINARY


def digest_date(priority: int) -> date:
    """Return the date of the digest whose rows carry this priority."""
    number = -priority
    return date(number // 10000, number // 100 % 100, number % 100)


class DeliveryStatus(StrEnum):
    """Where one outbox row stands: waiting, or settled by Telegram's answer or an editor."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # Telegram refused it for good, or every retry failed
    BLOCKED = "blocked"  # the chat blocked the bot or is gone
    CANCELLED = "cancelled"  # an editor stopped the broadcast before it was sent


class BroadcastStatus(StrEnum):
    """Where an editor's broadcast stands."""

    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class BlockKind(StrEnum):
    """What one block of an article's body is: a kind of text, or a photo with its caption."""

    PARAGRAPH = "p"
    HEADING = "h"
    ITEM = "li"  # one item of a list
    QUOTE = "quote"
    ROW = "row"  # one row of a table, its cells joined with " | "
    IMAGE = "img"  # a photo: its URL, and its caption as the text


class FailureKind(StrEnum):
    """Why a poll of a source failed, as the store records it beside the error's wording."""

    FETCH = "fetch"  # no usable answer: network, timeout, an HTTP error status, a refused host
    NOT_A_FEED = "not_a_feed"  # an answer, but not a feed that can be read
    UNREADABLE_PAGE = "unreadable_page"  # a listing page that is not HTML that can be read
    EMPTY_FEED = "empty_feed"  # a feed that had items now has none
    NO_ITEMS = "no_items"  # a new HTML source's selectors find no article: check the config
    LAYOUT = "layout"  # pages that matched the selectors no longer do: the portal changed
    INTERNAL = "internal"  # a bug in the bot (logged with its traceback)
