"""The repository holds itself to its own linters: ruff (check and format) and flake8 with this
plugin, as the README's development notes run them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("command", [("check", "."), ("format", "--check", ".")])
def test_ruff(command: tuple[str, ...]) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    result = _run(ruff, *command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_flake8_with_the_plugin() -> None:
    result = _run(
        sys.executable, "-m", "flake8", "-j", "2", "flake8_celery_pickle", "tests", "benchmarks"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
