"""Searching the archive."""

from __future__ import annotations

from .database import Database


class SearchTable:
    """Reads and writes search rows (filled in by its feature)."""

    db: Database
