"""Render the README rule reference from the code table, and keep the README in step with it.

The block between ``<!-- rules:start -->`` and ``<!-- rules:end -->`` in README.md is generated:
a summary table, then one section per code with ruff's subsections (What it does, Why is this
bad?, Example, Use instead, References). Each section's heading is ``### CPK001 <name>``, whose
GitHub anchor is exactly :attr:`Rule.anchor`, so the ``url`` every output links to lands on it.

Usage::

    python -m flake8_celery_pickle.docs --check README.md   # exit 1 and print a diff if stale
    python -m flake8_celery_pickle.docs --write README.md   # rewrite the block in place

Standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from flake8_celery_pickle.codes import RULES, Rule

START_MARKER = "<!-- rules:start -->"
END_MARKER = "<!-- rules:end -->"

#: Subsection headings, in order, as ruff's rule pages name them.
SUBSECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")

_ENGINE_NAMES = {
    "python": "Python",
    "config": "config files",
    "project": "project scan",
}

#: What the engine names in the table mean, shown above it.
_ENGINE_NOTE = (
    "Engines: *Python* findings come from the flake8 plugin and from the `flake8-celery-pickle` "
    "command alike; *config files* findings (YAML, JSON, shell, `.env`, Dockerfile, HCL, TOML, "
    "INI) come from the command and the packaged ast-grep rules; *project scan* findings need "
    "the command's view of the whole project."
)


class MarkerError(ValueError):
    """The document lacks the rules markers, or has them out of order or twice."""


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading (before de-duplication).

    Lower case; every character that is not a letter, digit, space, hyphen or underscore is
    dropped; each space becomes a hyphen.
    """
    lowered = heading.strip().lower()
    kept = re.sub(r"[^\w\- ]", "", lowered)
    return kept.replace(" ", "-")


def heading_anchors(markdown: str) -> List[str]:
    """The anchors of every ATX heading of a document, de-duplicated as GitHub does.

    A repeated slug gets ``-1``, ``-2`` ... appended. Headings inside fenced code blocks are not
    headings.
    """
    seen: Dict[str, int] = {}
    anchors: List[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        match = None if in_fence else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match is None:
            continue
        slug = github_slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.append(slug if count == 0 else f"{slug}-{count}")
    return anchors


def rule_heading(rule: Rule) -> str:
    """The heading text of a rule's section: ``CPK001 pickle-serializer-setting``."""
    return f"{rule.code} {rule.name}"


def _cell(text: str) -> str:
    """Text that is safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _engines(rule: Rule) -> str:
    return ", ".join(_ENGINE_NAMES.get(engine, engine) for engine in rule.engines)


def _on_by_default(rule: Rule) -> str:
    if not rule.default_enabled:
        return "no"
    if rule.scope == "project":
        return "yes (whole-project scan)"
    return "yes"


def _example_language(rule: Rule) -> str:
    """Project-scope examples are dependency files, not Python."""
    return "text" if rule.scope == "project" else "python"


def _fence(code: str, language: str) -> List[str]:
    return [f"```{language}", code.rstrip("\n"), "```"]


def render_table(rules: Sequence[Rule] = RULES) -> List[str]:
    """The summary table, one row per code, each code linking to its section."""
    lines = [
        "| code | name | summary | severity | on by default | engines |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        cells = (
            f"[{rule.code}](#{rule.anchor})",
            f"`{rule.name}`",
            _cell(rule.summary),
            rule.severity,
            _on_by_default(rule),
            _cell(_engines(rule)),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_rule(rule: Rule) -> List[str]:
    """One rule's section: heading, facts, then ruff's five subsections."""
    what, why, example, use_instead, references = SUBSECTIONS
    lines = [
        f"### {rule_heading(rule)}",
        "",
        f"Message: `{rule.text(**rule.example_args)}`",
        "",
        f"Severity: {rule.severity}. On by default: {_on_by_default(rule)}. "
        f"Engines: {_engines(rule)}.",
        "",
        f"#### {what}",
        "",
        rule.what,
        "",
        f"#### {why}",
        "",
        rule.why,
        "",
        f"#### {example}",
        "",
        *_fence(rule.example, _example_language(rule)),
        "",
        f"#### {use_instead}",
        "",
        *_fence(rule.use_instead, _example_language(rule)),
        "",
        f"#### {references}",
        "",
    ]
    lines.extend(f"- [{title}]({url})" for title, url in rule.references)
    return lines


def render(rules: Sequence[Rule] = RULES) -> str:
    """The whole generated block (without the markers), ending with a newline."""
    lines = [
        "<!-- Generated from flake8_celery_pickle/codes.py by "
        "`python -m flake8_celery_pickle.docs --write README.md`; do not edit by hand. -->",
        "",
        _ENGINE_NOTE,
        "",
        *render_table(rules),
    ]
    for rule in rules:
        lines.append("")
        lines.extend(render_rule(rule))
    return "\n".join(lines) + "\n"


def _marker_positions(document: str) -> Tuple[int, int]:
    starts = document.count(START_MARKER)
    ends = document.count(END_MARKER)
    if starts != 1 or ends != 1:
        raise MarkerError(
            f"expected one {START_MARKER} and one {END_MARKER}, found {starts} and {ends}"
        )
    start = document.index(START_MARKER) + len(START_MARKER)
    end = document.index(END_MARKER)
    if end < start:
        raise MarkerError(f"{END_MARKER} comes before {START_MARKER}")
    return start, end


def current_block(document: str) -> str:
    """The text between the markers, without the newline that follows the start marker."""
    start, end = _marker_positions(document)
    block = document[start:end]
    return block[1:] if block.startswith("\n") else block


def replace_block(document: str, rendered: Optional[str] = None) -> str:
    """``document`` with the text between the markers replaced by ``rendered``."""
    start, end = _marker_positions(document)
    body = render() if rendered is None else rendered
    return document[:start] + "\n" + body + document[end:]


def diff(document: str, path: str = "README.md") -> List[str]:
    """Unified diff lines from the README's block to the fresh render (empty when in step)."""
    old = current_block(document).splitlines(keepends=True)
    new = render().splitlines(keepends=True)
    return list(difflib.unified_diff(old, new, f"{path} (rules block)", f"{path} (rendered)"))


def _read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def main(argv: Optional[Iterable[str]] = None) -> int:
    """Entry point of ``python -m flake8_celery_pickle.docs``.

    Exit codes: 0 in step (or written), 1 stale (``--check``), 2 no markers or unreadable file.
    """
    parser = argparse.ArgumentParser(
        prog="python -m flake8_celery_pickle.docs",
        description="Render the rule reference from the code table into a README.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", metavar="FILE", help="exit 1 with a diff if FILE is stale")
    action.add_argument("--write", metavar="FILE", help="rewrite the rules block of FILE")
    args = parser.parse_args(None if argv is None else list(argv))
    path = args.check or args.write
    try:
        document = _read(path)
        if args.check:
            lines = diff(document, path)
            if lines:
                sys.stdout.writelines(lines)
                print(
                    f"{path}: the rules block is stale; run "
                    f"python -m flake8_celery_pickle.docs --write {path}",
                    file=sys.stderr,
                )
                return 1
            return 0
        updated = replace_block(document)
    except (OSError, MarkerError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    if updated != document:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(updated)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
