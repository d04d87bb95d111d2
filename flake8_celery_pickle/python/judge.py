"""Run every check over the collected nodes of one module.

Checks register themselves per phase and node kind with :func:`register`. Phases run in order:

1. ``prepare``: facts other checks depend on (serializer names this file registers with
   unsafe decoders, CPK008), so that ``accept_content = ['my_pickle']`` counts everywhere;
2. ``calls`` and ``assigns``: the calls and assignments, in source order;
3. ``dicts``: dict literals of Celery settings that no configuration call consumed;
4. ``finish``: module-wide judgements (CPK004).
"""

from __future__ import annotations

import ast
from typing import Callable, Dict, List, Tuple

from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.model import Scope, build_model
from flake8_celery_pickle.settings import Settings

NodeCheck = Callable[[Context, ast.AST, Scope], None]
FinishCheck = Callable[[Context], None]

PHASES = ("prepare", "calls", "assigns", "dicts")
_CHECKS: Dict[str, List[NodeCheck]] = {phase: [] for phase in PHASES}
_FINISH: List[FinishCheck] = []


def register(phase: str) -> Callable[[NodeCheck], NodeCheck]:
    def decorate(check: NodeCheck) -> NodeCheck:
        _CHECKS[phase].append(check)
        return check

    return decorate


def register_finish(check: FinishCheck) -> FinishCheck:
    _FINISH.append(check)
    return check


def judge(tree: ast.AST, settings: Settings) -> List[Finding]:
    # Importing the package registers every check exactly once.
    from flake8_celery_pickle.python import checks  # noqa: F401

    model = build_model(tree)
    ctx = Context(model, settings)
    sources: Dict[str, List[Tuple[ast.AST, Scope]]] = {
        "prepare": model.calls,  # type: ignore[dict-item]
        "calls": model.calls,  # type: ignore[dict-item]
        "assigns": model.assigns,  # type: ignore[dict-item]
        # ``dict(...)`` calls are dict literals too.
        "dicts": [*model.dicts, *model.calls],  # type: ignore[list-item]
    }
    for phase in PHASES:
        for check in _CHECKS[phase]:
            for node, scope in sources[phase]:
                check(ctx, node, scope)
    for finish in _FINISH:
        finish(ctx)
    return ctx.findings
