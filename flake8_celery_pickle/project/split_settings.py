"""The files a django-split-settings ``include(...)`` runs in a settings module's namespace."""

from __future__ import annotations

import ast
import fnmatch
from pathlib import PurePosixPath

from flake8_celery_pickle.project.bindings import body_statements
from flake8_celery_pickle.project.expressions import Import, const_str, qualified
from flake8_celery_pickle.project.tree import ProjectTree

INCLUDE = frozenset({"split_settings.tools.include"})
OPTIONAL = frozenset({"split_settings.tools.optional"})


def included_files(
    tree: ProjectTree, rel: str, module: ast.Module, imports: dict[str, Import], unknown: list[str]
) -> list[str]:
    """Files a django-split-settings ``include(...)`` runs in module ``rel``'s namespace.

    Patterns are globs relative to the module's directory; ``optional(...)`` ones may match
    nothing. A pattern that is not a literal, or a required one that matches no file of the
    tree, goes to ``unknown``. ``imports`` are the module's absolute imports.
    """
    found: list[str] = []
    for stmt in body_statements(module.body):
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
            continue
        call = stmt.value
        if qualified(call.func, imports) not in INCLUDE:
            continue
        for arg in call.args:
            optional = (
                isinstance(arg, ast.Call)
                and qualified(arg.func, imports) in OPTIONAL
                and len(arg.args) == 1
            )
            pattern_node = arg.args[0] if optional else arg  # type: ignore[attr-defined]
            pattern = const_str(pattern_node)
            if pattern is None:
                unknown.append(
                    f"{rel} includes settings files named by an expression (django-split-settings)"
                )
                continue
            matches = _glob(tree, rel, pattern)
            if not matches and not optional:
                unknown.append(
                    f"{rel} includes {pattern} (django-split-settings), "
                    "which is not in the scanned tree"
                )
            found.extend(m for m in matches if m != rel and m not in found)
    return found


def _glob(tree: ProjectTree, rel: str, pattern: str) -> list[str]:
    """The Python files of the tree that ``pattern``, relative to ``rel``'s directory, names."""
    base = PurePosixPath(rel).parent
    wanted = (base / pattern).as_posix()
    parts: list[str] = []
    for part in PurePosixPath(wanted).parts:
        if part == ".." and parts:
            parts.pop()
        elif part != ".":
            parts.append(part)
    wanted = "/".join(parts)
    return [
        p
        for p in tree.python_paths
        if fnmatch.fnmatchcase(p, wanted) and p.count("/") == wanted.count("/")
    ]
