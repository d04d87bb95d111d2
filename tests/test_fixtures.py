"""Fixture files: every annotated line yields exactly its codes and columns; nothing else.

An offending line ends with ``# CPK001:19`` (code and flake8's 1-based column; several
separated by spaces). Every other line, the traps of codes.md included, must stay silent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_celery_pickle.python import check_source, may_hold_finding

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*((?:CPK\d{3}:\d+\s*)+)$")


def expected(path: Path) -> set[tuple[int, int, str]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for item in match.group(1).split():
                code, column = item.split(":")
                found.add((number, int(column), code))
    return found


def actual(path: Path) -> set[tuple[int, int, str]]:
    source = path.read_text(encoding="utf-8")
    return {(f.line, f.col + 1, f.code) for f in check_source(source)}


FILES = sorted(FIXTURES.glob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_fixture_findings_are_exactly_the_annotated_ones(path: Path) -> None:
    assert actual(path) == expected(path)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_gate_lets_every_fixture_through(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if expected(path):
        assert may_hold_finding(text)
        assert may_hold_finding(text.splitlines(keepends=True))


def test_every_code_of_the_python_checker_has_a_fixture() -> None:
    from flake8_celery_pickle.codes import RULES

    covered = {code for path in FILES for _, _, code in expected(path)}
    wanted = {r.code for r in RULES if "python" in r.engines and r.scope == "file"}
    assert wanted <= covered
