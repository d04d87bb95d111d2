"""Celery pins in a project's dependency declarations (CPK011's input).

Reads, without installing or executing anything:

* requirements files (``requirements*.txt``, ``*.in``, ``constraints*.txt``, files under a
  ``requirements/`` directory), following ``-r`` includes and ``-c`` constraints;
* ``pyproject.toml``: ``[project]`` dependencies and optional dependencies,
  ``[dependency-groups]``, Poetry's dependency tables, uv's and PDM's extra lists;
* ``setup.cfg`` ``install_requires`` / ``extras_require``; ``setup.py`` ``install_requires`` /
  ``extras_require`` (read with ``ast``);
* ``Pipfile`` (TOML) and the lock files ``poetry.lock``, ``uv.lock``, ``pdm.lock`` (TOML) and
  ``Pipfile.lock`` (JSON).

Each declaration that holds Celery below 4.0.1 becomes a :class:`Pin` at the line and column
of the requirement (0-based UTF-8 byte column), so the finding lands where the fix goes.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Callable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from flake8_celery_pickle.project.tree import ProjectTree, byte_col
from flake8_celery_pickle.project.versions import (
    Hold,
    hold_of_poetry,
    hold_of_specifier_text,
    hold_of_specifiers,
    hold_of_version,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

PACKAGE = "celery"


@dataclass(frozen=True)
class Pin:
    """A declaration that holds Celery below 4.0.1."""

    path: str
    line: int
    col: int
    end_col: int
    #: how the pin reads in a message: ``celery==3.1.26``, ``celery ^3.1``
    shown: str
    hold: Hold


def _is_celery(name: str) -> bool:
    return canonicalize_name(name) == PACKAGE


# -- positions -------------------------------------------------------------------------------


class _Lines:
    """Positions in a file's text, in the units findings use."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def at(self, number: int, index: int, length: int) -> tuple[int, int, int]:
        line = self.lines[number - 1] if 0 < number <= len(self.lines) else ""
        return number, byte_col(line, index), byte_col(line, index + length)

    def find_string(self, value: str, start: int = 1) -> tuple[int, int, int] | None:
        """The first quoted ``value`` at or after line ``start``; the position of its quote."""
        for number in range(max(start, 1), len(self.lines) + 1):
            line = self.lines[number - 1]
            for quote in ('"', "'"):
                index = line.find(quote + value + quote)
                if index >= 0:
                    return self.at(number, index, len(value) + 2)
        return None

    def section(self, header: Callable[[str], bool]) -> list[tuple[int, int]]:
        """Line ranges (first, last) of the TOML/INI tables whose header satisfies ``header``."""
        ranges: list[tuple[int, int]] = []
        start: int | None = None
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                if start is not None:
                    ranges.append((start, number - 1))
                    start = None
                if header(stripped):
                    start = number + 1
        if start is not None:
            ranges.append((start, len(self.lines)))
        return ranges

    def find_key(
        self, key_pattern: str, ranges: Sequence[tuple[int, int]]
    ) -> tuple[int, int, int] | None:
        pattern = re.compile(r"^\s*(" + key_pattern + r")\s*=")
        for first, last in ranges:
            for number in range(first, last + 1):
                match = pattern.match(self.lines[number - 1])
                if match:
                    return self.at(number, match.start(1), len(match.group(1)))
        # an inline table (``dependencies = { celery = "^3.1" }``): the key anywhere
        inline = re.compile(r"(?:^|[{,]\s*)(" + key_pattern + r")\s*=")
        for number, line in enumerate(self.lines, start=1):
            match = inline.search(line)
            if match:
                return self.at(number, match.start(1), len(match.group(1)))
        return None


_CELERY_KEY = r"""["']?[cC][eE][lL][eE][rR][yY]["']?"""


def _header_of(*names: str) -> Callable[[str], bool]:
    def matches(header: str) -> bool:
        inner = header.strip("[] \t").replace(" ", "").replace('"', "").replace("'", "")
        return any(re.fullmatch(n, inner) for n in names)

    return matches


