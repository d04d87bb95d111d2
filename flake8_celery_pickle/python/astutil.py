"""Small, pure helpers over ``ast`` nodes shared by the checker modules."""

from __future__ import annotations

import ast
from typing import Optional, Tuple

#: Longest rendering of an expression inside a message.
MAX_RENDER = 48


def render(node: ast.AST, call: bool = False) -> str:
    """A short source rendering of ``node`` for messages (``app.conf.update()``)."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError, AttributeError):
        text = f"...{node.attr}" if isinstance(node, ast.Attribute) else type(node).__name__
    text = " ".join(text.split())
    if len(text) > MAX_RENDER:
        text = "..." + text[-(MAX_RENDER - 3) :]
    return f"{text}()" if call else text


def tail(node: ast.AST) -> Optional[str]:
    """The last name of a dotted expression: ``update`` for ``app.conf.update``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def is_dict_call(node: ast.AST) -> bool:
    """Whether ``node`` is written ``dict(...)`` (a dict literal by another name)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"


def branches(node: ast.AST) -> Tuple[ast.expr, ...]:
    """The expressions a conditional (``a if c else b``) or an ``or`` may evaluate to; empty
    for any other node."""
    if isinstance(node, ast.IfExp):
        return (node.body, node.orelse)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return tuple(node.values)
    return ()


def keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def argument(call: ast.Call, position: int, name: str) -> Optional[ast.expr]:
    """A call's argument given by keyword or at ``position`` (before any ``*args``)."""
    found = keyword(call, name)
    if found is not None:
        return found
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            return None
        if index == position:
            return arg
    return None
