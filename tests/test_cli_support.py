"""Shared helpers for the command's end-to-end tests (holds no tests itself)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flake8_celery_pickle.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SCHEMA = REPO / ".." / "shared" / "data" / "sarif-schema-2.1.0.json"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_main(args: Sequence[str], cwd: Path, capsys: Any, monkeypatch: Any) -> Result:
    """Run the command in-process from ``cwd``."""
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def command() -> Sequence[str]:
    """The installed console script when it sits beside this interpreter, else ``-m``."""
    script = Path(sys.executable).with_name("flake8-celery-pickle")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flake8_celery_pickle"]


def run_process(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None, module: bool = False
) -> Result:
    """Run the command as a subprocess (the console script, or ``python -m``)."""
    argv = [sys.executable, "-m", "flake8_celery_pickle"] if module else list(command())
    full_env = dict(os.environ, **(env or {}))
    done = subprocess.run(
        [*argv, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def where(doc: dict[str, Any], columns: bool = False) -> dict[str, list[str]]:
    """A JSON report by path: ``CODE@line`` (or ``CODE@line:column``), skips and errors."""
    seen: dict[str, list[str]] = {}
    for f in doc["findings"]:
        at = f"{f['line']}:{f['column']}" if columns else f"{f['line']}"
        seen.setdefault(f["path"], []).append(f"{f['code']}@{at}")
    for s in doc["skipped"]:
        seen.setdefault(s["path"], []).append(f"skipped: {s['reason']}")
    for e in doc["errors"]:
        seen.setdefault(e["path"], []).append(f"error: {e['message']}")
    return seen


def write(root: Path, files: dict[str, Any]) -> None:
    """Create ``files`` (relative path -> str or bytes) under ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


#: A trailing comment naming the codes a line must report: ``# CPK001``, ``// CPK002, CPK005``.
_ANNOTATION = re.compile(r"(?:#|//|;)\s*((?:CPK\d{3}[\s,]*)+)$")


def annotated(root: Path) -> set:
    """(path relative to examples/, line, code) from trailing comments and expected-findings.txt."""
    expected = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(EXAMPLES).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name == "expected-findings.txt":
            base = path.parent.relative_to(EXAMPLES).as_posix()
            for match in re.finditer(r"^(\S+):(\d+) (CPK\d{3})$", text, re.MULTILINE):
                expected.add((f"{base}/{match[1]}", int(match[2]), match[3]))
            continue
        for number, line in enumerate(text.splitlines(), 1):
            found = _ANNOTATION.search(line.rstrip())
            if found:
                expected.update((rel, number, code) for code in re.findall(r"CPK\d{3}", found[1]))
    return expected
