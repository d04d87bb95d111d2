"""Module names to files in the scanned tree, and the environment variables a project sets.

* :class:`ModuleIndex` maps a dotted module name (``proj.settings``) to the file that holds it,
  whatever the source root (the scanned root, ``src/``, a service directory of a monorepo).
* :func:`env_assignments` finds the values a project gives an environment variable in its own
  code (``os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')``) and in its
  deployment files (``.env``, Dockerfile ``ENV``, compose files, Procfiles).
* :func:`django_settings_module` finds the settings module behind ``'django.conf:settings'``.

Plain ``ast`` and text only: scanned code is never imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from flake8_celery_pickle.project.tree import ProjectTree

DJANGO_ENTRY_FILES = ("celery.py", "manage.py", "wsgi.py", "asgi.py")
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
        # every suffix of every file's dotted path -> [(source root parts, rel path)]
        self._by_name: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for rel in paths:
            parts = _parts(rel[: -len(".py")])
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            # the suffixes made of identifiers only, longest last
            for start in range(len(parts) - 1, -1, -1):
                if not parts[start].isidentifier():
                    break
                self._by_name.setdefault(".".join(parts[start:]), []).append((parts[:start], rel))

    def _is_source_root(self, root_parts: tuple[str, ...]) -> bool:
        """A directory is a plausible source root when it is not itself a package."""
        return "/".join(root_parts) not in self._packages if root_parts else True

    def find(self, name: str, referrer: str | None = None) -> str | None:
        """The file of module ``name`` (``pkg/mod.py`` or ``pkg/mod/__init__.py``), or None.

        When several files could be that module, the nearest to ``referrer`` whose source root
        is not itself a package wins, then the shallowest, then the first by path.
        """
        candidates = self._by_name.get(name)
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


# -- environment variables ---------------------------------------------------------------


@dataclass(frozen=True)
class EnvValue:
    """One value a project gives an environment variable, and where.

    ``computed``: the value is an expression that cannot be read statically (a format call,
    an f-string, a variable); ``value`` then shows the expression.
    """

    value: str
    path: str
    line: int
    computed: bool = False


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_environ(node: ast.AST) -> bool:
    """``os.environ`` or a bare ``environ`` (``from os import environ``)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _shown(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:
        text = type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def python_env_values(module: ast.Module, var: str) -> list[tuple[str, int, bool]]:
    """Every value a module gives ``var`` as (value, line, computed): a literal string, or the
    text of an expression that cannot be read statically (``computed``).

    Read from ``os.environ.setdefault``, ``os.environ[...] =``, ``os.environ.update(...)`` and
    ``os.putenv``.
    """
    found: list[tuple[str, int, bool]] = []

    def add(node: ast.AST, line: int) -> None:
        value = _const_str(node)
        found.append((value, line, False) if value is not None else (_shown(node), line, True))

    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr == "setdefault" and _is_environ(func.value) and len(node.args) >= 2:
                if _const_str(node.args[0]) == var:
                    add(node.args[1], node.lineno)
            elif func.attr == "putenv" and len(node.args) >= 2 and _const_str(node.args[0]) == var:
                add(node.args[1], node.lineno)
            elif func.attr == "update" and _is_environ(func.value):
                for kw in node.keywords:
                    if kw.arg == var:
                        add(kw.value, node.lineno)
                for arg in node.args:
                    if isinstance(arg, ast.Dict):
                        for key, item in zip(arg.keys, arg.values):
                            if _const_str(key) == var:
                                add(item, node.lineno)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _is_environ(target.value)
                    and _const_str(target.slice) == var
                ):
                    add(node.value, node.lineno)
    return found


def python_env_assignments(module: ast.Module, var: str) -> list[tuple[str, int]]:
    """Literal values a module gives ``var`` (see :func:`python_env_values`)."""
    values = python_env_values(module, var)
    return [(value, line) for value, line, computed in values if not computed]


def _text_pattern(var: str) -> re.Pattern[str]:
    # VAR=value, VAR: value, ENV VAR value, "VAR": "value", --env VAR=value
    return re.compile(
        r"(?<![\w.])"
        + re.escape(var)
        + r"""["']?\s*(?:=|:|\s)\s*["']?([A-Za-z_][\w.]*(?::[A-Za-z_]\w*)?)"""
    )


def text_env_assignments(text: str, var: str) -> list[tuple[str, int]]:
    """Values given to ``var`` in a deployment file (``.env``, Dockerfile, compose, ...)."""
    if var not in text:
        return []
    pattern = _text_pattern(var)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if var not in line or line.lstrip().startswith(("#", "//")):
            continue
        match = pattern.search(line)
        if match:
            found.append((match.group(1), number))
    return found


