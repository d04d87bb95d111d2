"""Celery pins in lock files: the ``[[package]]`` entries of ``poetry.lock``, ``uv.lock`` and
``pdm.lock`` (TOML) and the sections of ``Pipfile.lock`` (JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from flake8_celery_pickle.project.celery_requirements import Pin, is_celery
from flake8_celery_pickle.project.declaration_text import Lines, read_toml
from flake8_celery_pickle.project.tree import ProjectTree
from flake8_celery_pickle.project.versions import hold_of_specifier_text, hold_of_version


def toml_lock_pins(tree: ProjectTree, rel: str, notes: list[str]) -> Iterator[Pin]:
    """``[[package]]`` entries of poetry.lock, uv.lock and pdm.lock."""
    data, text = read_toml(tree, rel, notes)
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
        and is_celery(p["name"])
        and isinstance(p.get("version"), str)
    ]
    if not versions:
        return
    positions = _lock_positions(Lines(text))
    for version in versions:
        hold = hold_of_version(version)
        if hold is None:
            continue
        where = positions.get(version, (1, 0, 0))
        yield Pin(rel, where[0], where[1], where[2], f"celery=={version}", hold)


def _lock_positions(lines: Lines) -> dict[str, tuple[int, int, int]]:
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
            in_celery = is_celery(match.group(1))
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
    lines = Lines(text)
    for section, table in data.items():
        if section == "_meta" or not isinstance(table, dict):
            continue
        for key, value in table.items():
            if not is_celery(key) or not isinstance(value, dict):
                continue
            version = value.get("version")
            if not isinstance(version, str):
                continue
            hold = hold_of_specifier_text(version)
            if hold is None:
                continue
            where = _json_position(lines, section, key, version)
            yield Pin(rel, where[0], where[1], where[2], f"{key}{version}", hold)


def _json_position(lines: Lines, section: str, key: str, version: str) -> tuple[int, int, int]:
    start = lines.find_string(section) or (1, 0, 0)
    name = lines.find_string(key, start[0]) or start
    return lines.find_string(version, name[0]) or name
