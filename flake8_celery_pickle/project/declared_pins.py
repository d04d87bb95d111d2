"""Celery pins in a project's declared dependencies: ``pyproject.toml`` (``[project]``
dependencies and optional dependencies, ``[dependency-groups]``, Poetry's dependency tables,
uv's and PDM's extra lists), ``Pipfile``, ``setup.cfg`` ``install_requires`` / ``extras_require``
and ``setup.py`` ``install_requires`` / ``extras_require`` / ``setup_requires`` (read with
``ast``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any, Callable

from flake8_celery_pickle.project.bindings import top_level_values
from flake8_celery_pickle.project.celery_requirements import (
    Pin,
    celery_hold,
    is_celery,
    pep508_pins,
    shown,
)
from flake8_celery_pickle.project.declaration_text import (
    CELERY_KEY,
    Lines,
    header_of,
    read_toml,
    strip_comment,
    toml_value,
)
from flake8_celery_pickle.project.tree import ProjectTree
from flake8_celery_pickle.project.versions import (
    Hold,
    hold_of_poetry,
    hold_of_specifier_text,
)


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
    data, text = read_toml(tree, rel, notes)
    if data is None:
        return
    strings: list[str] = []
    strings.extend(_list(toml_value(data, "project", "dependencies")))
    for group in _dict(toml_value(data, "project", "optional-dependencies")).values():
        strings.extend(_list(group))
    for group in _dict(data.get("dependency-groups")).values():
        strings.extend(_list(group))
    for key in ("dev-dependencies", "constraint-dependencies", "override-dependencies"):
        strings.extend(_list(toml_value(data, "tool", "uv", key)))
    for group in _dict(toml_value(data, "tool", "pdm", "dev-dependencies")).values():
        strings.extend(_list(group))
    yield from pep508_pins(rel, text, strings)

    lines = Lines(text)
    poetry = _dict(toml_value(data, "tool", "poetry"))
    tables: list[tuple[Any, Callable[[str], bool]]] = [
        (poetry.get("dependencies"), header_of(r"tool\.poetry\.dependencies")),
        (poetry.get("dev-dependencies"), header_of(r"tool\.poetry\.dev-dependencies")),
    ]
    for name, group in _dict(poetry.get("group")).items():
        tables.append(
            (
                toml_value(group, "dependencies"),
                header_of(rf"tool\.poetry\.group\.{re.escape(name)}\.dependencies"),
            )
        )
    for table, header in tables:
        for key, value in _dict(table).items():
            if not is_celery(key):
                continue
            hold, constraint = _poetry_value_hold(value)
            if hold is None:
                continue
            where = lines.find_key(CELERY_KEY, lines.section(header)) or (1, 0, 0)
            yield Pin(rel, where[0], where[1], where[2], f"{key} {constraint}", hold)


def _list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pipfile_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    data, text = read_toml(tree, rel, notes)
    if data is None:
        return
    lines = Lines(text)
    for section, table in data.items():
        if section in ("source", "requires", "scripts", "pipenv") or not isinstance(table, dict):
            continue
        for key, value in table.items():
            if not is_celery(key):
                continue
            constraint = value.get("version") if isinstance(value, dict) else value
            if not isinstance(constraint, str):
                continue
            hold = hold_of_specifier_text(constraint)
            if hold is None:
                continue
            ranges = lines.section(header_of(re.escape(section)))
            where = lines.find_key(CELERY_KEY, ranges) or (1, 0, 0)
            shown = f"{key}{constraint}" if constraint[:1] in "<>=!~" else f"{key} {constraint}"
            yield Pin(rel, where[0], where[1], where[2], shown, hold)


def setup_cfg_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    text = tree.text(rel)
    if text is None:
        return
    lines = Lines(text)
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
            held = celery_hold(strip_comment(candidate).strip())
            if held is not None:
                req, hold = held
                length = len(strip_comment(candidate).rstrip())
                where = lines.at(number, index, length)
                yield Pin(rel, where[0], where[1], where[2], shown(req), hold)


def setup_py_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    module = tree.module(rel)
    if module is None:
        return
    assigned = top_level_values(module)
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
            held = celery_hold(part.strip())
            if held is None:
                continue
            req, hold = held
            end = getattr(const, "end_col_offset", None)
            same_line = getattr(const, "end_lineno", const.lineno) == const.lineno
            yield Pin(
                rel,
                const.lineno,
                const.col_offset,
                end if end is not None and same_line else const.col_offset,
                shown(req),
                hold,
            )
