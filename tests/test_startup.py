"""`anbien-bot run` before Telegram can be reached: it waits, says so in one line, and comes up.

A server may boot before its network is up. The bot runs as a real process (`python bot.py
run`), first against a loopback port where nothing listens, then against the fake Bot API
started on that very port; and in webhook mode against a fake whose setWebhook fails.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from anbien_bot.bot.lifecycle import FIRST_WAIT
from tests.admin_chat import RESIDENT, replies_to
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, write_config
from tests.test_crash import ROOT, finish
from tests.test_logs import assert_clean
from tests.test_webhook import start_update

pytestmark = pytest.mark.slow
HOOK = "https://bot.anbien.example.vn/telegram/hook"


async def start_bot(config: Path, log: Path, *options: str) -> asyncio.subprocess.Process:
    """Start `anbien-bot run` as an operator would, its output going to log."""
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "bot.py",
            "run",
            "--config",
            str(config),
            *options,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
        )


def free_port() -> int:
    """Return a loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def waits(log: Path) -> list[str]:
    """Return the log's lines about Telegram being out of reach."""
    text = log.read_text("utf-8") if log.exists() else ""
    return [line for line in text.splitlines() if "cannot reach Telegram at" in line]


def unreachable_config(directory: Path, port: int, **telegram: object) -> Path:
    base = f"http://127.0.0.1:{port}"
    return write_config(
        directory,
        telegram={"api_base_url": f"{base}/bot", "api_file_url": f"{base}/file/bot", **telegram},
    )


async def test_run_waits_for_telegram_in_one_line_a_try_then_answers(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "bot.log"
    process = await start_bot(unreachable_config(tmp_path, port), log)
    try:
        await eventually(lambda: len(waits(log)) >= 2, timeout=30)
        assert process.returncode is None  # still waiting, not given up
        first, second = waits(log)[:2]
        where = f"http://127.0.0.1:{port}/bot"
        assert (
            f"WARNING anbien_bot.bot.lifecycle: cannot reach Telegram at {where} (getMe: " in first
        )
        assert first.endswith(f"; trying again in {FIRST_WAIT:g} s")
        assert second.endswith(f"; trying again in {2 * FIRST_WAIT:g} s")  # backing off

        async with FakeTelegram(port=port) as fake:  # the network is up
            fake.push_message(RESIDENT, "/start", first_name="Lan")
            await replies_to(fake, RESIDENT, 1, timeout=30)
            process.terminate()
            assert await asyncio.wait_for(process.wait(), timeout=20) == 0
    finally:
        await finish(process)
    text = log.read_text("utf-8")
    assert "Traceback" not in text
    assert_clean(text)  # one line per event, never the token


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_signal_while_waiting_for_telegram_ends_the_wait(
    tmp_path: Path, sig: signal.Signals
) -> None:
    log = tmp_path / "bot.log"
    process = await start_bot(unreachable_config(tmp_path, free_port()), log)
    try:
        # The third try failed; the next is 4 s away.
        await eventually(lambda: len(waits(log)) >= 3, timeout=30)
        assert waits(log)[2].endswith(f"trying again in {4 * FIRST_WAIT:g} s")
        stopped = time.monotonic()
        process.send_signal(sig)
        code = await asyncio.wait_for(process.wait(), timeout=20)
        waited = time.monotonic() - stopped
    finally:
        await finish(process)
    assert code == 0
    assert waited < 4 * FIRST_WAIT  # the wait ended at the signal, not at the next try
    assert len(waits(log)) == 3
    assert "Traceback" not in log.read_text("utf-8")
    assert "KeyboardInterrupt" not in log.read_text("utf-8")


async def post_update(port: int, path: str, update: dict[str, object], secret: str) -> int:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{port}{path}", data=json.dumps(update), headers=headers
        ) as response,
    ):
        return response.status


async def test_a_failing_set_webhook_is_tried_again_then_updates_arrive(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    hook_port = free_port()
    async with FakeTelegram() as fake:
        fake.fail(method="setWebhook", code=502, description="Bad Gateway", times=2)
        config = write_config(
            tmp_path,
            telegram={
                "api_base_url": fake.base_url,
                "api_file_url": fake.base_file_url,
                "webhook_url": HOOK,
                "webhook_port": hook_port,
            },
        )
        process = await start_bot(config, log)
        try:
            registered = await eventually(
                lambda: [c for c in fake.calls if c.method == "setWebhook" and c.status == 200],
                timeout=30,
            )
            secret = registered[0].params["secret_token"]
            assert await post_update(hook_port, "/telegram/hook", start_update(1), secret) == 200
            await replies_to(fake, 1201, 1, timeout=30)  # the webhook's test user
            process.terminate()
            assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        finally:
            await finish(process)
    tries = waits(log)
    assert len(tries) == 2
    assert all("(setWebhook: Bad Gateway); trying again in" in line for line in tries)
    text = log.read_text("utf-8")
    assert "Traceback" not in text
    assert_clean(text)


async def test_a_webhook_telegram_refuses_stops_the_bot_with_one_line_and_status_2(
    tmp_path: Path,
) -> None:
    log = tmp_path / "bot.log"
    async with FakeTelegram() as fake:
        refusal = "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
        fake.fail(method="setWebhook", code=400, description=refusal, times=None)
        config = write_config(
            tmp_path,
            telegram={
                "api_base_url": fake.base_url,
                "api_file_url": fake.base_file_url,
                "webhook_url": HOOK,
                "webhook_port": free_port(),
            },
        )
        process = await start_bot(config, log)
        try:
            code = await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            await finish(process)
    text = log.read_text("utf-8")
    assert code == 2
    errors = [line for line in text.splitlines() if " ERROR " in line]
    assert len(errors) == 1
    assert re.search(
        r"ERROR anbien_bot\.cli: Telegram refused setWebhook at \S+: "
        r".*Bad webhook: failed to resolve host",
        errors[0],
    )
    assert "Traceback" not in text
    assert_clean(text)


async def test_debug_adds_the_traceback_on_the_same_line(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    config = unreachable_config(tmp_path, free_port())
    process = await start_bot(config, log, "--debug")
    try:
        await eventually(lambda: waits(log), timeout=30)
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0
    finally:
        await finish(process)
    (line, *_) = waits(log)
    assert " | Traceback (most recent call last): | " in line
    assert "ConnectError" in line


async def test_a_webhook_port_already_taken_stops_the_bot_in_one_line(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeTelegram() as fake:
            config = write_config(
                tmp_path,
                telegram={
                    "api_base_url": fake.base_url,
                    "api_file_url": fake.base_file_url,
                    "webhook_url": HOOK,
                    "webhook_port": port,
                },
            )
            process = await start_bot(config, log)
            try:
                code = await asyncio.wait_for(process.wait(), timeout=30)
            finally:
                await finish(process)
    text = log.read_text("utf-8")
    assert code == 1
    (error,) = [line for line in text.splitlines() if " ERROR " in line]
    assert f"cannot listen for the webhook on 127.0.0.1:{port}: " in error
    assert "Traceback" not in text
