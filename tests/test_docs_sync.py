"""The README's rule reference is the code table, rendered; the CHANGELOG names every code.

Also covers the renderer itself (flake8_celery_pickle/docs.py): GitHub's heading slugs, the
section layout, and the ``--check`` / ``--write`` command the README and CI use.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_celery_pickle import docs
from flake8_celery_pickle.codes import RULES

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CHANGELOG = ROOT / "CHANGELOG.md"


# --- the repository's files are in step -----------------------------------------------------


def test_readme_rules_block_equals_the_render():
    text = README.read_text(encoding="utf-8")
    assert docs.current_block(text) == docs.render()


def test_readme_check_command_passes():
    # The command the README's development notes and CI run.
    result = subprocess.run(
        [sys.executable, "-m", "flake8_celery_pickle.docs", "--check", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_readme_anchors_reach_every_rule_section():
    anchors = docs.heading_anchors(README.read_text(encoding="utf-8"))
    for rule in RULES:
        assert anchors.count(rule.anchor) == 1, rule.code


def _changelog_codes(text: str) -> set:
    """Codes the changelog names, singly (``CPK001``) or as ranges (``CPK000-CPK011``)."""
    found = set()
    for first, last in re.findall(r"\b(CPK\d{3})(?:\s*[-\u2013]\s*(CPK\d{3}))?\b", text):
        low = int(first[3:])
        high = int(last[3:]) if last else low
        found.update(f"CPK{n:03d}" for n in range(low, high + 1))
    return found


def test_changelog_mentions_every_code():
    mentioned = _changelog_codes(CHANGELOG.read_text(encoding="utf-8"))
    missing = [rule.code for rule in RULES if rule.code not in mentioned]
    assert missing == []


def test_changelog_code_reader():
    assert _changelog_codes("- CPK001, CPK003: x\n- CPK008-CPK010: y") == {
        "CPK001",
        "CPK003",
        "CPK008",
        "CPK009",
        "CPK010",
    }


# --- GitHub slugs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("CPK001 pickle-serializer-setting", "cpk001-pickle-serializer-setting"),
        ("Why is this bad?", "why-is-this-bad"),
        ("Use `extend-select` with select", "use-extend-select-with-select"),
        ("Options", "options"),
        ("GitHub Actions: SARIF & annotations", "github-actions-sarif--annotations"),
        ("snake_case stays", "snake_case-stays"),
    ],
)
def test_github_slug(heading, slug):
    assert docs.github_slug(heading) == slug


def test_heading_anchors_deduplicate_and_skip_fences():
    markdown = "# A\n\n## Example\n\n```sh\n# not a heading\n```\n\n## Example\n### Example ###\n"
    assert docs.heading_anchors(markdown) == ["a", "example", "example-1", "example-2"]


# --- the rendered block -------------------------------------------------------------------------


def test_render_has_one_table_row_per_code_in_order():
    rows = [line for line in docs.render().splitlines() if line.startswith("| [CPK")]
    assert [row.split("]")[0][3:] for row in rows] == [rule.code for rule in RULES]
    cpk010 = rows[[rule.code for rule in RULES].index("CPK010")]
    assert cpk010.split(" | ")[3:5] == ["note", "no"]


def _section(rendered: str, code: str) -> str:
    start = rendered.index(f"\n### {code} ")
    end = rendered.find("\n### ", start + 1)
    return rendered[start:] if end < 0 else rendered[start:end]


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.code) for r in RULES])
def test_each_section_has_ruff_subsections_in_order(rule):
    section = _section(docs.render(), rule.code)
    headings = re.findall(r"^#### (.+)$", section, flags=re.M)
    assert headings == list(docs.SUBSECTIONS)
    assert f"Message: `{rule.text(**rule.example_args)}`" in section
    assert rule.what in section and rule.why in section
    for title, url in rule.references:
        assert f"- [{title}]({url})" in section


def test_examples_are_fenced_python_except_project_scope():
    rendered = docs.render()
    assert "```python\ntask_serializer = 'pickle'\n" in _section(rendered, "CPK001")
    assert "```text\n# requirements.txt\ncelery==3.1.26\n```" in _section(rendered, "CPK011")


def test_table_cells_escape_pipes():
    assert docs._cell("a | b\nc") == "a \\| b c"


# --- --check and --write ------------------------------------------------------------------------

SKELETON = "# Title\n\nintro\n\n<!-- rules:start -->\nold text\n<!-- rules:end -->\n\ntail\n"


def test_replace_block_keeps_everything_outside_the_markers():
    updated = docs.replace_block(SKELETON, "NEW\n")
    assert updated == "# Title\n\nintro\n\n<!-- rules:start -->\nNEW\n<!-- rules:end -->\n\ntail\n"
    assert docs.current_block(updated) == "NEW\n"


@pytest.mark.parametrize(
    "document",
    [
        "no markers at all\n",
        "<!-- rules:start -->\n",
        "<!-- rules:end -->\n<!-- rules:start -->\n",
        "<!-- rules:start -->\n<!-- rules:start -->\n<!-- rules:end -->\n",
    ],
)
def test_bad_markers_are_refused(document):
    with pytest.raises(docs.MarkerError):
        docs.current_block(document)


def test_check_reports_stale_block_with_a_diff(tmp_path, capsys):
    target = tmp_path / "README.md"
    target.write_text(SKELETON, encoding="utf-8")
    assert docs.main(["--check", str(target)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"--- {target} (rules block)\n+++ {target} (rendered)\n")
    assert "\n-old text\n" in out
    assert "\n+### CPK001 pickle-serializer-setting\n" in out
    assert "stale" in err
    assert target.read_text(encoding="utf-8") == SKELETON


def test_write_then_check_is_clean_and_idempotent(tmp_path, capsys):
    target = tmp_path / "README.md"
    target.write_text(SKELETON, encoding="utf-8")
    assert docs.main(["--write", str(target)]) == 0
    written = target.read_text(encoding="utf-8")
    assert written.startswith("# Title\n\nintro\n\n<!-- rules:start -->\n<!-- Generated")
    assert written.endswith("<!-- rules:end -->\n\ntail\n")
    assert docs.main(["--write", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == written
    assert docs.main(["--check", str(target)]) == 0
    assert capsys.readouterr() == ("", "")


def test_missing_markers_and_missing_file_exit_2(tmp_path, capsys):
    target = tmp_path / "README.md"
    target.write_text("nothing here\n", encoding="utf-8")
    assert docs.main(["--check", str(target)]) == 2
    assert docs.main(["--write", str(target)]) == 2
    assert docs.main(["--check", str(tmp_path / "absent.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("expected one <!-- rules:start -->") == 2
    assert target.read_text(encoding="utf-8") == "nothing here\n"


def test_check_and_write_are_exclusive_and_required(capsys):
    with pytest.raises(SystemExit) as exc:
        docs.main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        docs.main(["--check", "a", "--write", "b"])
    assert exc.value.code == 2
