"""The pre-commit hooks in .pre-commit-hooks.yaml, run the way a user runs them.

``pre-commit try-repo`` builds the hooks' virtualenvs from a git repository of this project (a
temporary copy of the working tree with every current file committed, so uncommitted work is
tested too) and runs every hook over a temporary target repository: each must fail on files with
pickle and pass once they are fixed. try-repo builds its environments afresh on every call (two:
the config hook adds ast-grep-py), so the suite calls it twice in all; pip's cache keeps each
build to seconds. The package index must be reachable, as for any pre-commit hook install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from flake8_celery_pickle.codes import BY_CODE, RULES
from flake8_celery_pickle.vocabulary import SERIALIZER_RISK

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

BAD_PY = "# Celery settings\n\ntask_serializer = 'pickle'\naccept_content = ['json']\n"
FIXED_PY = "# Celery settings\n\ntask_serializer = 'json'\naccept_content = ['json']\n"
CPK001_LINE = "app/celeryconfig.py:3:19: " + BY_CODE["CPK001"].text(
    setting="task_serializer", value="pickle", risk=SERIALIZER_RISK["task_serializer"]
)


def hooks() -> Dict[str, dict]:
    with MANIFEST.open(encoding="utf-8") as handle:
        return {hook["id"]: hook for hook in yaml.safe_load(handle)}


def pre_commit_exe() -> List[str]:
    return [sys.executable, "-m", "pre_commit"]


def git(args: List[str], cwd: Path) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


# --- the manifest itself ------------------------------------------------------------------------


def test_manifest_validates_with_pre_commit():
    result = subprocess.run(
        [*pre_commit_exe(), "validate-manifest", str(MANIFEST)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_has_the_documented_hooks():
    assert list(hooks()) == ["celery-pickle", "celery-pickle-config", "celery-pickle-flake8"]
    for hook in hooks().values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True


def test_flake8_hook_selects_exactly_the_default_codes():
    entry = hooks()["celery-pickle-flake8"]["entry"].split()
    assert entry[0] == "flake8"
    [select] = [arg for arg in entry[1:] if arg.startswith("--select=")]
    prefixes = tuple(select.split("=", 1)[1].split(","))
    selected = {rule.code for rule in RULES if rule.code.startswith(prefixes)}
    python_default = {
        rule.code for rule in RULES if rule.default_enabled and "python" in rule.engines
    }
    assert selected == python_default
    assert "CPK010" not in selected


CONFIG_FILES = [
    ".env",
    "deploy/.env",
    ".env.production",
    "prod.env",
    "Procfile",
    "Procfile.dev",
    "docker-compose.yml",
    "k8s/worker.yaml",
    "ecs/task-definition.json",
    "bin/start-worker.sh",
    "Dockerfile",
    "docker/Dockerfile.worker",
    "worker.Dockerfile",
    "Containerfile",
    "infra/main.tf",
    "infra/celery.hcl",
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "development.ini",
    "bin/start.zsh",
    "bin/start.ksh",
    "infra/prod.tfvars",
    "deploy/celery.service",
    "etc/default/celeryd",
    "etc/default/celerybeat",
    "extra/supervisord/celeryd.conf",
    "etc/supervisord.conf",
]
NOT_CONFIG_FILES = [
    "app.py",
    "README.md",
    "notes.txt",
    "envoy.py",
    "requirements.txt",
    "Makefile",
    ".envrc",
]


@pytest.mark.parametrize("path", CONFIG_FILES)
def test_config_hook_matches_config_files(path):
    assert re.search(hooks()["celery-pickle-config"]["files"], path)


@pytest.mark.parametrize("path", NOT_CONFIG_FILES)
def test_config_hook_skips_other_files(path):
    assert not re.search(hooks()["celery-pickle-config"]["files"], path)


def test_config_hook_passes_every_kind_of_file_the_command_reads():
    """The other direction: no file kind the command reads is left out of the hook."""
    from flake8_celery_pickle.config.languages import (
        _SUFFIXES,
        INIT_SCRIPT_NAMES,
        SUPERVISOR_NAMES,
        language_for,
    )

    pattern = hooks()["celery-pickle-config"]["files"]
    samples = [f"deploy/sample{suffix}" for suffix in _SUFFIXES] + [
        f"etc/{name}" for name in INIT_SCRIPT_NAMES + SUPERVISOR_NAMES
    ]
    for sample in samples:
        assert language_for(sample) is not None, sample
        assert re.search(pattern, sample), sample


def test_command_scans_every_file_the_config_hook_passes(tmp_path):
    """The hook's file pattern promises nothing the command would skip."""
    for name in CONFIG_FILES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# nothing here\n")
    command = Path(sys.executable).parent / "flake8-celery-pickle"
    result = subprocess.run(
        [str(command), "--format", "json", "--no-project", *CONFIG_FILES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert report["skipped"] == []
    assert report["files"] == {"scanned": len(CONFIG_FILES), "skipped": 0, "errors": 0}
    assert result.returncode == 0


# --- try-repo ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    """A git repository holding this project's current files, all committed."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        .stdout.decode("utf-8")
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if not source.is_file():  # deleted but still in the index
            continue
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(["init", "-q"], repo)
    git(["add", "-A"], repo)
    git(["commit", "-q", "-m", "snapshot"], repo)
    return repo


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A user's repository with a settings module that uses pickle (staged, not committed)."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "celeryconfig.py").write_text(BAD_PY)
    (tmp_path / "app" / "tasks.py").write_text("def add(x, y):\n    return x + y\n")
    git(["init", "-q"], tmp_path)
    git(["add", "-A"], tmp_path)
    return tmp_path


# --- all hooks at once: Python and configuration files through the command --------------------

BAD_ENV = "CELERY_TASK_SERIALIZER=pickle\n"
FIXED_ENV = "CELERY_TASK_SERIALIZER=json\n"
BAD_COMPOSE = "services:\n  worker:\n    environment:\n      CELERY_ACCEPT_CONTENT: json,pickle\n"
FIXED_COMPOSE = "services:\n  worker:\n    environment:\n      CELERY_ACCEPT_CONTENT: json\n"


def hook_outputs(stdout: str) -> Dict[str, List[str]]:
    """Finding lines printed under each hook id in pre-commit's output."""
    outputs: Dict[str, List[str]] = {}
    current = None
    for line in stdout.splitlines():
        match = re.match(r"- hook id: (\S+)$", line)
        if match:
            current = outputs.setdefault(match.group(1), [])
        elif current is not None and re.match(r"\S+:\d+:\d+: CPK\d{3} ", line):
            current.append(line)
    return outputs


def test_all_hooks_fail_on_pickle_then_pass_when_fixed(hook_repo, pre_commit_home, target):
    (target / ".env").write_text(BAD_ENV)
    (target / "docker-compose.yml").write_text(BAD_COMPOSE)
    git(["add", "-A"], target)
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    args = [*pre_commit_exe(), "try-repo", str(hook_repo), "--all-files", "--color=never"]
    result = subprocess.run(args, cwd=target, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout + result.stderr
    env_risk = SERIALIZER_RISK["task_serializer"]
    assert hook_outputs(result.stdout) == {
        "celery-pickle": [CPK001_LINE],
        "celery-pickle-config": [
            ".env:1:24: "
            + BY_CODE["CPK001"].text(
                setting="CELERY_TASK_SERIALIZER", value="pickle", risk=env_risk
            ),
            "docker-compose.yml:4:30: "
            + BY_CODE["CPK002"].text(setting="CELERY_ACCEPT_CONTENT", value="pickle"),
        ],
        "celery-pickle-flake8": [CPK001_LINE],
    }

    (target / "app" / "celeryconfig.py").write_text(FIXED_PY)
    (target / ".env").write_text(FIXED_ENV)
    (target / "docker-compose.yml").write_text(FIXED_COMPOSE)
    git(["add", "-A"], target)
    result = subprocess.run(args, cwd=target, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("python", "config files", "flake8"):
        assert re.search(rf"^celery pickle \({name}\)\.+Passed$", result.stdout, flags=re.M), name


# --- the README's flake8-hook recipe -------------------------------------------------------------


def test_flake8_hook_with_additional_dependencies(hook_repo, pre_commit_home, target):
    """The README's recipe, with flake8's hook definition as a local hook (no network).

    PyCQA/flake8's own hook is ``entry: flake8``, ``language: python``, ``types: [python]``,
    ``require_serial: true``; the plugin comes in through ``additional_dependencies``.
    """
    from importlib.metadata import version

    config = {
        "repos": [
            {
                "repo": "local",
                "hooks": [
                    {
                        "id": "flake8",
                        "name": "flake8",
                        "entry": "flake8",
                        "language": "python",
                        "types": ["python"],
                        "require_serial": True,
                        "additional_dependencies": [f"flake8=={version('flake8')}", str(hook_repo)],
                    }
                ],
            }
        ]
    }
    (target / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(["add", "-A"], target)
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    args = [*pre_commit_exe(), "run", "--all-files", "--color=never"]
    result = subprocess.run(args, cwd=target, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout + result.stderr
    assert hook_outputs(result.stdout) == {"flake8": [CPK001_LINE]}