# -- PEP 508 strings ---------------------------------------------------------------------------


def _requirement(text: str) -> Requirement | None:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    if not _is_celery(req.name) or req.url:
        return None
    return req


def _shown(req: Requirement) -> str:
    return f"{req.name}{req.specifier}"


def _pep508_pins(path: str, text: str, values: Sequence[str]) -> Iterator[Pin]:
    lines = _Lines(text)
    for value in values:
        if not isinstance(value, str):
            continue
        req = _requirement(value)
        if req is None:
            continue
        hold = hold_of_specifiers(req.specifier)
        if hold is None:
            continue
        where = lines.find_string(value) or (1, 0, 0)
        yield Pin(path, where[0], where[1], where[2], _shown(req), hold)


# -- requirements files ------------------------------------------------------------------------

_REQ_NAME = re.compile(r"(^|.*[-_.])(requirements|constraints|reqs)([-_.].*)?\.(txt|in)$", re.I)
_INCLUDE = re.compile(r"^\s*(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")


def is_requirements_file(rel: str) -> bool:
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


def _strip_comment(line: str) -> str:
    match = re.search(r"(^|\s)#", line)
    return line[: match.start()] if match else line


def requirements_pins(tree: ProjectTree, start: str, seen: set[str]) -> Iterator[Pin]:
    """Pins in a requirements file and in every file it includes with ``-r`` / ``-c``."""
    if start in seen:
        return
    seen.add(start)
    text = tree.text(start)
    if text is None:
        return
    for number, logical, first in _logical_lines(text):
        content = _strip_comment(logical).strip()
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
        req = _requirement(spec_text)
        if req is None:
            continue
        hold = hold_of_specifiers(req.specifier)
        if hold is None:
            continue
        index = first.find(spec_text)
        length = len(spec_text)
        if index < 0:  # the requirement continues on the next line
            index = len(first) - len(first.lstrip())
            length = len(first.rstrip().rstrip("\\").rstrip()) - index
        line_no, col, end = _Lines(text).at(number, index, max(length, 0))
        yield Pin(start, line_no, col, end, _shown(req), hold)


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


# -- TOML files ----------------------------------------------------------------------------------


def _toml(tree: ProjectTree, rel: str, notes: list[str]) -> tuple[dict[str, Any] | None, str]:
    text = tree.text(rel)
    if text is None:
        return None, ""
    try:
        return tomllib.loads(text), text
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        notes.append(
            f"{rel}: not read for Celery pins, it is not valid TOML ({type(exc).__name__})"
        )
        return None, text


