"""Celery message signing with pickle inside the ``auth`` envelope (CPK009)."""

from __future__ import annotations

import ast

from flake8_celery_pickle.python.astutil import argument, keyword, tail
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.judge import register
from flake8_celery_pickle.python.model import Scope

#: ``celery.security.setup_security`` and ``app.setup_security``, however imported.
SETUP = "celery.Celery().setup_security"


@register("calls", names={"setup_security"}, symbols=True)
def signed_pickle(ctx: Context, node: ast.AST, scope: Scope) -> None:
    """``setup_security(serializer=<pickle>)`` or ``allowed_serializers`` with pickle."""
    assert isinstance(node, ast.Call)
    if tail(node.func) != "setup_security" and ctx.resolver.symbol(node.func, scope) != SETUP:
        return
    for value in (keyword(node, "serializer"), argument(node, 0, "allowed_serializers")):
        if value is not None:
            for text, carrier in ctx.pickle_in(value, scope):
                ctx.report("CPK009", carrier, value=text)
