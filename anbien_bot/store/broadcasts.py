"""Admin broadcasts and their reports."""

from __future__ import annotations

from .database import Database


class BroadcastsTable:
    """Reads and writes broadcasts rows (filled in by its feature)."""

    db: Database
