"""Source health for the admins: when to tell them a source is down or back, and how each fares.

Decisions only: the caller reads the sources' states from the store, sends what is decided
here, and records that it did (SourceState.alerted), so one incident makes exactly two
messages, a restart in between included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..text.dates import format_vn
from ..text.vntext import clean_line, cut_at_word
from ..texts import Html, Lang, text
from ..values import FailureKind

if TYPE_CHECKING:
    from ..config import SourceConfig
    from ..store.sources import SourceState

_ERROR_SHOWN = 200  # characters of an error repeated to the admins


@dataclass(frozen=True, slots=True)
class Alert:
    """One message every admin gets: a source stopped working, or works again."""

    source: str
    down: bool  # True: stopped working; False: recovered
    layout: bool = False  # down because its pages no longer match the configured layout
    failures: int = 0
    error: str | None = None
    last_success: datetime | None = None


def is_layout_problem(state: SourceState) -> bool:
    """Return whether the source last failed because its pages stopped matching its layout."""
    return state.last_error_kind is FailureKind.LAYOUT


def is_down(state: SourceState, threshold: int) -> bool:
    """Return whether a source counts as down: N failures in a row, or a layout that broke.

    A layout problem is not transient (the portal was redesigned), so it counts at once;
    a threshold of 0 turns alerts off.
    """
    failures = state.consecutive_failures
    if threshold <= 0 or failures <= 0:
        return False
    return failures >= threshold or is_layout_problem(state)


def due_alerts(
    names: Sequence[str], states: Mapping[str, SourceState], threshold: int
) -> list[Alert]:
    """Return the alerts to send now for the configured sources, in config order."""
    alerts = []
    for name in names:
        state = states.get(name)
        if state is None:
            continue  # never polled yet
        if is_down(state, threshold) and not state.alerted:
            alerts.append(
                Alert(
                    name,
                    down=True,
                    layout=is_layout_problem(state),
                    failures=state.consecutive_failures,
                    error=state.last_error,
                    last_success=state.last_success_at,
                )
            )
        elif state.alerted and state.consecutive_failures == 0:
            alerts.append(Alert(name, down=False, last_success=state.last_success_at))
    return alerts


def alert_text(alert: Alert, lang: Lang) -> str:
    """Return the message the admins get for an alert."""
    if not alert.down:
        return text(lang, "alert_up", name=alert.source)
    error = _error(alert.error)
    if alert.layout:
        return text(lang, "alert_layout", name=alert.source, error=error)
    success = format_vn(alert.last_success) if alert.last_success else text(lang, "never")
    return text(
        lang,
        "alert_down",
        name=alert.source,
        failures=alert.failures,
        error=error,
        success=success,
    )


def source_report(
    source: SourceConfig,
    state: SourceState | None,
    items_week: int,
    threshold: int,
    lang: Lang,
) -> str:
    """Return one source's block of /sources: status, last success and error, counts, next poll."""
    never = text(lang, "never")
    if state is None:
        icon = "⏳"
    elif is_down(state, threshold):
        icon = "🔴"
    elif state.consecutive_failures:
        icon = "⚠️"
    else:
        icon = "✅" if state.last_success_at else "⏳"
    lines = [text(lang, "source_name", icon=Html(icon), name=source.name, kind=source.type)]
    success = state.last_success_at if state else None
    lines.append(text(lang, "source_success", when=format_vn(success) if success else never))
    if state is not None and state.last_error and state.last_error_at:
        lines.append(
            text(
                lang,
                "source_error",
                when=format_vn(state.last_error_at),
                error=_error(state.last_error),
            )
        )
    failures = state.consecutive_failures if state else 0
    lines.append(text(lang, "source_counts", failures=failures, items=items_week))
    upcoming = state.next_poll_at if state else None
    if upcoming is not None:
        lines.append(text(lang, "source_next", when=format_vn(upcoming)))
    return "\n".join(lines)


def _error(error: str | None) -> str:
    """Return an error as shown to admins: one line, not too long."""
    return cut_at_word(clean_line(error or "?"), _ERROR_SHOWN)
