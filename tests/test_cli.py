"""The command line as a new operator meets it: init, finding the config, --version, run."""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from anbien_bot.config import starter_config
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import TOKEN, eventually

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_CONFIG = Path("/etc/anbien-bot/config.toml")


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `anbien-bot ARGS` in cwd as an operator would, with a home of its own."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=cwd,
        env=operator_env(cwd, env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def operator_env(cwd: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return an environment whose home is inside the test, without a token or XDG dirs."""
    unset = ("ANBIEN_BOT_TOKEN", "ANBIEN_TELEGRAPH_TOKEN", "XDG_CONFIG_HOME")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["HOME"] = str(cwd / "home")
    env["PYTHONPATH"] = str(ROOT)  # bot.py from the checkout, whatever the working directory
    return env | (extra or {})


def config_used(stderr: str) -> str:
    """Return the config file a command says (in its one log line about it) it found."""
    (path,) = re.findall(
        r" INFO anbien_bot\.cli: using the config file (.+) \(no --config", stderr
    )
    return path


def test_version_is_the_installed_version(tmp_path: Path) -> None:
    done = cli("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"anbien-bot {importlib.metadata.version('anbien-bot')}"


def test_init_writes_the_starter_config_which_checks_out_and_is_never_overwritten(
    tmp_path: Path,
) -> None:
    done = cli("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "config.toml"
    assert written.read_text(encoding="utf-8") == starter_config()
    assert "ANBIEN_BOT_TOKEN" in done.stdout
    # ./config.toml is found without --config, so the next steps need none.
    assert "anbien-bot check-config\n" in done.stdout
    assert "anbien-bot run" in done.stdout
    assert "--config" not in done.stdout

    checked = cli("check-config", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert config_used(checked.stderr) == str(written)
    assert len(checked.stderr.splitlines()) == 1
    assert "config OK" in checked.stdout
    assert "categories (6)" in checked.stdout

    written.write_text("# mine\n", encoding="utf-8")
    again = cli("init", cwd=tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert len(again.stderr.splitlines()) == 1
    assert written.read_text(encoding="utf-8") == "# mine\n"


def test_init_elsewhere_names_the_file_in_the_next_steps(tmp_path: Path) -> None:
    done = cli("init", "bot conf/anbien.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bot conf" / "anbien.toml").is_file()
    assert "anbien-bot check-config --config 'bot conf/anbien.toml'" in done.stdout
    checked = cli("check-config", "--config", "bot conf/anbien.toml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr


def test_without_config_the_users_config_directory_is_used_and_named(tmp_path: Path) -> None:
    home_config = tmp_path / "home" / ".config" / "anbien-bot" / "config.toml"
    assert cli("init", str(home_config), cwd=tmp_path).returncode == 0
    done = cli("check-config", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert config_used(done.stderr) == str(home_config)

    xdg_config = tmp_path / "xdg" / "anbien-bot" / "config.toml"
    assert cli("init", str(xdg_config), cwd=tmp_path).returncode == 0
    done = cli("check-config", cwd=tmp_path, env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert done.returncode == 0, done.stderr
    assert config_used(done.stderr) == str(xdg_config)

    assert cli("init", cwd=tmp_path).returncode == 0  # ./config.toml comes first
    done = cli("check-config", cwd=tmp_path)
    assert config_used(done.stderr) == str(tmp_path / "config.toml")


def test_a_mistake_in_a_config_found_without_config_names_the_file(tmp_path: Path) -> None:
    assert cli("init", cwd=tmp_path).returncode == 0
    path = tmp_path / "config.toml"
    path.write_text(starter_config().replace("interval_seconds = 600", "interval_seconds = inf"))
    done = cli("poll", "--once", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "anbien-bot: config error: polling.interval_seconds: must be from 1 to 86400 seconds "
        f"(1 day), got inf (in {path}, found without --config)\n"
    )


@pytest.mark.skipif(SYSTEM_CONFIG.exists(), reason="this machine has a system-wide config")
def test_without_any_config_it_says_where_it_looked_and_how_to_make_one(tmp_path: Path) -> None:
    for command in ("run", "check-config", "poll"):
        done = cli(command, cwd=tmp_path)
        assert done.returncode == 2
        (line,) = done.stderr.splitlines()
        assert "./config.toml" in line
        assert str(tmp_path / "home" / ".config" / "anbien-bot" / "config.toml") in line
        assert str(SYSTEM_CONFIG) in line
        assert "anbien-bot init" in line


def customised_starter(telegram: FakeTelegram, portal: FakePortal) -> str:
    """Return the starter config as an operator edits it: their portal's name and sources."""
    text = starter_config()
    edits = {
        'api_base_url = "https://api.telegram.org/bot"': f'api_base_url = "{telegram.base_url}"',
        'api_file_url = "https://api.telegram.org/file/bot"': (
            f'api_file_url = "{telegram.base_file_url}"'
        ),
        "https://baokiengiang.vn/rss/home.rss": portal.url("/rss.xml"),
        '# portal_name = "Cổng thông tin điện tử huyện An Biên"': (
            'portal_name = "Cổng thông tin điện tử xã Tây Yên"'
        ),
        '# portal_name_en = "An Biên district e-portal"': (
            'portal_name_en = "Tây Yên commune e-portal"'
        ),
    }
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.slow
async def test_run_without_config_greets_in_the_configured_portals_name(tmp_path: Path) -> None:
    group, user, english_user = -1005550001, 4001, 4002
    async with FakeTelegram() as telegram, FakePortal() as portal:
        (tmp_path / "config.toml").write_text(customised_starter(telegram, portal), "utf-8")
        log = tmp_path / "bot.log"
        with log.open("ab") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(ROOT / "bot.py"),
                "run",
                cwd=tmp_path,
                env=operator_env(tmp_path, {"ANBIEN_BOT_TOKEN": TOKEN}),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
            )
        try:
            telegram.push_message(user, "/start", first_name="Lan")
            telegram.push_message(english_user, "/start", first_name="Ann", language_code="en")
            telegram.push_my_chat_member(group, "member", chat_type="supergroup")
            for chat in (user, english_user, group):
                await eventually(lambda chat=chat: telegram.sent_to(chat), timeout=30)
            process.terminate()
            assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()
    assert "<b>Cổng thông tin điện tử xã Tây Yên</b>" in telegram.sent_texts(user)[0]
    assert "<b>Tây Yên commune e-portal</b>" in telegram.sent_texts(english_user)[0]
    assert "<b>Cổng thông tin điện tử xã Tây Yên</b>" in telegram.sent_texts(group)[0]
    assert "An Biên" not in "".join(telegram.sent_texts())
    assert config_used(log.read_text("utf-8")) == str(tmp_path / "config.toml")
