"""The names a module or class body binds, read with plain ``ast`` (not inside functions)."""

from __future__ import annotations

import ast
from collections.abc import Iterator


def targets(node: ast.AST) -> Iterator[str]:
    """The plain names an assignment target binds (through tuples, lists and ``*rest``)."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from targets(elt)
    elif isinstance(node, ast.Starred):
        yield from targets(node.value)


def body_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module or class body, including those under if/try/with/for."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.AsyncFor)):
            yield from body_statements(stmt.body)
            yield from body_statements(stmt.orelse)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from body_statements(stmt.body)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield from body_statements(stmt.body)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                yield from body_statements(handler.body)
            yield from body_statements(stmt.orelse)  # type: ignore[attr-defined]
            yield from body_statements(stmt.finalbody)  # type: ignore[attr-defined]


def assigned_names(body: list[ast.stmt]) -> set[str]:
    """Names bound by assignment or by ``from x import name`` in a body (not in functions)."""
    names: set[str] = set()
    for stmt in body_statements(body):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names.update(targets(target))
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                continue
            names.update(targets(stmt.target))
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                names.add(alias.asname or alias.name.split(".")[0])
    return names


def top_level_values(module: ast.Module) -> dict[str, ast.expr]:
    """Plain name -> the value last assigned to it by a top-level ``name = value``."""
    return {
        target.id: stmt.value
        for stmt in module.body
        if isinstance(stmt, ast.Assign)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }
