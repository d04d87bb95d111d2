"""What editors do with the flake8 plugin: lint a buffer from stdin, or a file by path.

Each editor runs flake8 its own way (see the README "Integrations" section): VS Code passes an
absolute path with its own ``--format``; nvim-lint and ALE pipe the unsaved buffer on stdin with
``--stdin-display-name``; pre-commit passes paths relative to the repository root; ``flake8 .``
prints ``./``-prefixed paths. These tests run the real flake8 with the installed plugin in each
of those shapes and check the exact lines, then parse them with the pattern the editor uses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence

import pytest

from flake8_celery_pickle.codes import BY_CODE
from flake8_celery_pickle.vocabulary import SERIALIZER_RISK

BAD = "# Celery settings\n\ntask_serializer = 'pickle'\naccept_content = ['json']\n"
FIXED = "# Celery settings\n\ntask_serializer = 'json'\naccept_content = ['json']\n"

#: The one finding in BAD: line 3, the string literal at 0-based byte column 18.
CPK001_TEXT = BY_CODE["CPK001"].text(
    setting="task_serializer", value="pickle", risk=SERIALIZER_RISK["task_serializer"]
)
FINDING = f"3:19: {CPK001_TEXT}"


def flake8(
    args: Sequence[str], cwd: Path, stdin: Optional[str] = None
) -> subprocess.CompletedProcess[str]:
    """Run flake8 the way an editor does: the executable beside this interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def lines(result: subprocess.CompletedProcess[str]) -> List[str]:
    assert result.stderr == ""
    return result.stdout.splitlines()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a flake8 config (so no config above tmp_path is read) and one bad file."""
    (tmp_path / "tox.ini").write_text("[flake8]\nselect = CPK\nextend-ignore = CPK010\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "celeryconfig.py").write_text(BAD)
    return tmp_path


# --- stdin (nvim-lint, ALE, efm-langserver, VS Code notebooks) -----------------------------------


def test_stdin_with_display_name(project: Path):
    result = flake8(["--stdin-display-name", "app/celeryconfig.py", "-"], project, stdin=BAD)
    assert lines(result) == [f"app/celeryconfig.py:{FINDING}"]
    assert result.returncode == 1


def test_stdin_without_display_name_is_called_stdin(project: Path):
    result = flake8(["-"], project, stdin=BAD)
    assert lines(result) == [f"stdin:{FINDING}"]


def test_stdin_reads_the_unsaved_buffer_not_the_file_on_disk(project: Path):
    # The file on disk has pickle; the edited buffer has fixed it.
    result = flake8(["--stdin-display-name", "app/celeryconfig.py", "-"], project, stdin=FIXED)
    assert (lines(result), result.returncode) == ([], 0)
    # And the other way round: a clean file on disk, pickle typed into the buffer.
    (project / "app" / "celeryconfig.py").write_text(FIXED)
    result = flake8(["--stdin-display-name", "app/celeryconfig.py", "-"], project, stdin=BAD)
    assert lines(result) == [f"app/celeryconfig.py:{FINDING}"]


def test_stdin_noqa_and_per_file_ignores_follow_the_display_name(project: Path):
    silenced = BAD.replace("'pickle'", "'pickle'  # noqa: CPK001")
    result = flake8(["--stdin-display-name", "app/celeryconfig.py", "-"], project, stdin=silenced)
    assert lines(result) == []
    result = flake8(
        ["--per-file-ignores=app/*.py:CPK001", "--stdin-display-name", "app/celeryconfig.py", "-"],
        project,
        stdin=BAD,
    )
    assert lines(result) == []
    result = flake8(
        [
            "--per-file-ignores=other/*.py:CPK001",
            "--stdin-display-name",
            "app/celeryconfig.py",
            "-",
        ],
        project,
        stdin=BAD,
    )
    assert lines(result) == [f"app/celeryconfig.py:{FINDING}"]


def test_stdin_windows_line_endings(project: Path):
    result = flake8(
        ["--stdin-display-name", "app/celeryconfig.py", "-"],
        project,
        stdin=BAD.replace("\n", "\r\n"),
    )
    assert lines(result) == [f"app/celeryconfig.py:{FINDING}"]


# --- paths in every shape ------------------------------------------------------------------------


def test_absolute_path(project: Path):
    path = project / "app" / "celeryconfig.py"
    result = flake8([str(path)], project)
    assert lines(result) == [f"{path}:{FINDING}"]


def test_absolute_path_from_another_directory(project: Path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "tox.ini").write_text("[flake8]\nselect = CPK\n")
    path = project / "app" / "celeryconfig.py"
    result = flake8([str(path)], elsewhere)
    assert lines(result) == [f"{path}:{FINDING}"]


def test_relative_path(project: Path):
    result = flake8(["app/celeryconfig.py"], project)
    assert lines(result) == [f"app/celeryconfig.py:{FINDING}"]


def test_dot_slash_path(project: Path):
    result = flake8(["./app/celeryconfig.py"], project)
    assert lines(result) == [f"./app/celeryconfig.py:{FINDING}"]


def test_directory_dot_prints_dot_slash_paths(project: Path):
    (project / "app" / "clean.py").write_text(FIXED)
    result = flake8(["."], project)
    assert lines(result) == [f"./app/celeryconfig.py:{FINDING}"]


def test_relative_path_from_a_subdirectory(project: Path):
    result = flake8(["celeryconfig.py"], project / "app")
    assert lines(result) == [f"celeryconfig.py:{FINDING}"]


def test_fixed_file_is_clean_in_every_shape(project: Path):
    path = project / "app" / "celeryconfig.py"
    path.write_text(FIXED)
    for args in ([str(path)], ["app/celeryconfig.py"], ["./app/celeryconfig.py"], ["."]):
        result = flake8(args, project)
        assert (lines(result), result.returncode) == ([], 0), args


# --- each editor's own command line and output pattern -------------------------------------------


def test_vscode_command_line_and_pattern(project: Path):
    # ms-python.flake8 passes the file by absolute path with this fixed --format.
    path = project / "app" / "celeryconfig.py"
    result = flake8(["--format=%(row)d,%(col)d,%(code).1s,%(code)s:%(text)s", str(path)], project)
    [line] = lines(result)
    pattern = (
        r"(?P<line>\d+),(?P<column>-?\d+),(?P<type>\w+),(?P<code>\w+\d+):(?P<message>[^\r\n]*)"
    )
    match = re.fullmatch(pattern, line)
    assert match is not None
    assert match.group("line", "column", "type", "code") == ("3", "19", "C", "CPK001")
    assert match.group("message") == CPK001_TEXT.split(" ", 1)[1]


def test_nvim_lint_command_line_and_pattern(project: Path):
    args = [
        "--format=%(path)s:%(row)d:%(col)d:%(code)s:%(text)s",
        "--no-show-source",
        "--stdin-display-name",
        str(project / "app" / "celeryconfig.py"),
        "-",
    ]
    [line] = lines(flake8(args, project, stdin=BAD))
    # nvim-lint's Lua pattern [^:]+:(%d+):(%d+):(%w+):(.+) written as a Python regex.
    match = re.match(r"[^:]+:(\d+):(\d+):(\w+):(.+)", line)
    assert match is not None
    assert match.groups() == ("3", "19", "CPK001", CPK001_TEXT.split(" ", 1)[1])


def test_ale_command_line_and_pattern(project: Path):
    args = ["--format=default", "--stdin-display-name", "app/celeryconfig.py", "-"]
    [line] = lines(flake8(args, project, stdin=BAD))
    match = re.match(r"^[a-zA-Z]?:?[^:]+:(\d+):?(\d+)?: ([A-Za-z0-9]+):? (.*)$", line)
    assert match is not None
    assert match.groups() == ("3", "19", "CPK001", CPK001_TEXT.split(" ", 1)[1])


def test_pycharm_file_watcher_output_filter(project: Path):
    # The README's output filter $FILE_PATH$:$LINE$:$COLUMN$: $MESSAGE$ over an absolute path.
    path = project / "app" / "celeryconfig.py"
    [line] = lines(flake8([str(path)], project))
    match = re.fullmatch(r"(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.+)", line)
    assert match is not None
    assert match.group("file", "line", "column") == (str(path), "3", "19")


# --- the command prints one path shape whatever it is given --------------------------------------


@pytest.mark.parametrize("shape", ["absolute", "relative", "dot-slash", "directory"])
def test_command_prints_paths_relative_to_the_working_directory(project: Path, shape: str):
    path = project / "app" / "celeryconfig.py"
    given = {
        "absolute": str(path),
        "relative": "app/celeryconfig.py",
        "dot-slash": "./app/celeryconfig.py",
        "directory": ".",
    }[shape]
    command = Path(sys.executable).parent / "flake8-celery-pickle"
    result = subprocess.run(
        [str(command), "--quiet", given], cwd=project, capture_output=True, text=True
    )
    assert (result.returncode, result.stdout.splitlines()) == (
        1,
        [f"app/celeryconfig.py:{FINDING}"],
    )
