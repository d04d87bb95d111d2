"""Every Celery pin of the scanned tree (CPK011's input): which reader reads which file.

Reads, without installing or executing anything, requirements files
(:mod:`~flake8_celery_pickle.project.requirements_files`), declared dependencies
(:mod:`~flake8_celery_pickle.project.declared_pins`) and lock files
(:mod:`~flake8_celery_pickle.project.locked_pins`). Each declaration that holds Celery below
4.0.1 becomes a :class:`~flake8_celery_pickle.project.celery_requirements.Pin` at the line and
column of the requirement (0-based UTF-8 byte column), so the finding lands where the fix goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Callable

from flake8_celery_pickle.project.celery_requirements import Pin
from flake8_celery_pickle.project.declared_pins import (
    pipfile_pins,
    pyproject_pins,
    setup_cfg_pins,
    setup_py_pins,
)
from flake8_celery_pickle.project.locked_pins import pipfile_lock_pins, toml_lock_pins
from flake8_celery_pickle.project.requirements_files import (
    is_requirements_file,
    requirements_pins,
)
from flake8_celery_pickle.project.tree import ProjectTree

__all__ = ["Pin", "find_pins"]

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
