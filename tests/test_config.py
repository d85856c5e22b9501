"""The configuration file: what an admin writes, and the one-line errors they get."""

import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

import anbien_bot
from anbien_bot.config import (
    BotConfig,
    ConfigError,
    DeliveryConfig,
    PollingConfig,
    StorageConfig,
    UrgentConfig,
    load_config,
)
from anbien_bot.models import Selectors
from anbien_bot.sourceconfig import SourceConfig
from anbien_bot.telegramconfig import TelegramConfig
from tests.test_cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path(anbien_bot.__file__).parent / "config.example.toml"
SOURCE = 'sources "Cổng TTĐT An Biên - Thông báo"'

MINIMAL = """
[telegram]
token = "123456:ABC-from-file"
admins = [111, 222]

[storage]
database = "data/anbien.sqlite3"

[polling]
interval_seconds = 2

[categories]
hoat-dong-huyen-uy = "Hoạt động Huyện ủy"
thong-bao = "Thông báo"

[[sources]]
name = "Cổng TTĐT An Biên - Thông báo"
url = "https://example.gov.vn/rss/thong-bao.xml"
type = "rss"
category = "thong-bao"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_loads_with_defaults(tmp_path):
    config = load_config(write(tmp_path, MINIMAL), environ={})
    assert config.telegram.token == "123456:ABC-from-file"
    assert config.telegram.api_base_url == "https://api.telegram.org/bot"
    assert config.telegram.admins == (111, 222)
    assert config.storage.database == tmp_path / "data" / "anbien.sqlite3"
    assert config.polling.interval_seconds == 2
    assert list(config.category_names) == ["hoat-dong-huyen-uy", "thong-bao"]
    source = config.source("Cổng TTĐT An Biên - Thông báo")
    assert source.type == "rss"
    assert source.categories == ("thong-bao",)
    assert config.delivery.messages_per_second == 30


def test_token_from_environment_wins_and_never_shows_in_repr(tmp_path):
    config = load_config(write(tmp_path, MINIMAL), environ={"ANBIEN_BOT_TOKEN": "999:ENV"})
    assert config.telegram.token == "999:ENV"
    assert "999:ENV" not in repr(config)
    assert "999:ENV" not in str(config.telegram)


def test_example_config_is_valid():
    config = load_config(EXAMPLE, environ={})
    assert config.sources
    assert config.telegram.token == ""
    assert config.bot == BotConfig()
    assert config.delivery == DeliveryConfig()
    assert config.polling.interval_seconds == PollingConfig().interval_seconds


def example_paragraph(key: str) -> str:
    """Return the example's lines about key: its line and the comments and keys above it."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if re.match(rf"^#? ?{key} = ", line))
    start = at
    while start > 0 and re.match(r"^[a-z_]+ = ", lines[start - 1]):
        start -= 1  # keys listed together share the comment above the first
    while start > 0 and re.match(r"^#(?! ?[a-z_]+ = )", lines[start - 1]):
        start -= 1
    return "\n".join(lines[start : at + 1])


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


KEYS = [
    *(f.name for cls in (TelegramConfig, StorageConfig, PollingConfig) for f in fields(cls)),
    *(f.name for cls in (DeliveryConfig, BotConfig, UrgentConfig, Selectors) for f in fields(cls)),
    *(f.name for f in fields(SourceConfig) if f.name not in ("extra_categories", "selectors")),
]


@pytest.mark.parametrize("key", sorted(set(KEYS)))
def test_the_example_documents_every_key_and_its_range(key: str) -> None:
    paragraph = example_paragraph(key)
    bounded = {
        f.name: f.metadata["range"]
        for cls in (PollingConfig, DeliveryConfig)
        for f in fields(cls)
        if "range" in f.metadata
    } | {"webhook_port": (1, 65535), "max_pages": (1, 100)}
    if key in bounded:
        low, high = bounded[key]
        assert f"{number(low)} to {number(high)}" in paragraph, paragraph


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('category = "thong-bao"', 'category = "khong-co"'), f"{SOURCE}.category"),
        (("interval_seconds = 2", 'interval_seconds = "often"'), "polling.interval_seconds"),
        (("interval_seconds = 2", "interval_seconds = 0"), "polling.interval_seconds"),
        (('type = "rss"', 'type = "atom-ish"'), f"{SOURCE}.type"),
        (("admins = [111, 222]", 'admins = ["me"]'), "telegram.admins"),
        (("[polling]", "[polling]\nintervall_seconds = 3"), "polling.intervall_seconds"),
        (("https://example.gov.vn/rss", "ftp://example.gov.vn/rss"), f"{SOURCE}.url"),
        (('name = "Cổng TTĐT An Biên - Thông báo"\n', ""), "sources (block 1).name"),
    ],
)
def test_bad_values_name_their_key(tmp_path, change, key):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, MINIMAL.replace(*change)), environ={})
    assert caught.value.key == key


def test_duplicate_source_is_refused(tmp_path):
    text = MINIMAL + MINIMAL[MINIMAL.index("[[sources]]") :]
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    assert caught.value.key == "sources (block 2).name"
    assert "duplicate" in caught.value.problem
    assert "block 1" in caught.value.problem


