"""Small project trees for the project view's tests: write them, then analyze them.

Every ``test_project_*`` module builds its trees in ``tmp_path`` with :func:`build` (texts are
dedented, so they may be written indented inside a test) and runs the whole project view over
them with :func:`run`, exactly as the command does after its per-file scan.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List

from flake8_celery_pickle.project import ProjectResult, analyze
from flake8_celery_pickle.project.tree import ProjectTree
from flake8_celery_pickle.settings import DEFAULTS, Settings


def build(root: Path, files: Dict[str, str]) -> List[Path]:
    """Write ``files`` (root-relative path -> text) under ``root``; their absolute paths."""
    paths = []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        paths.append(path)
    return paths


def run(root: Path, files: Dict[str, str], settings: Settings = DEFAULTS) -> ProjectResult:
    """The project view of a tree that holds exactly ``files``."""
    return analyze(root, build(root, files), settings)


def tree_of(root: Path, files: Dict[str, str]) -> ProjectTree:
    """The project view's reading of a tree that holds exactly ``files``."""
    return ProjectTree(root, build(root, files))
