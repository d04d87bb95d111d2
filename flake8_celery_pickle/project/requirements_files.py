"""Celery pins in requirements files (``requirements*.txt``, ``*.in``, ``constraints*.txt``,
files under a ``requirements/`` directory), following ``-r`` includes and ``-c`` constraints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from flake8_celery_pickle.project.celery_requirements import Pin, celery_hold, shown
from flake8_celery_pickle.project.declaration_text import Lines, strip_comment
from flake8_celery_pickle.project.tree import ProjectTree

_REQ_NAME = re.compile(r"(^|.*[-_.])(requirements|constraints|reqs)([-_.].*)?\.(txt|in)$", re.I)
_INCLUDE = re.compile(r"^\s*(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")


def is_requirements_file(rel: str) -> bool:
    """Whether file ``rel`` is a requirements or constraints file by its name or directory."""
    name = rel.rpartition("/")[2]
    if _REQ_NAME.match(name):
        return True
    if not name.endswith((".txt", ".in")):
        return False  # the cheap test first: most files of a tree are neither
    path = PurePosixPath(rel)
    return path.suffix in (".txt", ".in") and any(
        p.lower() in ("requirements", "reqs", "constraints") for p in path.parent.parts
    )


def _logical_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """(first line number, logical line with continuations joined, first physical line)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        number, first = i + 1, lines[i]
        logical = first
        while logical.endswith("\\") and i + 1 < len(lines):
            i += 1
            logical = logical[:-1] + " " + lines[i]
        i += 1
        yield number, logical, first


def requirements_pins(tree: ProjectTree, start: str, seen: set[str]) -> Iterator[Pin]:
    """Pins in a requirements file and in every file it includes with ``-r`` / ``-c``."""
    if start in seen:
        return
    seen.add(start)
    text = tree.text(start)
    if text is None:
        return
    for number, logical, first in _logical_lines(text):
        content = strip_comment(logical).strip()
        if not content:
            continue
        include = _INCLUDE.match(content)
        if include:
            target = _normalise((PurePosixPath(start).parent / include.group(2)).as_posix())
            if target is not None and tree.add(target):
                yield from requirements_pins(tree, target, seen)
            continue
        if content.startswith("-"):
            continue  # -e, --index-url, --hash on its own line, ...
        spec_text = re.split(r"\s+--?\w", content, maxsplit=1)[0].strip()
        held = celery_hold(spec_text)
        if held is None:
            continue
        req, hold = held
        index = first.find(spec_text)
        length = len(spec_text)
        if index < 0:  # the requirement continues on the next line
            index = len(first) - len(first.lstrip())
            length = len(first.rstrip().rstrip("\\").rstrip()) - index
        line_no, col, end = Lines(text).at(number, index, max(length, 0))
        yield Pin(start, line_no, col, end, shown(req), hold)


def _normalise(rel: str) -> str | None:
    parts: list[str] = []
    for part in PurePosixPath(rel).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) if parts else None