def test_bad_selector_is_refused(tmp_path):
    text = MINIMAL + '[sources.selectors]\ntitle = "h1[["\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    assert caught.value.key == f"{SOURCE}.selectors.title"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (None, "not found"),
        ("[telegram\ntoken = 1", "TOML syntax error"),
        (MINIMAL.replace('category = "thong-bao"', 'category = "x-y"'), f"{SOURCE}.category"),
        (
            MINIMAL.replace('category = "thong-bao"', 'category = "x-y"'),
            "the keys of [categories] are: hoat-dong-huyen-uy, thong-bao",
        ),
        (MINIMAL.replace("https://example", "ftp://example"), f"{SOURCE}.url: must be"),
    ],
)
def test_cli_reports_bad_config_in_one_line_with_status_2(tmp_path, text, needle):
    path = tmp_path / "config.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_check_config_summarises_a_good_config(tmp_path):
    (tmp_path / "data").mkdir()  # the database's directory
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bot.py"),
            "check-config",
            "--config",
            str(write(tmp_path, MINIMAL)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "config OK" in proc.stdout
    assert "123456:ABC-from-file" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("setting", "key", "allowed"),
    [
        ("interval_seconds = inf", "polling.interval_seconds", "from 1 to 86400 seconds"),
        ("interval_seconds = nan", "polling.interval_seconds", "from 1 to 86400 seconds"),
        ("interval_seconds = 1e20", "polling.interval_seconds", "from 1 to 86400 seconds"),
        ("interval_seconds = 1e10", "polling.interval_seconds", "from 1 to 86400 seconds"),
        ("timeout_seconds = 0", "polling.timeout_seconds", "from 1 to 300 seconds"),
        ("max_body_bytes = -1", "polling.max_body_bytes", "from 65536 to 104 857 600 bytes"),
        ("per_host_requests = 0", "polling.per_host_requests", "from 1 to 16"),
        ("max_backoff_seconds = -inf", "polling.max_backoff_seconds", "to 604800 seconds"),
    ],
)
def test_numbers_out_of_range_are_refused_in_one_line_naming_the_range(
    tmp_path, setting, key, allowed
):
    (tmp_path / "data").mkdir()
    text = MINIMAL.replace("https://example.gov.vn", "http://127.0.0.1:9")
    path = write(tmp_path, text.replace("interval_seconds = 2", setting))
    for command in ("check-config", "poll --once"):
        done = cli(*command.split(), "--config", str(path), cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        (line,) = done.stderr.splitlines()
        assert line.startswith(f"anbien-bot: config error: {key}: must be ")
        assert allowed in line
        assert "config OK" not in done.stdout
    assert list((tmp_path / "data").iterdir()) == []  # poll stored nothing, made no database


def test_delivery_numbers_are_bounded_too(tmp_path):
    (tmp_path / "data").mkdir()
    path = write(tmp_path, MINIMAL + "\n[delivery]\nconcurrency = 0\n")
    done = cli("check-config", "--config", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert "delivery.concurrency: must be from 1 to 100, got 0" in done.stderr


def test_a_missing_database_directory_is_refused_and_never_created(tmp_path):
    # MINIMAL keeps its database in data/, which does not exist here.
    path = write(tmp_path, MINIMAL.replace("https://example.gov.vn", "http://127.0.0.1:9"))
    for command in ("check-config", "poll --once", "backfill", "run"):
        done = cli(*command.split(), "--config", str(path), cwd=tmp_path)
        assert done.returncode == 2, command
        (line,) = done.stderr.splitlines()
        assert "storage.database" in line
        assert f"the directory {tmp_path / 'data'} does not exist" in line
    assert not (tmp_path / "data").exists()


def test_a_files_directory_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "files").write_text("not a directory")
    path = write(tmp_path, MINIMAL + '\n[archive]\nfiles_dir = "files"\n')
    done = cli("check-config", "--config", str(path), cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert f"archive.files_dir: {tmp_path / 'data' / 'files'} is a file, not a directory" in line


def test_a_config_without_sources_is_accepted_with_a_warning(tmp_path):
    (tmp_path / "data").mkdir()
    path = write(tmp_path, MINIMAL[: MINIMAL.index("[[sources]]")])
    done = cli("check-config", "--config", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "config OK" in done.stdout
    (line,) = done.stderr.splitlines()
    assert " WARNING anbien_bot.cli: sources: no [[sources]] configured" in line


@pytest.mark.parametrize(
    ("token", "in_environment"),
    [
        ("AAFsecretWithoutItsNumber", False),
        ("123456789 AAFsecret", False),
        ("bot123456789:AAFsecret", False),
        ("'123456789:AAFsecret'", True),  # quoted twice in a shell profile
        ("123456789:AAF/secret", True),
    ],
)
def test_a_token_that_cannot_be_a_token_is_refused_without_showing_it(
    tmp_path, token, in_environment
):
    (tmp_path / "data").mkdir()
    text = MINIMAL.replace('"123456:ABC-from-file"', '""' if in_environment else f'"{token}"')
    path = write(tmp_path, text)
    env = {"ANBIEN_BOT_TOKEN": token} if in_environment else {}
    done = cli("check-config", "--config", str(path), cwd=tmp_path, env=env)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    key = "ANBIEN_BOT_TOKEN" if in_environment else "telegram.token"
    assert line.startswith(f"anbien-bot: config error: {key}: this is not a bot token")
    assert "secret" not in (done.stdout + done.stderr).lower()


def test_every_key_the_readme_names_exists_and_the_example_documents_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tables = {
        "telegram": TelegramConfig,
        "storage": StorageConfig,
        "polling": PollingConfig,
        "delivery": DeliveryConfig,
        "urgent": UrgentConfig,
        "bot": BotConfig,
    }
    named = re.findall(r"`\[?(" + "|".join(tables) + r")\]?[. ]([a-z_]+)", readme)
    named += [("delivery", key) for key in re.findall(r"^\| `([a-z_]+)` \|", readme, re.M)]
    assert ("delivery", "concurrency") in named
    for table, key in named:
        assert key in {f.name for f in fields(tables[table])}, f"{table}.{key}"
        assert example_paragraph(key)
