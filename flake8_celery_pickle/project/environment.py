"""The values a project gives an environment variable, in its own code and deployment files.

:func:`env_assignments` finds them in Python code
(``os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')``) and in deployment files
(``.env``, Dockerfile ``ENV``, compose files, Procfiles), nearest to a given file first. Plain
``ast`` and text only: scanned code is never imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from flake8_celery_pickle.project.expressions import const_str, source_text
from flake8_celery_pickle.project.module_index import closeness
from flake8_celery_pickle.project.tree import ProjectTree


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


def _is_environ(node: ast.AST) -> bool:
    """``os.environ`` or a bare ``environ`` (``from os import environ``)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def python_env_values(module: ast.Module, var: str) -> list[tuple[str, int, bool]]:
    """Every value a module gives ``var`` as (value, line, computed): a literal string, or the
    text of an expression that cannot be read statically (``computed``).

    Read from ``os.environ.setdefault``, ``os.environ[...] =``, ``os.environ.update(...)`` and
    ``os.putenv``.
    """
    found: list[tuple[str, int, bool]] = []

    def add(node: ast.AST, line: int) -> None:
        value = const_str(node)
        found.append(
            (value, line, False) if value is not None else (source_text(node, 60), line, True)
        )

    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr == "setdefault" and _is_environ(func.value) and len(node.args) >= 2:
                if const_str(node.args[0]) == var:
                    add(node.args[1], node.lineno)
            elif func.attr == "putenv" and len(node.args) >= 2 and const_str(node.args[0]) == var:
                add(node.args[1], node.lineno)
            elif func.attr == "update" and _is_environ(func.value):
                for kw in node.keywords:
                    if kw.arg == var:
                        add(kw.value, node.lineno)
                for arg in node.args:
                    if isinstance(arg, ast.Dict):
                        for key, item in zip(arg.keys, arg.values):
                            if const_str(key) == var:
                                add(item, node.lineno)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _is_environ(target.value)
                    and const_str(target.slice) == var
                ):
                    add(node.value, node.lineno)
    return found


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
