"""The metrics and health port: Prometheus counters that move, /healthz that tells the truth,
and the log lines an operator reads (one per slow poll round, one for a fresh database).
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from anbien_bot.config import ConfigError, load_config
from anbien_bot.serviceconfig import MetricsConfig
from tests.admin_chat import RESIDENT, add_subscribers, create_database
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, running_bot, write_config
from tests.test_config import EXAMPLE, example_paragraph
from tests.test_crash import ROOT, finish, start_bot
from tests.test_startup import free_port
from tests.test_stop import FEED

GOOD, BAD = "Cổng tốt", "Cổng lỗi"


def with_metrics(path: Path, port: int, **extra: Any) -> Path:
    """Add a [metrics] table with this port to a test's config file."""
    lines = ["", "[metrics]", f"port = {port}", *(f'{k} = "{v}"' for k, v in extra.items())]
    with path.open("a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    return path


async def get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


async def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Return every sample of /metrics by name and labels."""
    status, text = await get(port, "/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: dict[Any, float], name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


@pytest.mark.slow
async def test_metrics_count_polls_failures_sends_429s_and_the_outbox(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "bot.log"
    async with FakeTelegram() as fake, FakePortal() as portal:
        portal.serve("/tot.xml", FEED)
        portal.status("/loi.xml", 503)
        fake.flood(RESIDENT, retry_after=1)  # the first send hears 429, the next goes through
        config = write_config(
            tmp_path,
            telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
            sources=[
                {"name": GOOD, "url": portal.url("/tot.xml"), "category": "thong-bao"},
                {"name": BAD, "url": portal.url("/loi.xml"), "category": "thong-bao"},
            ],
            polling={"interval_seconds": 600, "announce_first_poll": True},
        )
        with_metrics(config, port)
        await create_database(tmp_path / "bot.sqlite3")
        add_subscribers(tmp_path / "bot.sqlite3", [RESIDENT])
        process = await start_bot(config, log)
        try:
            before = await eventually(lambda: scrape_or_none(port), timeout=30)
            await eventually(lambda: fake.sent_to(RESIDENT), timeout=30)
            after = await eventually(lambda: settled(port), timeout=30)
            process.terminate()
            assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        finally:
            await finish(process)

    assert not sample(before, "anbien_sends_total", outcome="sent")
    assert sample(after, "anbien_source_polls_total", source=GOOD, outcome="new") == 1
    assert sample(after, "anbien_source_new_articles_total", source=GOOD) == 1
    assert sample(after, "anbien_source_polls_total", source=BAD, outcome="failed") == 1
    assert sample(after, "anbien_source_failures_in_a_row", source=BAD) == 1
    assert sample(after, "anbien_source_failures_in_a_row", source=GOOD) == 0
    assert sample(after, "anbien_source_poll_seconds_count", source=GOOD) == 1
    assert sample(after, "anbien_sends_total", outcome="sent") == 1
    assert sample(after, "anbien_sends_total", outcome="rate_limited") == 1
    assert sample(after, "anbien_sends_total", outcome="failed") == 0
    assert sample(after, "anbien_telegram_requests_total", method="sendMessage", code="429") == 1
    assert sample(after, "anbien_telegram_requests_total", method="sendMessage", code="200") == 1
    assert sample(after, "anbien_telegram_request_seconds_count", method="sendMessage") == 2
    assert sample(after, "anbien_outbox_pending") == 0
    assert fake.base_url.split("/bot")[0] not in str(after)  # no URL (and so no token) in it


async def scrape_or_none(port: int) -> dict[Any, float] | None:
    try:
        return await scrape(port)
    except aiohttp.ClientConnectionError:
        return None  # not listening yet


async def settled(port: int) -> dict[Any, float] | None:
    """Return the metrics once the post is recorded as sent and both sources were polled."""
    samples = await scrape(port)
    done = sample(samples, "anbien_sends_total", outcome="sent") == 1
    polled = sample(samples, "anbien_source_polls_total", source=BAD, outcome="failed")
    return samples if done and polled else None


# -- /healthz --------------------------------------------------------------------------------


@pytest.fixture
async def bot_with_health(tmp_path: Path) -> AsyncIterator[tuple[int, Path, Path]]:
    """Run the bot in this process with its metrics port; give the port, config and database."""
    port = free_port()
    async with FakeTelegram() as fake:
        config = write_config(
            tmp_path,
            telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
        )
        with_metrics(config, port)
        async with running_bot(config):
            yield port, config, tmp_path / "bot.sqlite3"


async def health_command(config: Path) -> tuple[int, str, str]:
    """Run `anbien-bot health` as Docker's HEALTHCHECK does."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        "health",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode is not None
    return child.returncode, out.decode(), err.decode()


def kill_task(name: str) -> None:
    """Cancel the bot's background task of that name, as a crash of it would end it."""
    (task,) = [t for t in asyncio.all_tasks() if t.get_name() == name]
    task.cancel()


async def test_healthz_is_ok_while_the_bot_works(
    bot_with_health: tuple[int, Path, Path],
) -> None:
    port, config, _ = bot_with_health
    assert await get(port, "/healthz") == (200, "ok\n")
    code, out, _ = await health_command(config)
    assert (code, out) == (0, "ok\n")


@pytest.mark.parametrize(
    ("task", "problem"),
    [
        ("sender", "sender: not running (nothing is sent)\n"),
        ("poller", "poller: not running (no source is read)\n"),
    ],
)
async def test_healthz_fails_when_a_background_task_dies(
    bot_with_health: tuple[int, Path, Path], task: str, problem: str
) -> None:
    port, config, _ = bot_with_health
    kill_task(task)
    assert await eventually(lambda: get_status(port)) == 503
    assert await get(port, "/healthz") == (503, problem)
    code, _, err = await health_command(config)
    assert code == 1
    assert err == f"unhealthy: {problem}"


async def get_status(port: int) -> int | None:
    status, _ = await get(port, "/healthz")
    return status if status != 200 else None


async def test_healthz_fails_while_the_database_cannot_be_written(
    bot_with_health: tuple[int, Path, Path],
) -> None:
    port, _, db_path = bot_with_health
    # Another process holds the write lock (an sqlite3 shell left in a transaction, say).
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        assert await get(port, "/healthz") == (
            503,
            "database: not writable (database is locked)\n",
        )
    finally:
        other.close()
    assert await get(port, "/healthz") == (200, "ok\n")


# -- log lines --------------------------------------------------------------------------------


@pytest.mark.slow
async def test_a_poll_round_slower_than_its_tick_logs_one_line(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    async with FakeTelegram() as fake, FakePortal() as portal:
        portal.serve("/cham.xml", FEED)
        portal.delay("/cham.xml", 4.5)  # the round outlasts four 1-second ticks
        config = write_config(
            tmp_path,
            telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
            sources=[
                {"name": "Cổng chậm", "url": portal.url("/cham.xml"), "category": "thong-bao"}
            ],
            polling={"interval_seconds": 1, "timeout_seconds": 30},
        )
        process = await start_bot(config, log)
        try:
            await eventually(lambda: "source='Cổng chậm' polled" in log.read_text(), timeout=30)
            process.terminate()
            assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        finally:
            await finish(process)
    lines = log.read_text("utf-8").splitlines()
    overruns = [line for line in lines if "poll round still running" in line]
    assert len(overruns) == 1, "\n".join(overruns)
    assert "still running after 1 s (the tick), waiting for 'Cổng chậm'" in overruns[0]
    assert not [line for line in lines if "maximum number of running instances" in line]


def test_a_fresh_database_logs_one_line_and_a_known_one_none(tmp_path: Path) -> None:
    import subprocess

    path = write_config(tmp_path, telegram={})

    def poll_once() -> list[str]:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), "poll", "--once", "--config", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, done.stderr
        return [line for line in done.stderr.splitlines() if "database" in line]

    (created,) = poll_once()
    assert f"INFO anbien_bot.store.database: created the database {tmp_path / 'bot.sqlite3'}" in (
        created
    )
    assert poll_once() == []


# -- configuration ----------------------------------------------------------------------------


def test_the_example_documents_the_metrics_keys_and_the_port_range() -> None:
    assert "0 to 65535" in example_paragraph("port")
    assert example_paragraph("listen")
    assert load_config(EXAMPLE, environ={}).metrics == MetricsConfig()  # off unless asked
    assert not MetricsConfig().enabled


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("port = 70000", "metrics.port: must be from 0 to 65535, got 70000"),
        ("port = 9108.5", "metrics.port: must be a whole number, from 0 to 65535"),
        ("prot = 9108", "metrics.prot: unknown key"),
        ("port = 8443\nlisten = '127.0.0.1'", "metrics.port: 8443 is telegram.webhook_port"),
    ],
)
def test_a_wrong_metrics_key_is_named(tmp_path: Path, table: str, problem: str) -> None:
    path = write_config(tmp_path, telegram={"webhook_url": "https://bot.example.vn/hook"})
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n[metrics]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value).startswith(problem)


def test_the_docker_image_checks_health_with_the_health_command() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    (line,) = [line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK")]
    assert 'CMD ["anbien-bot", "health", "--config", "/data/config.toml"]' in line


@pytest.mark.slow
async def test_a_metrics_port_already_taken_stops_the_bot_in_one_line(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeTelegram() as fake:
            config = write_config(
                tmp_path,
                telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
            )
            with_metrics(config, port)
            process = await start_bot(config, log)
            try:
                code = await asyncio.wait_for(process.wait(), timeout=30)
            finally:
                await finish(process)
    text = log.read_text("utf-8")
    assert code == 1
    (error,) = [line for line in text.splitlines() if " ERROR " in line]
    assert f"cannot open the metrics port 127.0.0.1:{port} (metrics.port): " in error
    assert "Address already in use" in error
    assert "Traceback" not in text
