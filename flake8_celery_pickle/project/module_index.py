"""Dotted module names of the Python files in the scanned tree, and files to module names.

:class:`ModuleIndex` maps a dotted module name (``proj.settings``) to the file that holds it,
whatever the source root (the scanned root, ``src/``, a service directory of a monorepo), and
back; relative imports are resolved against the importing file.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from flake8_celery_pickle.project.tree import ProjectTree

_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")


def is_dotted(name: str) -> bool:
    """Whether ``name`` is a plain dotted module path (``pkg.mod``)."""
    return bool(_DOTTED.match(name))


def _parts(rel: str) -> tuple[str, ...]:
    """The parts of a '/'-separated path (as :class:`PurePosixPath` splits it)."""
    if (
        rel in ("", ".")
        or rel.startswith(("/", "./"))
        or rel.endswith(("/", "/."))
        or "//" in rel
        or "/./" in rel
    ):
        return PurePosixPath(rel).parts
    return tuple(rel.split("/"))


def _module_parts(rel: str) -> tuple[str, ...]:
    """The dotted-name parts of a ``.py`` file's path (``pkg/__init__.py`` is ``pkg``)."""
    parts = _parts(rel[: -len(".py")])
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def _dir_parts(rel: str) -> tuple[str, ...]:
    return _parts(rel)[:-1]


def closeness(a: str, b: str) -> int:
    """How many leading directories two files share (a larger number is nearer)."""
    n = 0
    for x, y in zip(_dir_parts(a), _dir_parts(b)):
        if x != y:
            break
        n += 1
    return n


class ModuleIndex:
    """Dotted module names of the Python files in the tree."""

    def __init__(self, tree: ProjectTree) -> None:
        self.tree = tree
        paths = tree.python_paths
        self._packages = {
            p[: -len("/__init__.py")] if p != "__init__.py" else "."
            for p in paths
            if p == "__init__.py" or p.endswith("/__init__.py")
        }
        # the last part of every file's dotted path -> its files; a lookup checks the rest, so
        # the index costs one entry a file however deep the tree is
        self._by_last: dict[str, list[str]] = {}
        for rel in paths:
            parts = _module_parts(rel)
            if parts and parts[-1].isidentifier():
                self._by_last.setdefault(parts[-1], []).append(rel)

    def _is_source_root(self, root_parts: tuple[str, ...]) -> bool:
        """A directory is a plausible source root when it is not itself a package."""
        return "/".join(root_parts) not in self._packages if root_parts else True

    def find(self, name: str, referrer: str | None = None) -> str | None:
        """The file of module ``name`` (``pkg/mod.py`` or ``pkg/mod/__init__.py``), or None.

        When several files could be that module, the nearest to ``referrer`` whose source root
        is not itself a package wins, then the shallowest, then the first by path.
        """
        wanted = tuple(name.split("."))
        if not all(part.isidentifier() for part in wanted):
            return None
        candidates = []
        for rel in self._by_last.get(wanted[-1], ()):
            parts = _module_parts(rel)
            if parts[-len(wanted) :] == wanted:
                candidates.append((parts[: -len(wanted)], rel))
        if not candidates:
            return None

        def rank(item: tuple[tuple[str, ...], str]) -> tuple[int, int, int, str]:
            root_parts, rel = item
            near = 0
            if referrer is not None:
                ref_dirs = _dir_parts(referrer)
                for x, y in zip(root_parts, ref_dirs):
                    if x != y:
                        break
                    near += 1
            return (0 if self._is_source_root(root_parts) else 1, -near, len(root_parts), rel)

        return min(candidates, key=rank)[1]

    def name_of(self, rel: str) -> str:
        """The dotted name of a file, counted from its topmost enclosing package."""
        stem = rel[: -len(".py")] if rel.endswith(".py") else rel
        parts = list(PurePosixPath(stem).parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        start = len(parts) - 1
        while start > 0 and "/".join(parts[:start]) in self._packages:
            start -= 1
        return ".".join(parts[start:])

    def relative(self, referrer: str, level: int, module: str | None) -> str | None:
        """The file a relative import (``from ..pkg import x``) names, or None."""
        base = PurePosixPath(referrer).parent
        for _ in range(max(level - 1, 0)):
            base = base.parent
        parts = module.split(".") if module else []
        return self._file_at(base.joinpath(*parts).as_posix() if parts else base.as_posix())

    def _file_at(self, stem: str) -> str | None:
        stem = stem.lstrip("./") if stem not in (".", "") else ""
        for candidate in (f"{stem}.py", f"{stem}/__init__.py" if stem else "__init__.py"):
            if candidate in self.tree:
                return candidate
        return None
