"""Source health for the admins: when to tell them a source is down or back, or that its
articles suddenly come without a lead, photo or date, and how each source fares.

Decisions only: the caller reads the sources' states from the store, sends what is decided
here, and records that it did (SourceState.alerted, SourceState.degraded), so one incident
makes exactly two messages, a restart in between included.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import Entry
from ..text.dates import format_vn
from ..text.vntext import clean_line, cut_at_word
from ..texts import Html, Lang, text
from ..values import FailureKind

if TYPE_CHECKING:
    from ..config import SourceConfig
    from ..store.sources import SourceState

_ERROR_SHOWN = 200  # characters of an error repeated to the admins

# The fields residents see whose sudden absence means the portal changed its layout.
FIELDS = ("lead", "image", "date")
FIELD_MARKS_KEPT = 30  # per field: whether each of a source's last articles had it
# A field is missing when none of the last RECENT articles had it while at least
# BASELINE_SHARE of the (at least BASELINE_MIN) articles before them did. Five in a row keeps
# a source whose stories go without a photo one time in five from alerting once a year;
# a portal that posts daily is reported within a week.
RECENT = 5
BASELINE_MIN = 5
BASELINE_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class Alert:
    """One message every admin gets: a source stopped working, or works again."""

    source: str
    down: bool  # True: stopped working; False: recovered
    layout: bool = False  # down because its pages no longer match the configured layout
    failures: int = 0
    error: str | None = None
    last_success: datetime | None = None
    # Not about failing: the fields its articles suddenly lack (down) or have again (not down).
    fields: tuple[str, ...] = ()


def fields_found(entries: Iterable[Entry]) -> dict[str, list[bool]]:
    """Return, for each watched field, whether each entry has it, oldest entry first.

    Undated entries count as the newest: they just arrived.
    """
    entries = sorted(entries, key=_age)
    return {
        "lead": [bool(e.summary.strip()) for e in entries],
        "image": [bool(e.image_url) for e in entries],
        "date": [e.published is not None for e in entries],
    }


def _age(entry: Entry) -> tuple[bool, float]:
    """Sort key: dated entries oldest first, then the undated."""
    published = entry.published
    return (published is None, published.timestamp() if published else 0.0)


def missing_fields(marks: Mapping[str, str], told: Collection[str]) -> tuple[str, ...]:
    """Return the fields a source's articles now lack, judged against its own history.

    ``marks`` holds, per field, "1" or "0" for each recent article, oldest first; ``told``
    are the fields the admins already know are missing: those stay missing until the newest
    article has them again, while the history fills with their absence.
    """
    missing = []
    for name in FIELDS:
        history = marks.get(name, "")
        if name in told:
            if not history.endswith("1"):
                missing.append(name)
            continue
        recent, before = history[-RECENT:], history[:-RECENT]
        if len(recent) < RECENT or "1" in recent or len(before) < BASELINE_MIN:
            continue
        if before.count("1") >= BASELINE_SHARE * len(before):
            missing.append(name)
    return tuple(missing)


def _field_alert(state: SourceState) -> Alert | None:
    """Return the alert a source's fields call for now: newly missing, or all back."""
    told = state.degraded
    missing = missing_fields(state.field_marks, told)
    if set(missing) - set(told):
        return Alert(state.name, down=True, fields=missing)
    if told and not missing:
        return Alert(state.name, down=False, fields=told)
    return None


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
        if threshold > 0 and (field_alert := _field_alert(state)) is not None:
            alerts.append(field_alert)
    return alerts


def alert_text(alert: Alert, lang: Lang) -> str:
    """Return the message the admins get for an alert."""
    if alert.fields:
        key = "alert_fields" if alert.down else "alert_fields_back"
        names = _field_names(alert.fields, lang)
        return text(lang, key, name=alert.source, fields=names, recent=RECENT)
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
    elif state.degraded:
        icon = "🟠"
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
    if state is not None and state.degraded:
        lines.append(text(lang, "source_degraded", fields=_field_names(state.degraded, lang)))
    failures = state.consecutive_failures if state else 0
    lines.append(text(lang, "source_counts", failures=failures, items=items_week))
    upcoming = state.next_poll_at if state else None
    if upcoming is not None:
        lines.append(text(lang, "source_next", when=format_vn(upcoming)))
    return "\n".join(lines)


def _error(error: str | None) -> str:
    """Return an error as shown to admins: one line, not too long."""
    return cut_at_word(clean_line(error or "?"), _ERROR_SHOWN)


def _field_names(fields: Sequence[str], lang: Lang) -> str:
    """Return fields as the admins read them: "lead, photo"."""
    return ", ".join(text(lang, f"field_{name}") for name in fields)
