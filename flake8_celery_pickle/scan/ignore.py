"""What discovery leaves out: ``--exclude`` globs and ``.gitignore`` rules.

``.gitignore`` files are read with ``pathspec``'s Git-compatible matcher, from the repository
root (the nearest directory holding ``.git``) down to every directory walked, plus
``.git/info/exclude``; a deeper file's rules win over a shallower one's, as in git. Outside a
repository the ``.gitignore`` files inside the scanned tree still apply. A directory named on the
command line is walked even when git ignores it; then only the rules inside it apply.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence
from re import Pattern
from typing import Any

#: flake8's default exclude list plus the usual virtualenv and cache directories.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".svn",
    "CVS",
    ".bzr",
    ".hg",
    ".git",
    "__pycache__",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg",
    ".venv",
    "venv",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
)


class Exclude:
    """flake8's ``--exclude`` rule: a glob without ``/`` matches a name, one with ``/`` a path."""

    def __init__(self, patterns: Sequence[str]) -> None:
        names: list[str] = []
        paths: list[str] = []
        for raw in patterns:
            pattern = raw.strip().rstrip("/\\")
            if not pattern:
                continue
            if "/" in pattern or os.sep in pattern:
                paths.append(os.path.abspath(pattern))
            else:
                names.append(pattern)
        self._names = _compile(names)
        self._paths = _compile(paths)

    def excludes(self, name: str, abspath: str) -> bool:
        if self._names is not None and self._names.match(name):
            return True
        return self._paths is not None and self._paths.match(abspath) is not None


def _compile(patterns: Sequence[str]) -> Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def find_repo_root(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` that holds ``.git``."""
    current = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _read_patterns(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


class GitIgnore:
    """The ``.gitignore`` rules in force while walking one scan root."""

    def __init__(self, base: str) -> None:
        #: Paths are matched relative to ``base`` (the repository root, or the scan root).
        self.base = os.path.abspath(base)
        self._specs: list[tuple[str, Any]] = []

    @classmethod
    def for_root(cls, root: str) -> GitIgnore:
        """Rules for walking ``root``: the repository's, and those of ``root``'s ancestors in it."""
        root = os.path.abspath(root)
        repo = find_repo_root(root)
        rules = cls(repo or root)
        if repo is not None:
            rules.add_file("", os.path.join(repo, ".git", "info", "exclude"))
            relative = os.path.relpath(root, repo)
            parts = [] if relative == "." else relative.split(os.sep)
            for depth in range(len(parts)):
                rules.load_dir(os.path.join(repo, *parts[:depth]))
            if rules.ignored(root, is_dir=True):
                # The user named an ignored directory: check it, with only its own rules.
                return cls(root)
        return rules

    def relative(self, path: str) -> str | None:
        relative = os.path.relpath(path, self.base)
        if relative == "." or relative.startswith(".."):
            return None if relative != "." else ""
        return relative.replace(os.sep, "/")

    def load_dir(self, directory: str) -> None:
        """Add ``directory/.gitignore`` when it exists."""
        self.add_file(self.relative(directory) or "", os.path.join(directory, ".gitignore"))

    def add_file(self, rel_dir: str, path: str) -> None:
        if not os.path.isfile(path):
            return
        lines = _read_patterns(path)
        if not any(line.strip() and not line.startswith("#") for line in lines):
            return
        import pathspec

        self._specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether git would ignore ``path`` (absolute)."""
        if not self._specs:
            return False
        relative = self.relative(path)
        if not relative:
            return False
        decision = False
        for rel_dir, spec in self._specs:
            if rel_dir:
                if not relative.startswith(rel_dir + "/"):
                    continue
                sub = relative[len(rel_dir) + 1 :]
            else:
                sub = relative
            candidate = sub + "/" if is_dir else sub
            check = getattr(spec, "check_file", None)
            if check is not None:
                include = check(candidate).include
                if include is not None:
                    decision = include
            elif spec.match_file(candidate):
                decision = True
        return decision

    def mark(self) -> int:
        return len(self._specs)

    def reset(self, mark: int) -> None:
        del self._specs[mark:]
