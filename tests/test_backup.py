"""A backup taken while the bot writes is a complete, consistent database of its own."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from anbien_bot.store import Store
from anbien_bot.store.backup import BackupError, backup_database
from anbien_bot.store.schema import SCHEMA_VERSION
from tests.admin_chat import add_subscribers
from tests.harness import write_config
from tests.test_cli import cli

ROOT = Path(__file__).resolve().parent.parent


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_a_backup_during_writes_is_one_consistent_snapshot(tmp_path: Path) -> None:
    live, copy = tmp_path / "bot.sqlite3", tmp_path / "backups" / "bot.sqlite3"
    store = await Store.open(live)
    stop = asyncio.Event()

    async def write() -> None:
        # Each unit of work adds a chat and its subscription together.
        chat = 0
        while not stop.is_set():
            chat += 1
            await store.upsert_chat(chat, "private", "vi")
            await store.subscribe(chat, ["thong-bao"])
            await asyncio.sleep(0)

    writer = asyncio.create_task(write())
    try:
        await asyncio.sleep(0.2)
        for _ in range(3):
            await asyncio.to_thread(backup_database, live, copy)
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await writer
        await store.close()
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert rows(copy, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]
    chats = rows(copy, "SELECT count(*) FROM chats")[0][0]
    assert 0 < chats < rows(live, "SELECT count(*) FROM chats")[0][0]
    # Never a chat without its subscription (bar the one being written at that moment).
    lonely = rows(
        copy, "SELECT count(*) FROM chats WHERE id NOT IN (SELECT chat_id FROM subscriptions)"
    )
    assert lonely[0][0] <= 1
    assert not list(copy.parent.glob("*.partial"))


def test_a_missing_database_is_an_error_and_leaves_the_old_backup(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    old.write_bytes(b"earlier backup")
    with pytest.raises(BackupError, match="no database"):
        backup_database(tmp_path / "missing.sqlite3", old)
    assert old.read_bytes() == b"earlier backup"


async def test_the_backup_command_copies_the_configured_database(tmp_path: Path) -> None:
    config = write_config(tmp_path, telegram={})
    store = await Store.open(tmp_path / "bot.sqlite3")
    await store.close()
    add_subscribers(tmp_path / "bot.sqlite3", [1, 2, 3])
    target = tmp_path / "copy.sqlite3"
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "bot.py", "backup", "--config", str(config), "--to", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"written to {target}" in done.stdout
    assert rows(target, "SELECT count(*) FROM subscriptions") == [(3,)]


@pytest.fixture
async def live_bot_database(tmp_path: Path, store: Store) -> Path:
    """Return a config whose database is open and written to, as by a running bot."""
    config = write_config(tmp_path, telegram={})
    await store.upsert_chat(1, "private", "vi")
    await store.subscribe(1, ["thong-bao"])
    return config


async def test_the_backup_refuses_to_write_over_the_live_database_or_its_companions(
    tmp_path: Path, live_bot_database: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    assert (tmp_path / "bot.sqlite3-wal").exists()  # the bot has it open in WAL mode
    (tmp_path / "link.sqlite3").symlink_to(database)
    before = database.read_bytes()
    for target in (
        "bot.sqlite3",
        "./backups/../bot.sqlite3",
        str(database),
        "bot.sqlite3-wal",
        "bot.sqlite3-shm",
        "link.sqlite3",
    ):
        done = await asyncio.to_thread(
            cli, "backup", "--config", str(live_bot_database), "--to", target, cwd=tmp_path
        )
        assert done.returncode == 2, (target, done.stdout, done.stderr)
        (line,) = done.stderr.splitlines()
        assert line.startswith("anbien-bot: backup refused: "), line
        assert "live database" in line
    assert database.read_bytes() == before
    assert rows(database, "SELECT count(*) FROM subscriptions") == [(1,)]
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob("*.partial")))


async def test_a_directory_target_gets_a_dated_copy_inside_it(
    tmp_path: Path, live_bot_database: Path
) -> None:
    (tmp_path / "backups").mkdir()
    for target, folder in (("backups", "backups"), ("weekly/", "weekly")):
        done = await asyncio.to_thread(
            cli, "backup", "--config", str(live_bot_database), "--to", target, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        (copy,) = (tmp_path / folder).iterdir()
        assert re.fullmatch(r"bot-\d{4}-\d\d-\d\d-\d{6}\.sqlite3", copy.name)
        assert f"written to {Path(target) / copy.name}" in done.stdout
        assert rows(copy, "SELECT count(*) FROM subscriptions") == [(1,)]
    assert not await asyncio.to_thread(lambda: list(tmp_path.rglob("*.partial")))


def test_a_failed_backup_leaves_nothing_behind_and_the_old_backup_whole(tmp_path: Path) -> None:
    config = write_config(tmp_path, telegram={})
    (tmp_path / "bot.sqlite3").write_bytes(b"not a database, but a damaged file" * 200)
    (tmp_path / "backups").mkdir()
    old = tmp_path / "old.sqlite3"
    old.write_bytes(b"earlier backup")
    for target in ("backups", "old.sqlite3", "new.sqlite3"):
        done = cli("backup", "--config", str(config), "--to", target, cwd=tmp_path)
        assert done.returncode == 1
        (line,) = done.stderr.splitlines()
        assert line.startswith("anbien-bot: backup failed: ")
        assert "Traceback" not in done.stderr
    assert list((tmp_path / "backups").iterdir()) == []
    assert old.read_bytes() == b"earlier backup"
    assert not (tmp_path / "new.sqlite3").exists()
    assert not list(tmp_path.rglob("*.partial"))