def _table(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _poetry_value_hold(value: Any) -> tuple[Hold | None, str]:
    if isinstance(value, str):
        return hold_of_poetry(value), value
    if isinstance(value, dict) and isinstance(value.get("version"), str):
        return hold_of_poetry(value["version"]), value["version"]
    if isinstance(value, list) and value:
        holds = [_poetry_value_hold(v) for v in value]
        if all(h is not None for h, _ in holds):
            return holds[0][0], " || ".join(t for _, t in holds)
    return None, ""


def pyproject_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    data, text = _toml(tree, rel, notes)
    if data is None:
        return
    strings: list[str] = []
    strings.extend(_list(_table(data, "project", "dependencies")))
    for group in _dict(_table(data, "project", "optional-dependencies")).values():
        strings.extend(_list(group))
    for group in _dict(data.get("dependency-groups")).values():
        strings.extend(_list(group))
    for key in ("dev-dependencies", "constraint-dependencies", "override-dependencies"):
        strings.extend(_list(_table(data, "tool", "uv", key)))
    for group in _dict(_table(data, "tool", "pdm", "dev-dependencies")).values():
        strings.extend(_list(group))
    yield from _pep508_pins(rel, text, strings)

    lines = _Lines(text)
    poetry = _dict(_table(data, "tool", "poetry"))
    tables: list[tuple[Any, Callable[[str], bool]]] = [
        (poetry.get("dependencies"), _header_of(r"tool\.poetry\.dependencies")),
        (poetry.get("dev-dependencies"), _header_of(r"tool\.poetry\.dev-dependencies")),
    ]
    for name, group in _dict(poetry.get("group")).items():
        tables.append(
            (
                _table(group, "dependencies"),
                _header_of(rf"tool\.poetry\.group\.{re.escape(name)}\.dependencies"),
            )
        )
    for table, header in tables:
        for key, value in _dict(table).items():
            if not _is_celery(key):
                continue
            hold, constraint = _poetry_value_hold(value)
            if hold is None:
                continue
            where = lines.find_key(_CELERY_KEY, lines.section(header)) or (1, 0, 0)
            yield Pin(rel, where[0], where[1], where[2], f"{key} {constraint}", hold)


def _list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pipfile_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    data, text = _toml(tree, rel, notes)
    if data is None:
        return
    lines = _Lines(text)
    for section, table in data.items():
        if section in ("source", "requires", "scripts", "pipenv") or not isinstance(table, dict):
            continue
        for key, value in table.items():
            if not _is_celery(key):
                continue
            constraint = value.get("version") if isinstance(value, dict) else value
            if not isinstance(constraint, str):
                continue
            hold = hold_of_specifier_text(constraint)
            if hold is None:
                continue
            ranges = lines.section(_header_of(re.escape(section)))
            where = lines.find_key(_CELERY_KEY, ranges) or (1, 0, 0)
            shown = f"{key}{constraint}" if constraint[:1] in "<>=!~" else f"{key} {constraint}"
            yield Pin(rel, where[0], where[1], where[2], shown, hold)


def toml_lock_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    """``[[package]]`` entries of poetry.lock, uv.lock and pdm.lock."""
    data, text = _toml(tree, rel, notes)
    if data is None:
        return
    packages = data.get("package")
    if not isinstance(packages, list):
        return
    versions: list[str] = [
        p["version"]
        for p in packages
        if isinstance(p, dict)
        and isinstance(p.get("name"), str)
        and _is_celery(p["name"])
        and isinstance(p.get("version"), str)
    ]
    if not versions:
        return
    positions = _lock_positions(_Lines(text))
    for version in versions:
        hold = hold_of_version(version)
        if hold is None:
            continue
        where = positions.get(version, (1, 0, 0))
        yield Pin(rel, where[0], where[1], where[2], f"celery=={version}", hold)


def _lock_positions(lines: _Lines) -> dict[str, tuple[int, int, int]]:
    """version -> position of its ``version = "..."`` line in each celery ``[[package]]``."""
    found: dict[str, tuple[int, int, int]] = {}
    in_celery = False
    name = re.compile(r"""^\s*name\s*=\s*["']([^"']+)["']""")
    version = re.compile(r"""^\s*version\s*=\s*["']([^"']+)["']""")
    for number, line in enumerate(lines.lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_celery = False
            continue
        match = name.match(line)
        if match:
            in_celery = _is_celery(match.group(1))
            continue
        match = version.match(line)
        if match and in_celery:
            index = line.find("version")
            found.setdefault(match.group(1), lines.at(number, index, len(line.rstrip()) - index))
    return found


def pipfile_lock_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    text = tree.text(rel)
    if text is None:
        return
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        notes.append(
            f"{rel}: not read for Celery pins, it is not valid JSON ({type(exc).__name__})"
        )
        return
    if not isinstance(data, dict):
        return
    lines = _Lines(text)
    for section, table in data.items():
        if section == "_meta" or not isinstance(table, dict):
            continue
        for key, value in table.items():
            if not _is_celery(key) or not isinstance(value, dict):
                continue
            version = value.get("version")
            if not isinstance(version, str):
                continue
            hold = hold_of_specifier_text(version)
            if hold is None:
                continue
            where = _json_position(lines, section, key, version)
            yield Pin(rel, where[0], where[1], where[2], f"{key}{version}", hold)


def _json_position(lines: _Lines, section: str, key: str, version: str) -> tuple[int, int, int]:
    start = lines.find_string(section) or (1, 0, 0)
    name = lines.find_string(key, start[0]) or start
    return lines.find_string(version, name[0]) or name


# -- setup.cfg and setup.py ----------------------------------------------------------------------


def setup_cfg_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    text = tree.text(rel)
    if text is None:
        return
    lines = _Lines(text)
    section = ""
    in_value = False
    key_re = re.compile(r"^([A-Za-z0-9_.\-]+)\s*[=:]\s*(.*)$")
    for number, line in enumerate(lines.lines, start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            in_value = False
            continue
        if not stripped or stripped.startswith(("#", ";")):
            continue
        candidates: list[tuple[str, int]] = []
        if line[:1] in (" ", "\t") and in_value:
            candidates.append((stripped, line.find(stripped)))
        else:
            match = key_re.match(line)
            in_value = False
            if match:
                key = match.group(1)
                in_value = (section == "options" and key == "install_requires") or (
                    section == "options.extras_require"
                )
                if in_value and match.group(2).strip():
                    candidates.append((match.group(2).strip(), match.start(2)))
        for candidate, index in candidates:
            req = _requirement(_strip_comment(candidate).strip())
            if req is None:
                continue
            hold = hold_of_specifiers(req.specifier)
            if hold is not None:
                length = len(_strip_comment(candidate).rstrip())
                where = lines.at(number, index, length)
                yield Pin(rel, where[0], where[1], where[2], _shown(req), hold)


def setup_py_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    module = tree.module(rel)
    if module is None:
        return
    assigned: dict[str, ast.AST] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = stmt.value
    strings: list[ast.Constant] = []

    def collect(node: ast.AST) -> None:
        if isinstance(node, ast.Name) and node.id in assigned:
            node = assigned[node.id]
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            strings.extend(
                e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
        elif isinstance(node, ast.Dict):
            for value in node.values:
                collect(value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append(node)

    for node in ast.walk(module):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name != "setup":
                continue
            for kw in node.keywords:
                if kw.arg in ("install_requires", "extras_require", "setup_requires"):
                    collect(kw.value)
    for const in strings:
        text = str(const.value)
        for part in text.splitlines() or [text]:
            req = _requirement(part.strip())
            if req is None:
                continue
            hold = hold_of_specifiers(req.specifier)
            if hold is None:
                continue
            end = getattr(const, "end_col_offset", None)
            same_line = getattr(const, "end_lineno", const.lineno) == const.lineno
            yield Pin(
                rel,
                const.lineno,
                const.col_offset,
                end if end is not None and same_line else const.col_offset,
                _shown(req),
                hold,
            )


# -- all of them -----------------------------------------------------------------------------------

_READERS: dict[str, Callable[[ProjectTree, str, list[str]], Iterator[Pin]]] = {
    "pyproject.toml": pyproject_pins,
    "setup.cfg": setup_cfg_pins,
    "setup.py": setup_py_pins,
    "Pipfile": pipfile_pins,
    "Pipfile.lock": pipfile_lock_pins,
    "poetry.lock": toml_lock_pins,
    "uv.lock": toml_lock_pins,
    "pdm.lock": toml_lock_pins,
}


def find_pins(tree: ProjectTree, notes: list[str]) -> list[Pin]:
    """Every declaration in the tree that holds Celery below 4.0.1, in path order."""
    pins: list[Pin] = []
    seen: set[str] = set()
    for rel in tree.paths:
        reader = _READERS.get(rel.rpartition("/")[2])
        if reader is not None:
            text = tree.text(rel)
            if text is None or ("celery" not in text.lower()):
                continue
            pins.extend(reader(tree, rel, notes))
        elif rel.lower().endswith((".txt", ".in")) and is_requirements_file(rel):
            pins.extend(requirements_pins(tree, rel, seen))
    unique = sorted(set(pins), key=lambda p: (p.path, p.line, p.col, p.shown))
    return unique
