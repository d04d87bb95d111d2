"""What a Python expression names, read with plain ``ast``: string constants, dotted names
through a module's imports, the string keys of a literal mapping, and short source text."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Import:
    """What a local name stands for: ``module`` (absolute or relative by ``level``) and,
    for ``from m import x``, the attribute ``attr``."""

    module: str
    level: int = 0
    attr: str | None = None


def collect_imports(nodes: Iterable[ast.AST], absolute_only: bool = False) -> dict[str, Import]:
    """Local name -> what it was imported as, for every import among ``nodes`` (relative
    ``from`` imports left out with ``absolute_only``)."""
    found: dict[str, Import] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = Import(alias.name)
                else:
                    head = alias.name.split(".")[0]
                    found[head] = Import(head)
        elif isinstance(node, ast.ImportFrom):
            if absolute_only and node.level:
                continue
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = Import(
                        node.module or "", node.level, alias.name
                    )
    return found


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def qualified(node: ast.AST, imports: dict[str, Import]) -> str | None:
    """The absolute dotted name an expression stands for, through the module's imports."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    imp = imports.get(head)
    if imp is None or imp.level:
        return name
    base = f"{imp.module}.{imp.attr}" if imp.attr else imp.module
    return f"{base}.{rest}" if rest else base


def const_str(node: ast.AST | None) -> str | None:
    """The value of a string constant, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def dict_keys(node: ast.AST) -> frozenset[str] | None:
    """String keys of a dict literal or ``dict(...)`` call; None when not a literal mapping."""
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            return None
        keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
        if len(keys) != len(node.keys) or not all(isinstance(k, str) for k in keys):
            return None
        return frozenset(str(k) for k in keys)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and not node.args
        and all(kw.arg is not None for kw in node.keywords)
    ):
        return frozenset(str(kw.arg) for kw in node.keywords)
    return None


def source_text(node: ast.AST, limit: int) -> str:
    """The source of an expression for a message, cut to ``limit`` characters."""
    try:
        text = ast.unparse(node)
    except Exception:
        text = type(node).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
