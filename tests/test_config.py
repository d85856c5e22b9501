"""The configuration file: what an admin writes, and the one-line errors they get."""

import subprocess
import sys
from pathlib import Path

import pytest

from anbien_bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent

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
    config = load_config(ROOT / "config.example.toml", environ={})
    assert config.sources
    assert config.telegram.token == ""


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('category = "thong-bao"', 'category = "khong-co"'), "sources[0].category"),
        (("interval_seconds = 2", 'interval_seconds = "often"'), "polling.interval_seconds"),
        (("interval_seconds = 2", "interval_seconds = 0"), "polling.interval_seconds"),
        (('type = "rss"', 'type = "atom-ish"'), "sources[0].type"),
        (("admins = [111, 222]", 'admins = ["me"]'), "telegram.admins"),
        (("[polling]", "[polling]\nintervall_seconds = 3"), "polling.intervall_seconds"),
        (("https://example.gov.vn/rss", "ftp://example.gov.vn/rss"), "sources[0].url"),
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
    assert caught.value.key == "sources[1].name"
    assert "duplicate" in caught.value.problem


def test_bad_selector_is_refused(tmp_path):
    text = MINIMAL + '[sources.selectors]\ntitle = "h1[["\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    assert caught.value.key == "sources[0].selectors.title"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (None, "not found"),
        ("[telegram\ntoken = 1", "TOML syntax error"),
        (MINIMAL.replace('category = "thong-bao"', 'category = "x-y"'), "sources[0].category"),
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
