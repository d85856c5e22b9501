"""Checking values read from TOML against the types a dataclass expects, naming the key."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


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
            raise ConfigError(name, "unknown key (check the spelling against config.example.toml)")


def typed(value: Any, kind: type, key: str) -> Any:
    """Check one value against the type of its dataclass field."""
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "must be a whole number")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, "must be a number")
        return float(value)
    if kind is str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(key, "must be a non-empty text in quotes")
        return value
    if kind is Path:
        return Path(typed(value, str, key))
    raise AssertionError(kind)


_KINDS = {"bool": bool, "int": int, "float": float, "str": str, "Path": Path}


def simple_table(cls: type[T], table: dict[str, Any], where: str) -> T:
    """Build a dataclass of plain fields from a table, checking names, types and signs."""
    known = {f.name: _KINDS[str(f.type)] for f in fields(cls)}  # type: ignore[arg-type]
    check_keys(table, where, set(known))
    values = {k: typed(v, known[k], f"{where}.{k}") for k, v in table.items()}
    for key, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{where}.{key}", "must not be negative")
    if values.get("interval_seconds", 1) < 1:
        raise ConfigError(f"{where}.interval_seconds", "must be at least 1")
    return cls(**values)


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
