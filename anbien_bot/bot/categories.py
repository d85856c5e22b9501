"""Finding the category a resident means from what they typed: its key or its name, any accents."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..config import Category
from ..text.vntext import fold

# What a resident may type to mean "every category" ("tất cả" folds to "tat ca").
_ALL = frozenset({"all", "tat ca", "het", "tat ca chuyen muc"})
_SEPARATORS = re.compile(r"[\s_\-–—.,;:!?\"'“”‘’()]+")


def typed_key(typed: str) -> str:
    """Return what was typed as a comparison key: folded, punctuation and dashes as spaces."""
    return " ".join(_SEPARATORS.sub(" ", fold(typed)).split())


def find_category(typed: str, categories: Sequence[Category]) -> str | None:
    """Return the key of the category named by ``typed`` (its key or its name), or None.

    "thong bao", "Thông báo", "THÔNG BÁO" and "thong-bao" all name the category
    thong-bao / Thông báo; an exact key wins over a name that folds the same.
    """
    wanted = typed_key(typed)
    if not wanted:
        return None
    for category in categories:
        if typed.strip() == category.key:
            return category.key
    for category in categories:
        if wanted in (typed_key(category.key), typed_key(category.name)):
            return category.key
    return None


def means_all(typed: str) -> bool:
    """Return whether ``typed`` means every category ("all", "tất cả", "tat ca")."""
    return typed_key(typed) in _ALL


def category_names(keys: Sequence[str], categories: Sequence[Category]) -> list[str]:
    """Return the display names of the configured categories among keys, in config order."""
    chosen = set(keys)
    return [c.name for c in categories if c.key in chosen]
