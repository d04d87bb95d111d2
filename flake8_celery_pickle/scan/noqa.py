"""Suppression comments: flake8's ``# noqa`` for Python, ``ast-grep-ignore`` for configuration.

Python follows flake8 exactly: ``# noqa`` anywhere on the reported physical line silences every
code, ``# noqa: CPK001,CPK0`` silences the listed codes by prefix, and a line starting with
``# flake8: noqa`` silences the whole file. As in flake8, the lines of a multi-line string are
searched together.

The configuration engine applies its own comments to its findings. The whole-project view's
findings in configuration files (a Celery pin in ``pyproject.toml``) get the same treatment here:
``# noqa`` on the line, and ``ast-grep-ignore`` (bare, or naming rule ids such as
``cpk011-toml``, which count for their code) on the reported line or alone on the line above, or
on line 1 followed by a blank line for the whole file.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from flake8_celery_pickle.finding import Finding

NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
AST_GREP_IGNORE = re.compile(r"ast-grep-ignore(?:\s*:\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?")
_CODE_SPLIT = re.compile(r"[,\s]+")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code for code in _CODE_SPLIT.split(text.strip()) if code)


def noqa_silences(line: str, code: str) -> bool:
    """Whether a physical line's ``# noqa`` comment silences ``code`` (flake8's rule)."""
    match = NOQA_INLINE.search(line)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = _codes(codes_text)
    return code in codes or code.startswith(codes)


def file_noqa(lines: Sequence[str]) -> bool:
    """Whether a ``# flake8: noqa`` line silences the whole file."""
    return any(NOQA_FILE.match(line) for line in lines)


def _string_ranges(source: str) -> dict[int, tuple[int, int]]:
    """Line -> (first, last) line of the multi-line string token that covers it."""
    ranges: dict[int, tuple[int, int]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return ranges
    start: int | None = None
    for token in tokens:
        name = tokenize.tok_name.get(token.type, "")
        if name == "FSTRING_START":
            start = token.start[0] if start is None else start
            continue
        if name == "FSTRING_END" and start is not None:
            first, last = start, token.end[0]
            start = None
        elif token.type == tokenize.STRING and start is None:
            first, last = token.start[0], token.end[0]
        else:
            continue
        if last > first:
            for number in range(first, last + 1):
                ranges[number] = (first, last)
    return ranges


def filter_python(findings: list[Finding], source: str, lines: Sequence[str]) -> list[Finding]:
    """Drop the findings that ``# noqa`` comments silence. ``lines`` are the physical lines."""
    if not findings:
        return findings
    if "noqa" not in source.lower():
        return findings
    if file_noqa(lines):
        return []
    ranges = _string_ranges(source)
    kept: list[Finding] = []
    for finding in findings:
        index = finding.line - 1
        text = lines[index] if 0 <= index < len(lines) else ""
        span = ranges.get(finding.line)
        if span is not None:
            text = "\n".join(lines[span[0] - 1 : span[1]])
        if not noqa_silences(text, finding.code):
            kept.append(finding)
    return kept


def _ignore_comment(line: str) -> tuple[str, ...] | None:
    """() for a bare ``ast-grep-ignore``, the codes for a qualified one, None for none."""
    match = AST_GREP_IGNORE.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return _codes(codes.replace(",", " ")) if codes else ()


def _silences(ids: tuple[str, ...] | None, code: str) -> bool:
    """Whether an ``ast-grep-ignore`` comment naming ``ids`` (() for all) covers ``code``."""
    if ids is None:
        return False
    return not ids or any(i.upper() == code or i.upper().startswith(code + "-") for i in ids)


def _comment_only(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("#", "//", "/*", "<!--", ";"))


def filter_config(findings: list[Finding], lines: Sequence[str]) -> list[Finding]:
    """Drop the findings that ``ast-grep-ignore`` or ``# noqa`` comments silence."""
    if not findings:
        return findings
    whole_file: tuple[str, ...] | None = None
    if len(lines) >= 2 and not lines[1].strip() and _comment_only(lines[0]):
        whole_file = _ignore_comment(lines[0])
    kept: list[Finding] = []
    for finding in findings:
        if _silences(whole_file, finding.code):
            continue
        index = finding.line - 1
        same = lines[index] if 0 <= index < len(lines) else ""
        above = lines[index - 1] if 1 <= index <= len(lines) else ""
        if _silences(_ignore_comment(same), finding.code):
            continue
        if _comment_only(above) and _silences(_ignore_comment(above), finding.code):
            continue
        if noqa_silences(same, finding.code):
            continue
        kept.append(finding)
    return kept
