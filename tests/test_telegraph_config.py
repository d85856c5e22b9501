"""[telegraph]: optional, its token a secret like the bot's, each number bounded and documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from anbien_bot.config import ConfigError, config_warnings, load_config
from anbien_bot.telegraphconfig import TelegraphConfig
from tests.test_cli import cli
from tests.test_config import EXAMPLE, MINIMAL, example_paragraph, number, write

TOKEN = "b968da509bb76866c35425099bc0989a5ec3b32997d55286c657e6994bbb"
ENV_TOKEN = "e2a6f8c0b15d4a7e9c3b2f1d0a9e8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e"


def test_without_the_table_nothing_is_published(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), environ={})
    assert config.telegraph is None
    assert load_config(EXAMPLE, environ={}).telegraph is None  # the example leaves it off


def test_a_table_without_token_is_off_and_says_how_to_get_one(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL + "\n[telegraph]\n"), environ={})
    assert config.telegraph is not None
    assert not config.telegraph.enabled
    assert config.telegraph.author_name == config.bot.portal_name
    (warning,) = [w for w in config_warnings(config) if w.startswith("telegraph")]
    assert "anbien-bot telegraph-account" in warning


def test_the_environment_token_wins_and_no_repr_shows_a_token(tmp_path: Path) -> None:
    text = MINIMAL + f'\n[telegraph]\naccess_token = "{TOKEN}"\nauthor_name = "Xã An Biên"\n'
    path = write(tmp_path, text)
    from_file = load_config(path, environ={}).telegraph
    assert from_file is not None
    assert from_file.access_token == TOKEN
    assert from_file.enabled
    assert from_file.author_name == "Xã An Biên"
    config = load_config(path, environ={"ANBIEN_TELEGRAPH_TOKEN": ENV_TOKEN})
    assert config.telegraph is not None
    assert config.telegraph.access_token == ENV_TOKEN
    assert ENV_TOKEN not in repr(config)
    assert ENV_TOKEN not in str(config.telegraph)


@pytest.mark.parametrize(
    ("table", "key", "problem"),
    [
        ("publish_interval_seconds = 1", "telegraph.publish_interval_seconds", "from 10 to"),
        ("page_interval_seconds = -1", "telegraph.page_interval_seconds", "from 0 to 3600"),
        ("max_retry_seconds = 1e9", "telegraph.max_retry_seconds", "from 60 to"),
        ('api_url = "ftp://api.telegra.ph"', "telegraph.api_url", "http(s) URL"),
        ('author_name = "' + "x" * 129 + '"', "telegraph.author_name", "at most 128"),
        ("acess_token = 'x'", "telegraph.acess_token", "unknown key"),
    ],
)
def test_bad_values_are_refused_naming_their_key(
    tmp_path: Path, table: str, key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, MINIMAL + f"\n[telegraph]\n{table}\n"), environ={})
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_a_token_that_cannot_be_one_is_refused_without_showing_it(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    wrong = "secret token with spaces"
    path = write(tmp_path, MINIMAL + f'\n[telegraph]\naccess_token = "{wrong}"\n')
    done = cli("check-config", "--config", str(path), cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("anbien-bot: config error: telegraph.access_token: this is not a")
    assert "secret" not in done.stdout + done.stderr


@pytest.mark.parametrize("in_environment", [False, True])
def test_check_config_says_telegraph_is_on_without_printing_the_token(
    tmp_path: Path, in_environment: bool
) -> None:
    (tmp_path / "data").mkdir()
    table = "\n[telegraph]\n" + ("" if in_environment else f'access_token = "{TOKEN}"\n')
    path = write(tmp_path, MINIMAL + table)
    env = {"ANBIEN_TELEGRAPH_TOKEN": TOKEN} if in_environment else {}
    done = cli("check-config", "--config", str(path), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "telegraph: publishing as 'Cổng thông tin điện tử huyện An Biên'" in done.stdout
    assert TOKEN not in done.stdout + done.stderr
    off = cli("check-config", "--config", str(write(tmp_path, MINIMAL)), cwd=tmp_path)
    assert "telegraph: off" in off.stdout


@pytest.mark.parametrize("spec", list(fields(TelegraphConfig)), ids=lambda f: f.name)
def test_the_example_documents_every_key_and_its_range(spec) -> None:
    paragraph = example_paragraph(spec.name)
    assert paragraph.splitlines()[-1].startswith(f"# {spec.name} = ")
    if "range" in spec.metadata:
        low, high = spec.metadata["range"]
        assert f"{number(low)} to {number(high)}" in paragraph, paragraph
