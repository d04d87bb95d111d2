"""The deploy examples: every annotated finding and nothing else, in-process and through the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_celery_pickle.config import language_for, pack_config_path, scan_text


def _ast_grep_binary() -> str | None:
    beside = Path(sys.executable).with_name("ast-grep")
    return str(beside) if beside.exists() else shutil.which("ast-grep")


AST_GREP = _ast_grep_binary()
needs_cli = pytest.mark.skipif(
    AST_GREP is None, reason="the ast-grep CLI (pip install ast-grep-cli) is not installed"
)

ROOT = Path(__file__).resolve().parent.parent / "examples"
VULNERABLE = ROOT / "vulnerable" / "deploy"
FIXED = ROOT / "fixed" / "deploy"
ANNOTATION = re.compile(r"(?:#|//)\s*((?:CPK\d{3}\s*)+)$")
SIDE_FILE = "expected-findings.txt"


def config_files(root: Path) -> list:
    return sorted(
        path for path in root.rglob("*") if path.is_file() and language_for(str(path)) is not None
    )


def side_file_expectations(root: Path) -> dict:
    expected: dict = {}
    if not (root / SIDE_FILE).exists():
        return expected
    for line in (root / SIDE_FILE).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        location, code = line.split()
        name, number = location.rsplit(":", 1)
        expected.setdefault(name, []).append((int(number), code))
    return expected


def expected_findings(path: Path, root: Path) -> list:
    expected = list(side_file_expectations(root).get(path.relative_to(root).as_posix(), []))
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = ANNOTATION.search(line)
        if match:
            expected.extend((number, code) for code in match.group(1).split())
    return sorted(expected)


def test_the_examples_cover_every_format():
    names = {path.relative_to(VULNERABLE).as_posix() for path in config_files(VULNERABLE)}
    assert names == {
        ".env",
        "Dockerfile",
        "Procfile",
        "ansible/group_vars.yml",
        "development.ini",
        "docker-compose.yml",
        "ecs-task-definition.json",
        "helm/values.yaml",
        "k8s/deployment.yaml",
        "main.tf",
        "pyproject.toml",
        "setup.cfg",
        "start-worker.sh",
    }
    assert names == {path.relative_to(FIXED).as_posix() for path in config_files(FIXED)}


def test_side_file_names_only_files_that_cannot_carry_comments():
    assert set(side_file_expectations(VULNERABLE)) == {
        "ecs-task-definition.json",
        "Dockerfile",
        "development.ini",
        "setup.cfg",
    }


@pytest.mark.parametrize("path", config_files(VULNERABLE), ids=lambda p: p.name)
def test_vulnerable_example_reports_exactly_the_annotated_findings(path):
    expected = expected_findings(path, VULNERABLE)
    assert expected, "every vulnerable example holds at least one finding"
    found = scan_text(str(path), path.read_text(encoding="utf-8"))
    assert sorted((f.line, f.code) for f in found) == expected


@pytest.mark.parametrize("path", config_files(FIXED), ids=lambda p: p.name)
def test_fixed_example_reports_nothing(path):
    assert expected_findings(path, FIXED) == []
    assert scan_text(str(path), path.read_text(encoding="utf-8")) == []


def cli_findings(root: Path) -> set:
    result = subprocess.run(
        [AST_GREP, "scan", "-c", str(pack_config_path()), "--json=compact", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    found = set()
    for match in json.loads(result.stdout):
        code = match["ruleId"].split("-")[0].upper()
        start = match["range"]["start"]
        line_text = (root / match["file"]).read_text(encoding="utf-8").split("\n")[start["line"]]
        column = len(line_text[: start["column"]].encode("utf-8"))
        found.add((Path(match["file"]).as_posix(), start["line"] + 1, column, code))
    return found


@needs_cli
def test_cli_and_in_process_agree_on_the_examples():
    """Same files, lines, columns and codes; the CLI knows no ``# noqa`` and no Dockerfile."""
    cli = cli_findings(VULNERABLE)
    in_process = set()
    noqa_lines = set()
    for path in config_files(VULNERABLE):
        name = path.relative_to(VULNERABLE).as_posix()
        if language_for(name) not in ("yaml", "json", "bash", "hcl"):
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), 1):
            if "# noqa" in line:
                noqa_lines.add((name, number))
        for finding in scan_text(str(path), text):
            in_process.add((name, finding.line, finding.col, finding.code))
    assert {f for f in cli if (f[0], f[1]) not in noqa_lines} == in_process
    assert {(f[0], f[1]) for f in cli} - {(f[0], f[1]) for f in in_process} == noqa_lines
    assert cli_findings(FIXED) == set()
