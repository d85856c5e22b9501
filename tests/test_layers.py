"""The layer order holds: the import contracts (pyproject.toml) pass, and do catch a breach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the package and contracts found under root."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def copy_of_project(tmp_path: Path) -> Path:
    """Return a throwaway copy of the package and its contracts."""
    shutil.copytree(
        ROOT / "anbien_bot", tmp_path / "anbien_bot", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, line: str) -> None:
    """Append an import to a module of the copy."""
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_package_keeps_its_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_store_module_importing_delivery_breaks_the_check(copy_of_project: Path) -> None:
    add_import(
        copy_of_project / "anbien_bot/store/chats.py", "from ..delivery import render  # noqa"
    )
    result = lint_imports(copy_of_project)
    assert result.returncode != 0
    assert "anbien_bot.store is not allowed to import anbien_bot.delivery" in result.stdout
    assert "anbien_bot.store.chats -> anbien_bot.delivery.render" in result.stdout


def test_a_handler_importing_the_app_wiring_is_a_cycle(copy_of_project: Path) -> None:
    add_import(
        copy_of_project / "anbien_bot/bot/handlers/fallback.py", "from .. import app  # noqa"
    )
    result = lint_imports(copy_of_project)
    assert result.returncode != 0
    assert "No cycles are allowed in anbien_bot.bot" in result.stdout
