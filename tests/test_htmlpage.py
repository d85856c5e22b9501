"""The date an element of a portal page shows: its text, or the machine-readable attribute
beside it, whichever says more."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest

from anbien_bot.sources.htmlpage import date_of


@pytest.mark.parametrize(
    ("markup", "when"),
    [
        # The time of day is only in the attribute: the text's bare date would lose it.
        ("<time datetime='2025-07-22T16:45:00+07:00'>22/07/2025</time>", (2025, 7, 22, 9, 45)),
        ("<time datetime='2025-07-22T09:45:00Z'>Thứ Ba, 22/07/2025</time>", (2025, 7, 22, 9, 45)),
        # An attribute without a time says less than a text that has one.
        ("<time datetime='2025-07-22'>22/07/2025 16:45</time>", (2025, 7, 22, 9, 45)),
        ("<span class='date'>(10:59 | 29/05/2020)</span>", (2020, 5, 29, 3, 59)),
        ("<time datetime='2025-07-22'>hôm qua</time>", (2025, 7, 21, 17, 0)),
        ("<abbr title='22/07/2025 16:45'>hôm qua</abbr>", (2025, 7, 22, 9, 45)),
    ],
)
def test_an_element_gives_the_fullest_date_it_holds(markup: str, when: tuple[int, ...]) -> None:
    element = lxml.html.fragment_fromstring(markup)
    assert date_of(element) == datetime(*when, tzinfo=UTC)


def test_an_element_without_a_date_gives_none() -> None:
    assert (
        date_of(lxml.html.fragment_fromstring("<time datetime='16:45'>chiều nay</time>")) is None
    )
