"""Run every check over the collected nodes of one module.

Checks register themselves per phase with :func:`register`. Phases run in order:

1. ``prepare``: facts other checks depend on (serializer names this file registers with
   unsafe decoders, CPK008), so that ``accept_content = ['my_pickle']`` counts everywhere;
2. ``calls`` and ``assigns``: the calls and assignments, in source order;
3. ``dicts``: dict literals of Celery settings that no configuration call consumed;
4. ``finish``: module-wide judgements (CPK004).

Most calls of a module (``len(x)``, ``self.assertEqual(...)``) concern no check. A check that
judges calls says which it can report on: calls whose function's last name (``update`` in
``app.conf.update(...)``) is one of ``names``, and, with ``symbols``, calls of anything that
resolves to a Celery or kombu symbol, however it is spelled (``App(...)`` after
``from celery import Celery as App``). Other calls are never handed to it. Whether a call's
function may be Celery's or kombu's is worked out once per call, in source order, interleaved
with the first check that asks (so names resolve in the order they always did), and only as far
as needed: a function whose root name is unbound or known to be something else is not resolved.
"""

from __future__ import annotations

import ast
from typing import Callable, Container, Dict, List, NamedTuple, Optional, Tuple

from flake8_celery_pickle.finding import Finding
from flake8_celery_pickle.python.astutil import tail
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.model import Scope, build_model
from flake8_celery_pickle.settings import Settings

NodeCheck = Callable[[Context, ast.AST, Scope], None]
FinishCheck = Callable[[Context], None]

PHASES = ("prepare", "calls", "assigns", "dicts")


class Wanted(NamedTuple):
    """The calls a check can report on (see the module docstring)."""

    names: Optional[Container[Optional[str]]]
    symbols: bool


#: Every call, as before checks declared what they want.
EVERY_CALL = Wanted(None, True)
_CHECKS: Dict[str, List[Tuple[NodeCheck, Wanted]]] = {phase: [] for phase in PHASES}
_FINISH: List[FinishCheck] = []


def register(
    phase: str,
    names: Optional[Container[Optional[str]]] = None,
    symbols: bool = False,
) -> Callable[[NodeCheck], NodeCheck]:
    """Register a check. ``names`` (with ``symbols``) limits the calls it is given; without
    ``names`` it is given every call of its phase."""
    wanted = EVERY_CALL if names is None else Wanted(names, symbols)

    def decorate(check: NodeCheck) -> NodeCheck:
        _CHECKS[phase].append((check, wanted))
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
    calls = model.calls
    may_be_celery = ctx.resolver.may_be_celery
    by_name: Dict[Optional[str], List[int]] = {}
    for index, (call, _) in enumerate(calls):
        by_name.setdefault(tail(call.func), []).append(index)
    # Per call: whether its function resolves to a Celery or kombu symbol (None: not asked yet).
    celery: List[Optional[bool]] = [None] * len(calls)

    def is_celery(index: int) -> bool:
        known = celery[index]
        if known is None:
            call, scope = calls[index]
            known = celery[index] = may_be_celery(call.func, scope)
        return known

    for phase in PHASES:
        for check, wanted in _CHECKS[phase]:
            if phase == "assigns":
                for node, scope in model.assigns:
                    check(ctx, node, scope)
                continue
            if phase == "dicts":  # then the calls: ``dict(...)`` calls are dict literals too
                for node, scope in model.dicts:
                    check(ctx, node, scope)
            if wanted.names is None:
                for node, scope in calls:
                    check(ctx, node, scope)
                continue
            chosen = {
                index
                for name, indexes in by_name.items()
                if name in wanted.names
                for index in indexes
            }
            if wanted.symbols:
                # In source order; a function is resolved (once) just before its call is judged.
                selected = (i for i in range(len(calls)) if i in chosen or is_celery(i))
            else:
                selected = iter(sorted(chosen))
            for index in selected:
                node, scope = calls[index]
                check(ctx, node, scope)
    for finish in _FINISH:
        finish(ctx)
    return ctx.findings
