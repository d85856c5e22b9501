"""Counts for the admins' statistics."""

from __future__ import annotations

from .database import Database


class StatsTable:
    """Reads and writes stats rows (filled in by its feature)."""

    db: Database
