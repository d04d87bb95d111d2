"""``flake8 --select CPK examples/`` from the repository root, exactly as issue 2 and the README
promise: every annotated line of the vulnerable project and nothing else; the fixed twin is
silent.

The annotations are trailing comments (``# CPK001``) on the offending lines; the columns are
checked separately by the fixture files (``tests/test_fixtures.py``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List, Set, Tuple

from test_cli_support import EXAMPLES, annotated

ROOT = EXAMPLES.parent
RESULT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


def flake8(*targets: str) -> Tuple[int, List[str], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "CPK", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def python_annotations(root: Path) -> Set[Tuple[str, int, str]]:
    return {
        (f"examples/{path}", line, code)
        for path, line, code in annotated(root)
        if path.endswith(".py")
    }


def test_vulnerable_project_reports_exactly_the_annotated_lines() -> None:
    code, lines, err = flake8("examples/")
    assert code == 1, err
    got = set()
    for line in lines:
        match = RESULT.match(line)
        assert match, line
        got.add((match["path"], int(match["line"]), match["code"]))
    assert len(got) == len(lines)  # one result per annotated code, no duplicates
    assert got == python_annotations(EXAMPLES / "vulnerable")
    assert len(got) >= 20


def test_fixed_project_is_silent() -> None:
    assert flake8("examples/fixed/") == (0, [], "")


def test_the_fixed_twin_mirrors_the_vulnerable_project() -> None:
    vulnerable = sorted(p.name for p in (EXAMPLES / "vulnerable" / "proj").glob("*.py"))
    fixed = sorted(p.name for p in (EXAMPLES / "fixed" / "proj").glob("*.py"))
    assert vulnerable == fixed
    assert python_annotations(EXAMPLES / "fixed") == set()
