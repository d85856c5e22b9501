"""Checking values read from TOML against the types and ranges of a dataclass, by key."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import Field, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

# What @BotFather gives: the bot's numeric id, a colon, then letters, digits, - and _.
_TOKEN = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")


class ConfigError(Exception):
    """A problem with the configuration file, named by its key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


def check_keys(table: dict[str, Any], where: str, allowed: set[str]) -> None:
    """Raise ConfigError naming the first key of table that is not allowed."""
    for key in table:
        if key not in allowed:
            name = f"{where}.{key}" if where else key
            raise ConfigError(
                name, "unknown key (check its spelling; `anbien-bot init` writes every key)"
            )


def bounded(default: float, low: float, high: float) -> Any:
    """Return a dataclass field whose value, when read from TOML, must lie in [low, high]."""
    return field(default=default, metadata={"range": (low, high)})


def typed(value: Any, kind: type, key: str, bounds: tuple[float, float] | None = None) -> Any:
    """Check one value against the type of its dataclass field (and its range, if given)."""
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "must be a whole number" + _range_text(key, bounds, ", "))
        return _within(value, key, bounds)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, "must be a number" + _range_text(key, bounds, ", "))
        return float(_within(value, key, bounds))
    if kind is str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(key, "must be a non-empty text in quotes")
        return value
    if kind is Path:
        return Path(typed(value, str, key))
    raise AssertionError(kind)


def _within(value: float, key: str, bounds: tuple[float, float] | None) -> float:
    # TOML allows inf and nan; neither is ever a sane interval, size or count.
    if bounds is None:
        if not math.isfinite(value):
            raise ConfigError(key, f"must be a finite number, got {value!r}")
        return value
    low, high = bounds
    if not (math.isfinite(value) and low <= value <= high):
        raise ConfigError(key, f"must be {_range_text(key, bounds)}, got {value!r}")
    return value


def _range_text(key: str, bounds: tuple[float, float] | None, lead: str = "") -> str:
    if bounds is None:
        return ""
    unit = next((u for u in ("seconds", "bytes") if key.endswith("_" + u)), "")
    low, high = bounds
    return f"{lead}from {_number(low)} to {_amount(high, unit)}"


def _amount(number: float, unit: str) -> str:
    """Return a bound with its unit, and in days, hours or MB when that is easier to read."""
    text = f"{_number(number)} {unit}".rstrip()
    if unit == "seconds" and number >= 3600:
        count, name = (number / 86400, "day") if number >= 86400 else (number / 3600, "hour")
        return f"{text} ({count:g} {name}{'' if count == 1 else 's'})"
    if unit == "bytes" and number >= 1024 * 1024:
        return f"{text} ({number / 1024 / 1024:g} MB)"
    return text


def _number(number: float) -> str:
    if number < 1e6:
        return f"{number:g}"
    return f"{int(number):_}".replace("_", " ")  # 104 857 600


_KINDS = {"bool": bool, "int": int, "float": float, "str": str, "Path": Path}


def simple_table(cls: type[T], table: dict[str, Any], where: str) -> T:
    """Build a dataclass of plain fields from a table, checking names, types and ranges."""
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    check_keys(table, where, set(known))
    values = {k: _field_value(known[k], v, f"{where}.{k}") for k, v in table.items()}
    return cls(**values)


def _field_value(spec: Field[Any], value: Any, key: str) -> Any:
    kind = _KINDS[str(spec.type)]
    bounds = spec.metadata.get("range")
    if bounds is None and kind in (int, float):
        # Every number the operator can set has stated bounds: a missing one is our bug.
        raise AssertionError(f"{key} has no range")
    return typed(value, kind, key, bounds)


def bot_token(value: Any, key: str) -> str:
    """Return value as a bot token (or "" for none), never quoting it in an error."""
    return secret_token(
        value,
        key,
        _TOKEN,
        "this is not a bot token: @BotFather gives digits, a colon, then letters "
        "(like 123456789:AAF...), with no quotes or spaces inside",
    )


def secret_token(value: Any, key: str, shape: re.Pattern[str], wrong: str) -> str:
    """Return value as a token of this shape (or "" for none); else raise ConfigError saying
    ``wrong``, never quoting the value."""
    if not isinstance(value, str):
        raise ConfigError(key, "must be a text in quotes")
    token = value.strip()
    if token and not shape.match(token):
        raise ConfigError(key, wrong)
    return token


def http_url(value: Any, key: str) -> str:
    """Return value as an http(s) URL, or raise ConfigError."""
    url = typed(value, str, key).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(key, f"must be an http(s) URL, got {url!r}")
    return url


def regex_with_one_group(value: Any, key: str) -> str:
    """Return value as a regular expression with exactly one group, or raise ConfigError."""
    pattern = typed(value, str, key)
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ConfigError(key, f"not a valid regular expression: {exc}") from None
    if compiled.groups != 1:
        raise ConfigError(key, "must have exactly one (group) around the article id")
    return pattern


def category_key(value: Any, key: str, known: Sequence[str]) -> str:
    """Return value as one of the known category keys; the error lists them."""
    category = typed(value, str, key)
    if category not in known:
        raise ConfigError(
            key, f"unknown category {category!r}; the keys of [categories] are: {', '.join(known)}"
        )
    return category
