"""The README's quick start: exactly two commands, and both do what the README says.

The venv and install steps cannot be repeated inside the suite (no network in tests), so each
command is checked in its parts: the extras it installs exist in ``pyproject.toml``, the
program it runs is the one this environment installed, and running that last step from the
repository root gives the promised result. ``.ci/run`` must run the second command verbatim.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import List

try:  # Python 3.11+
    import tomllib
except ImportError:  # pragma: no cover - Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent


def quick_start() -> List[str]:
    start = README.index("## Quick start")
    end = README.index("\n## ", start + 1)
    return re.findall(r"^```sh\n(.*?)\n```$", README[start:end], flags=re.M | re.S)


def steps(command: str) -> List[List[str]]:
    return [shlex.split(part) for part in command.split(" && ")]


def test_there_are_exactly_two_one_line_commands() -> None:
    commands = quick_start()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    for command in commands:
        first, install, _ = steps(command)
        assert first == ["python3", "-m", "venv", ".venv"]
        assert install[:2] == [".venv/bin/pip", "install"]


def test_every_extra_the_commands_install_is_declared() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    for command in quick_start():
        install = steps(command)[1]
        [target] = install[2:]
        match = re.fullmatch(r"\.(?:\[(\w+)\])?", target)
        assert match, target
        assert match.group(1) is None or match.group(1) in extras


def test_ci_runs_the_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = quick_start()[1]
    assert test_command in ci.splitlines()
    assert "set -euo pipefail" in ci


def test_the_tool_command_prints_findings_from_the_vulnerable_examples_only() -> None:
    *_, run = steps(quick_start()[0])
    program = run[0]
    assert program.startswith(".venv/bin/")
    installed = BIN / Path(program).name
    assert installed.exists(), f"{installed.name} is not an installed console script"
    result = subprocess.run(
        [str(installed), *run[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines, result.stderr
    pattern = re.compile(r"^examples/vulnerable/\S+:\d+:\d+: CPK0(0[1-9]|1[01]) \S")
    assert [line for line in lines if not pattern.match(line)] == []
    # Both engines speak: Python modules and deployment files each carry findings.
    assert any(line.split(":", 1)[0].endswith(".py") for line in lines)
    assert any(line.startswith("examples/vulnerable/deploy/docker-compose.yml:") for line in lines)
    assert re.search(r"\d+ files scanned, 0 skipped, 0 errors, (\d+) findings", result.stderr)
    reported = int(re.search(r"(\d+) findings", result.stderr).group(1))
    assert reported == len(lines)