#: Deployment files that may set environment variables (besides Python code).
_DEPLOYMENT_NAMES = re.compile(
    r"""^(\.env.*|.*\.env|dockerfile.*|.*\.dockerfile|containerfile|procfile.*|makefile|
    .*\.(ya?ml|sh|bash|ini|cfg|conf|toml|service|json|envrc))$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_deployment_file(rel: str) -> bool:
    """Whether a file that is not Python may set environment variables for the app."""
    return bool(_DEPLOYMENT_NAMES.match(PurePosixPath(rel).name))


def _setters(tree: ProjectTree) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Python files that can set an environment variable at all, deployment files), computed
    once per tree. A Python file sets one only through ``environ`` or ``putenv``: one whose
    text holds neither word is never parsed for it."""
    key = ("env-setters",)
    cached = tree.cache.get(key)
    if cached is None:
        python = tuple(
            rel
            for rel in tree.python_paths
            if tree.mentions(rel, "environ") or tree.mentions(rel, "putenv")
        )
        deployment = tuple(
            rel for rel in tree.paths if not rel.endswith(".py") and is_deployment_file(rel)
        )
        cached = tree.cache[key] = (python, deployment)
    return cached  # type: ignore[return-value]


def _file_assignments(tree: ProjectTree, rel: str, var: str, is_py: bool) -> list[EnvValue]:
    """The values one file gives ``var`` (cached per tree, file and name)."""
    key = ("env", var, rel)
    cached = tree.cache.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    found: list[EnvValue] = []
    # deployment files are read only for this; one that is not text is no configuration
    text = tree.text(rel, quiet=not is_py)
    if text is not None and var in text:
        if is_py:
            module = tree.module(rel)
            values = python_env_values(module, var) if module is not None else []
            found = [EnvValue(value, rel, line, computed) for value, line, computed in values]
        else:
            found = [EnvValue(value, rel, line) for value, line in text_env_assignments(text, var)]
    tree.cache[key] = found
    return found


def env_assignments(
    tree: ProjectTree,
    var: str,
    near: str | None = None,
    python_only: bool = False,
    python_names: Sequence[str] = (),
    computed: bool = False,
) -> list[EnvValue]:
    """Every value the project gives ``var``, best first.

    Python code comes before deployment files (``.env``, Dockerfiles, compose and CI YAML,
    shell scripts, ini files); the file ``near`` and the files closest to it come first. With
    ``python_names``, only Python files of those names (and ``near``) are read. Values
    computed at run time are left out unless ``computed``.
    """

    def rank(item: tuple[bool, EnvValue]) -> tuple[int, int, int, str, int]:
        is_py, value = item
        return (
            0 if is_py else 1,
            0 if value.path == near else 1,
            -closeness(value.path, near) if near else 0,
            value.path,
            value.line,
        )

    python, deployment = _setters(tree)
    chosen: list[tuple[bool, EnvValue]] = []
    for rel in python:
        if python_names and rel != near and PurePosixPath(rel).name not in python_names:
            continue
        chosen.extend((True, v) for v in _file_assignments(tree, rel, var, True))
    if not python_only:
        for rel in deployment:
            chosen.extend((False, v) for v in _file_assignments(tree, rel, var, False))
    return [value for _, value in sorted(chosen, key=rank) if computed or not value.computed]


# -- Django ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DjangoSettings:
    """Where ``'django.conf:settings'`` comes from: a module file, or why it is unknown.

    ``computed`` holds the places that give ``DJANGO_SETTINGS_MODULE`` a value computed at run
    time when the one that counts is such a value (``module`` is then its expression).
    """

    module: str
    path: str | None
    how: str
    computed: tuple[EnvValue, ...] = ()


def django_settings_module(
    tree: ProjectTree, index: ModuleIndex, near: str
) -> DjangoSettings | None:
    """The Django settings module of the app defined in ``near``.

    First ``DJANGO_SETTINGS_MODULE`` as set in ``near`` itself or in a ``manage.py``,
    ``wsgi.py``, ``asgi.py`` or ``celery.py`` of the tree (nearest first); then the conventional
    layout: a ``settings.py`` module or ``settings/`` package beside ``near``. None when neither
    gives a name. When the nearest value is computed at run time, the result says so (with
    every such place) instead of guessing.
    """
    values = env_assignments(
        tree,
        "DJANGO_SETTINGS_MODULE",
        near=near,
        python_only=True,
        python_names=DJANGO_ENTRY_FILES,
        computed=True,
    )
    if values:
        best = values[0]
        how = f"DJANGO_SETTINGS_MODULE in {best.path}:{best.line}"
        if best.computed:
            return DjangoSettings(best.value, None, how, tuple(v for v in values if v.computed))
        return DjangoSettings(best.value, index.find(best.value, referrer=near), how)
    directory = PurePosixPath(near).parent
    for candidate in (directory / "settings.py", directory / "settings" / "__init__.py"):
        rel = candidate.as_posix()
        if rel in tree:
            return DjangoSettings(index.name_of(rel), rel, "the conventional layout")
    return None
