"""Suppression comments: in-process ast-grep-ignore acts as in the CLI; noqa as in flake8."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_celery_pickle.config import pack_config_path, scan_text
from flake8_celery_pickle.config.suppress import noqa_suppresses, parse_ignore_ids

_BESIDE = Path(sys.executable).with_name("ast-grep")
AST_GREP = str(_BESIDE) if _BESIDE.exists() else shutil.which("ast-grep")

#: One key per case so that each line's fate is visible; (lines reported, 1-based).
IGNORE_CASES = """\
a1: pickle # ast-grep-ignore
# ast-grep-ignore
a2: pickle
a3: pickle # ast-grep-ignore: cpk001-yaml
a4: pickle # ast-grep-ignore: cpk002-yaml
a5: pickle # ast-grep-ignore: other, cpk001-yaml
a6:
  pickle
# ast-grep-ignore
a7:
  pickle
a8: pickle # foo ast-grep-ignore
a9: pickle # ast-grep-ignore: cpk001
b1: pickle # ast-grep-ignore:
b2: pickle # ast-grep-ignore cpk001-yaml
b3: pickle # ast-grep-ignore: cpk001-yaml -- reviewed
b4: pickle #ast-grep-ignore
b5: pickle # xast-grep-ignore
# ast-grep-ignore

b6: pickle
b7: "pickle # ast-grep-ignore"
accept_content: [json,
  pickle] # ast-grep-ignore
"""


def _serializer_doc() -> str:
    """The cases with every short key (``a1``, ``b7``...) turned into ``task_serializer``."""
    out = []
    for line in IGNORE_CASES.splitlines():
        head, sep, _ = line.partition(":")
        if sep and len(head) == 2 and head[0] in "ab":
            line = "task_serializer" + line[2:]
        out.append(line)
    return "\n".join(out) + "\n"


EXPECTED_LINES = [
    (5, "CPK001"),  # a4: other rule named
    (8, "CPK001"),  # a6: value on the next line, no comment
    (11, "CPK001"),  # a7: comment applies to the key's line, the value is one further
    (12, "CPK001"),  # a8: comment does not start with the marker
    (13, "CPK001"),  # a9: ids are exact
    (14, "CPK001"),  # b1: an empty id list suppresses nothing
    (18, "CPK001"),  # b5: xast-grep-ignore is not the marker
    (21, "CPK001"),  # b6: a blank line separates the comment from the key
    (24, "CPK002"),  # trailing comment applies to the line where its statement starts
]


def test_ast_grep_ignore_in_process():
    found = scan_text("ignore.yml", _serializer_doc())
    assert [(f.line, f.code) for f in found] == EXPECTED_LINES


@pytest.mark.skipif(AST_GREP is None, reason="the ast-grep CLI is not installed")
def test_ast_grep_ignore_matches_the_cli(tmp_path):
    (tmp_path / "ignore.yml").write_text(_serializer_doc(), encoding="utf-8")
    result = subprocess.run(
        [AST_GREP, "scan", "-c", str(pack_config_path()), "--json=compact", "ignore.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    cli = sorted(
        (m["range"]["start"]["line"] + 1, m["ruleId"].split("-")[0].upper())
        for m in json.loads(result.stdout)
        if m["ruleId"] != "unused-suppression"
    )
    assert cli == EXPECTED_LINES


def test_file_level_ignore():
    text = "# ast-grep-ignore\n\ntask_serializer: pickle\naccept_content: [pickle]\n"
    assert scan_text("a.yml", text) == []
    text = "# ast-grep-ignore: cpk002-yaml\n\ntask_serializer: pickle\naccept_content: [pickle]\n"
    assert [f.code for f in scan_text("a.yml", text)] == ["CPK001"]


@pytest.mark.parametrize(
    "path,text,lines",
    [
        (
            "a.yml",
            "task_serializer: pickle  # noqa: CPK001\naccept_content: [pickle]  # noqa\n",
            [],
        ),
        ("a.yml", "task_serializer: pickle  # noqa: CPK002\n", [1]),
        ("a.yml", "task_serializer: pickle  # NOQA:CPK0\n", []),
        (
            ".env",
            "CELERY_TASK_SERIALIZER=pickle # noqa: CPK001\nCELERY_ACCEPT_CONTENT=pickle\n",
            [2],
        ),
        ("main.tf", 'task_serializer = "pickle" # noqa: CPK001\n', []),
        ("x.toml", 'task_serializer = "pickle"  # noqa: CPK001\n', []),
        ("x.toml", '# ast-grep-ignore: cpk001-toml\ntask_serializer = "pickle"\n', []),
        ("x.toml", '# ast-grep-ignore: cpk001-yaml\na = 1\ntask_serializer = "pickle"\n', [3]),
        ("x.ini", "[celery]\n# ast-grep-ignore: cpk001-ini\ntask_serializer = pickle\n", []),
        ("x.ini", "[celery]\n; ast-grep-ignore\ntask_serializer = pickle\n", []),
        ("x.ini", "[celery]\n# ast-grep-ignore: cpk002-ini\ntask_serializer = pickle\n", [3]),
        # JSON has no comments: a noqa marker in a string is text, not a suppression.
        ("a.json", '{"task_serializer": "pickle", "note": "# noqa"}', [1]),
    ],
)
def test_noqa_and_line_suppressions(path, text, lines):
    assert [f.line for f in scan_text(path, text)] == lines


@pytest.mark.parametrize(
    "comment,ids",
    [
        ("# ast-grep-ignore", None),
        ("# ast-grep-ignore   ", None),
        ("# ast-grep-ignore foo", None),
        ("# ast-grep-ignore: a", frozenset({"a"})),
        ("# ast-grep-ignore: a, b", frozenset({"a", "b"})),
        ("# ast-grep-ignore:a,b", frozenset({"a", "b"})),
        ("# ast-grep-ignore: a -- why", frozenset({"a"})),
        ("# ast-grep-ignore:", frozenset({""})),
    ],
)
def test_parse_ignore_ids(comment, ids):
    assert parse_ignore_ids(comment) == ids


@pytest.mark.parametrize(
    "line,code,suppressed",
    [
        ("x  # noqa", "CPK001", True),
        ("x  # noqa: CPK001", "CPK001", True),
        ("x  # noqa:CPK0", "CPK002", True),
        ("x  # noqa: E501", "CPK001", False),
        ("x  # noqa: CPK002,CPK003", "CPK003", True),
        ("x", "CPK001", False),
    ],
)
def test_noqa_follows_flake8(line, code, suppressed):
    assert noqa_suppresses(line, code) is suppressed
