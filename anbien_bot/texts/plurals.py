"""Wording that depends on a count: "Sending to 1 recipient", "Sending to 2 recipients".

A template whose nouns follow a count is a ``Plural``: one whole form per plural category,
chosen by the integer parameter it names, so each form reads as a sentence of its own (as in
gettext's ngettext or Android's plurals resources). English has two categories, "one" (exactly
1) and "other" (0, 2, 1,234). Vietnamese does not inflect nouns for number ("1 bài", "3 bài"):
its templates stay plain strings, and a Plural given "vi" takes its "other" form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# CLDR's cardinal plural rules for integers, for the languages the bot speaks.
_CATEGORY: dict[str, Callable[[int], str]] = {
    "en": lambda n: "one" if n == 1 else "other",
    "vi": lambda n: "other",
}


@dataclass(frozen=True, slots=True)
class Plural:
    """A template with one form per plural category, chosen by the parameter ``by``."""

    by: str  # the parameter holding the count; the forms need not show it as given
    one: str
    other: str

    @property
    def forms(self) -> tuple[str, ...]:
        """Return every form of the template."""
        return (self.one, self.other)

    def choose(self, lang: str, params: Mapping[str, object]) -> str:
        """Return the form for the count in params[by] in language lang."""
        count = params.get(self.by)
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f"plural template needs an integer {self.by!r}, not {count!r}")
        return self.one if _CATEGORY[lang](count) == "one" else self.other
