"""The example CI workflows under examples/ci/ parse, hang together, and their commands work.

Every command line in a workflow's ``run:`` steps or ``script:`` entries is classified: either
it is a flake8-celery-pickle or flake8 command, which is run here against a copy of
``examples/vulnerable`` (findings, exit 1, output in the promised format) and of
``examples/fixed`` (no findings, exit 0); or it is an install step, which needs the package
index and is only checked for its package name. A line of any other kind fails the test, so a
workflow cannot grow a command that nothing runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CI_DIR = ROOT / "examples" / "ci"
VULNERABLE = ROOT / "examples" / "vulnerable"
FIXED = ROOT / "examples" / "fixed"

WORKFLOWS = ["github-actions.yml", "gitlab-ci.yml", "reviewdog.yml"]
INSTALL = 'python -m pip install "flake8-celery-pickle[astgrep]"'


def load(name: str) -> dict:
    with (CI_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def github_steps(workflow: dict) -> Iterator[dict]:
    for job in workflow["jobs"].values():
        yield from job["steps"]


def shell_lines(script: str) -> List[str]:
    """Logical lines of a shell snippet: backslash continuations joined, blanks dropped."""
    joined = re.sub(r"\\\n\s*", "", script)
    return [line.strip() for line in joined.splitlines() if line.strip()]


def scripts(name: str) -> List[str]:
    workflow = load(name)
    if name == "gitlab-ci.yml":
        return [line for job in workflow.values() for line in job["script"]]
    return [
        line
        for step in github_steps(workflow)
        if "run" in step
        for line in shell_lines(step["run"])
    ]


def commands(name: str) -> List[Tuple[str, str]]:
    """``(command, consumer)`` for every scanner command; consumer is what it is piped to."""
    found = []
    for line in scripts(name):
        if line == INSTALL:
            continue
        first, _, rest = line.partition(" | ")
        assert shlex.split(first)[0] in ("flake8-celery-pickle", "flake8"), line
        found.append((first, rest))
    return found


# --- structure -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_parses_and_installs_the_package(name):
    lines = scripts(name)
    assert INSTALL in lines
    assert commands(name)


def test_github_workflow_uploads_the_sarif_it_writes():
    workflow = load("github-actions.yml")
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as True
    job = workflow["jobs"]["code-scanning"]
    assert job["permissions"]["security-events"] == "write"
    [scan] = [step for step in job["steps"] if step.get("name") == "Scan"]
    [upload] = [step for step in job["steps"] if "upload-sarif" in step.get("uses", "")]
    args = shlex.split(scan["run"])
    assert args[args.index("--format") + 1] == "sarif"
    assert args[args.index("--output") + 1] == upload["with"]["sarif_file"]
    assert "always()" in upload["if"]
    annotate = [step["run"] for step in workflow["jobs"]["annotations"]["steps"] if "run" in step]
    assert "flake8-celery-pickle --format github ." in annotate


def test_gitlab_job_attaches_the_report_it_writes():
    job = load("gitlab-ci.yml")["celery-pickle"]
    [scan] = [line for line in job["script"] if line.startswith("flake8-celery-pickle")]
    args = shlex.split(scan)
    assert args[args.index("--format") + 1] == "gitlab"
    assert args[args.index("--output") + 1] == job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    assert job["allow_failure"] == {"exit_codes": [1]}


def test_reviewdog_reads_rdjson_not_the_flake8_format():
    [(command, consumer)] = commands("reviewdog.yml")
    assert "--format rdjson" in command
    assert shlex.split(consumer)[:2] == ["reviewdog", "-f=rdjson"]
    assert "-f=flake8" not in consumer


SCHEMAS = {
    "github-actions.yml": "vendor.github-workflows",
    "reviewdog.yml": "vendor.github-workflows",
    "gitlab-ci.yml": "vendor.gitlab-ci",
}


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_validates_against_the_service_schema(name):
    """GitHub's and GitLab's published workflow schemas, as check-jsonschema vendors them."""
    checker = Path(sys.executable).parent / "check-jsonschema"
    if not checker.exists():
        pytest.skip("check-jsonschema is not installed in this environment")
    result = subprocess.run(
        [str(checker), "--builtin-schema", SCHEMAS[name], str(CI_DIR / name)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the commands, run -----------------------------------------------------------------------


def executable(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def run(command: str, tree: Path, tmp_path: Path) -> Tuple[int, str]:
    """Run ``command`` in a copy of ``tree``; return the exit code and the report text."""
    work = tmp_path / "repo"
    shutil.copytree(tree, work)
    args = shlex.split(command)
    args[0] = executable(args[0])
    result = subprocess.run(
        args,
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert "Traceback" not in result.stderr, result.stderr
    if "--output" in args:
        assert result.stdout == ""
        report = (work / args[args.index("--output") + 1]).read_text(encoding="utf-8")
    else:
        report = result.stdout
    return result.returncode, report


def findings(report: str, fmt: str) -> List[Tuple[str, int, str]]:
    """``(path, line, code)`` of every finding in a report of format ``fmt``."""
    if fmt == "sarif":
        document = json.loads(report)
        assert document["version"] == "2.1.0"
        [sarif_run] = document["runs"]
        return [
            (
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                result["locations"][0]["physicalLocation"]["region"]["startLine"],
                result["ruleId"],
            )
            for result in sarif_run["results"]
        ]
    if fmt == "gitlab":
        return [
            (
                issue["location"]["path"],
                issue["location"]["lines"]["begin"],
                issue["check_name"].split()[0],
            )
            for issue in json.loads(report)
        ]
    if fmt == "rdjson":
        document = json.loads(report)
        return [
            (d["location"]["path"], d["location"]["range"]["start"]["line"], d["code"]["value"])
            for d in document.get("diagnostics", [])
        ]
    if fmt == "github":
        rows = []
        for line in report.splitlines():
            if line.startswith("::notice title=flake8-celery-pickle::"):
                continue  # the closing summary line, not a finding
            match = re.match(
                r"::(error|warning|notice) file=([^,]+),line=(\d+),.*?title=(CPK\d{3}) ", line
            )
            assert match, line
            rows.append((match.group(2), int(match.group(3)), match.group(4)))
        return rows
    rows = []
    for line in report.splitlines():
        match = re.match(r"(?:\./)?(.+?):(\d+):\d+: (CPK\d{3}) ", line)
        assert match, line
        rows.append((match.group(1), int(match.group(2)), match.group(3)))
    return rows


def report_format(command: str) -> str:
    args = shlex.split(command)
    if args[0] == "flake8":
        return "text"
    return args[args.index("--format") + 1] if "--format" in args else "text"


ALL_COMMANDS = [
    pytest.param(command, id=f"{name}:{command}")
    for name in WORKFLOWS
    for command, _ in commands(name)
]


def expected_findings(tmp_path: Path) -> List[Tuple[str, int, str]]:
    """What the command's default text output reports over examples/vulnerable."""
    code, report = run("flake8-celery-pickle .", VULNERABLE, tmp_path / "expected")
    assert code == 1
    return sorted(findings(report, "text"))


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_command_reports_the_vulnerable_examples(command, tmp_path):
    code, report = run(command, VULNERABLE, tmp_path)
    assert code == 1
    got = sorted(findings(report, report_format(command)))
    if shlex.split(command)[0] == "flake8":
        # flake8 reports the Python checks only, one file at a time.
        assert got and {c for _, _, c in got} <= {c for _, _, c in expected_findings(tmp_path)}
    else:
        assert got == expected_findings(tmp_path)


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_command_is_clean_on_the_fixed_examples(command, tmp_path):
    code, report = run(command, FIXED, tmp_path)
    assert (code, findings(report, report_format(command))) == (0, [])
