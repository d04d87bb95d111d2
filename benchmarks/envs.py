"""Tool environments for the benchmark: one virtualenv per side, pinned, cached.

* ``bare``: only flake8;
* ``plugin``: the same flake8 plus this project, installed (not editable) from a snapshot of the
  checkout, so that flake8 finds the plugin through its entry point as a user's would;
* ``ruff`` and ``bandit``: the peers of the command.

A stamp file in each environment records what was installed; an environment whose stamp still
matches is reused, and the plugin environment is reinstalled when the project's sources change.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

Log = Callable[[str], None]

#: Pinned tool versions (the versions of docs/perf-baseline's peers).
FLAKE8 = "flake8==7.5.0"
RUFF = "ruff==0.17.6"
BANDIT = "bandit==1.9.4"

#: The project files a non-editable install needs (copied to the cache, then installed).
PROJECT_FILES: Tuple[str, ...] = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in")
PROJECT_PACKAGE = "flake8_celery_pickle"

STAMP = ".benchmark-stamp.json"


@dataclass(frozen=True)
class Env:
    """A created virtualenv."""

    name: str
    path: Path

    def bin(self, command: str) -> str:
        scripts = "Scripts" if sys.platform == "win32" else "bin"
        suffix = ".exe" if sys.platform == "win32" else ""
        return str(self.path / scripts / (command + suffix))

    @property
    def python(self) -> str:
        return self.bin("python")

    def has(self, command: str) -> bool:
        return Path(self.bin(command)).exists()


def project_fingerprint(repo: Path) -> str:
    """A hash of everything in the checkout that goes into the installed package."""
    digest = hashlib.sha256()
    paths = [repo / name for name in PROJECT_FILES if (repo / name).is_file()]
    paths += sorted(
        p
        for p in (repo / PROJECT_PACKAGE).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    for path in paths:
        digest.update(str(path.relative_to(repo)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _snapshot_project(repo: Path, dest: Path) -> Path:
    """Copy the files a build needs into ``dest`` (so the build never writes into the checkout)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        if (repo / name).is_file():
            shutil.copy2(repo / name, dest / name)
    shutil.copytree(
        repo / PROJECT_PACKAGE,
        dest / PROJECT_PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return dest


def _read_stamp(path: Path) -> Dict[str, object]:
    try:
        return json.loads((path / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_stamp(path: Path, stamp: Dict[str, object]) -> None:
    (path / STAMP).write_text(json.dumps(stamp, indent=2), encoding="utf-8")


def _create(path: Path, requirements: Sequence[str], log: Log) -> Env:
    log(f"creating environment {path.name}: {' '.join(requirements)}")
    if path.exists():
        shutil.rmtree(path)
    run_quiet([sys.executable, "-m", "venv", str(path)])
    env = Env(path.name, path)
    _pip(env, ["install", "--quiet", "--upgrade", "pip"])
    _pip(env, ["install", "--quiet", *requirements])
    return env


def run_quiet(cmd: Sequence[str]) -> None:
    """Run a set-up command, showing its output only when it fails."""
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")


def _pip(env: Env, args: List[str]) -> None:
    run_quiet([env.python, "-m", "pip", "--disable-pip-version-check", *args])


def pip_command(env: Env) -> List[str]:
    """How to run pip inside ``env`` (used for downloading the corpus)."""
    return [env.python, "-m", "pip", "--disable-pip-version-check"]


def ensure_tool_env(cache: Path, name: str, requirements: Sequence[str], log: Log) -> Env:
    """A virtualenv with exactly ``requirements``, reused when its stamp matches."""
    path = cache / "envs" / name
    stamp = {"python": sys.version, "requirements": list(requirements)}
    if _read_stamp(path) == stamp and (path / "bin").is_dir():
        return Env(name, path)
    env = _create(path, requirements, log)
    _write_stamp(path, stamp)
    return env


def ensure_plugin_env(cache: Path, repo: Path, log: Log) -> Env:
    """flake8 plus this project from the checkout; reinstalls the project when it changed."""
    path = cache / "envs" / "plugin"
    fingerprint = project_fingerprint(repo)
    base = {"python": sys.version, "requirements": [FLAKE8]}
    old = _read_stamp(path)
    env = Env("plugin", path)
    if {k: old.get(k) for k in base} != base or not (path / "bin").is_dir():
        env = _create(path, [FLAKE8], log)
        old = {}
    if old.get("project") != fingerprint:
        log("installing this project from the checkout into the plugin environment")
        source = _snapshot_project(repo, cache / "project-snapshot")
        # Its runtime dependencies first (flake8 stays at the pinned version), then the project
        # itself again, so that an unchanged version number still gets the new sources.
        _pip(env, ["install", "--quiet", str(source), FLAKE8])
        _pip(env, ["install", "--quiet", "--force-reinstall", "--no-deps", str(source)])
    _write_stamp(path, {**base, "project": fingerprint})
    return env


def ensure_all(cache: Path, repo: Path, log: Log) -> Dict[str, Env]:
    """Every environment the benchmark uses, by name."""
    return {
        "bare": ensure_tool_env(cache, "bare", [FLAKE8], log),
        "plugin": ensure_plugin_env(cache, repo, log),
        "ruff": ensure_tool_env(cache, "ruff", [RUFF], log),
        "bandit": ensure_tool_env(cache, "bandit", [BANDIT], log),
    }


def versions(envs: Dict[str, Env]) -> Dict[str, str]:
    """Installed versions of the tools, as their own ``--version`` prints them (first line)."""
    out: Dict[str, str] = {}
    probes = {
        "flake8": (envs["bare"], ["flake8", "--version"]),
        "ruff": (envs["ruff"], ["ruff", "--version"]),
        "bandit": (envs["bandit"], ["bandit", "--version"]),
    }
    for label, (env, cmd) in probes.items():
        try:
            text = subprocess.run(
                [env.bin(cmd[0]), *cmd[1:]], capture_output=True, text=True, check=False
            ).stdout
        except OSError:
            text = ""
        out[label] = text.strip().splitlines()[0] if text.strip() else "unknown"
    return out
