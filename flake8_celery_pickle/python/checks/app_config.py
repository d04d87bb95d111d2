"""Configuration calls and app construction (CPK003, CPK004, CPK010 on ``Celery(backend=)``).

Configuration calls: ``<x>.conf.update(...)``, ``<x>.conf.setdefault(name, value)``,
``<x>.add_defaults(...)`` / ``<x>.conf.add_defaults(...)``, ``<x>.config_from_object({...})``
and ``Celery(...)`` with setting keywords, ``changes=`` or ``config_source=`` dicts. Every
setting they write goes through :func:`~.settings.write_setting` with the call's name, so the
value rules are the same as for a plain assignment. Calls that load configuration this file
cannot see (``config_from_object('pkg.mod')``, ``config_from_envvar``, ``config_source=``,
``namespace=``, ``conf.update(<non-literal>)``) mark the module as configured elsewhere, which
keeps CPK004 silent.
"""

from __future__ import annotations

import ast
from typing import FrozenSet, Optional

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.python.astutil import argument, render
from flake8_celery_pickle.python.checks.settings import pickled_backend, write_setting
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.judge import register, register_finish
from flake8_celery_pickle.python.model import Scope
from flake8_celery_pickle.python.symbols import APP_CLASS


def _literal_settings(
    ctx: Context, node: Optional[ast.expr], scope: Scope, call: str, owner: Optional[str]
) -> bool:
    """Judge a literal mapping of settings passed to a configuration call.

    Returns False when the argument is not a literal (its settings come from elsewhere).
    """
    if node is None:
        return True
    if isinstance(node, ast.Lambda):  # add_defaults(lambda: {...})
        return _literal_settings(ctx, node.body, scope, call, owner)
    if isinstance(node, ast.Dict):
        ctx.consumed.add(id(node))
        for key, value in zip(node.keys, node.values):
            if key is None:  # {**other}
                if not _literal_settings(ctx, value, scope, call, owner):
                    return False
            elif isinstance(key, ast.Constant):
                write_setting(ctx, key.value, value, scope, call=call, owner=owner)
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        ctx.consumed.add(id(node))
        known = True
        for arg in node.args:
            known = _literal_settings(ctx, arg, scope, call, owner) and known
        for kw in node.keywords:
            if kw.arg is None:
                known = _literal_settings(ctx, kw.value, scope, call, owner) and known
            else:
                write_setting(ctx, kw.arg, kw.value, scope, call=call, owner=owner)
        return known
    if isinstance(node, (ast.List, ast.Tuple)):  # [('task_serializer', 'pickle'), ...]
        for pair in node.elts:
            if isinstance(pair, (ast.Tuple, ast.List)) and len(pair.elts) == 2:
                key, value = pair.elts
                if isinstance(key, ast.Constant):
                    write_setting(ctx, key.value, value, scope, call=call, owner=owner)
        return True
    return False


def _keywords(
    ctx: Context,
    call_node: ast.Call,
    scope: Scope,
    call: str,
    owner: Optional[str],
    skip: FrozenSet[str] = frozenset(),
) -> bool:
    known = True
    for kw in call_node.keywords:
        if kw.arg is None:
            known = _literal_settings(ctx, kw.value, scope, call, owner) and known
        elif kw.arg not in skip:
            write_setting(ctx, kw.arg, kw.value, scope, call=call, owner=owner)
    return known


#: Methods of an app's configuration that write settings.
_CONF_METHODS = frozenset({"update", "setdefault", "add_defaults"})
#: Every method name :func:`configuration_call` judges; any other call is skipped before its
#: receiver is resolved or its name rendered.
_CONFIG_METHODS = _CONF_METHODS | {"config_from_object", "config_from_envvar"}


@register("calls", names=_CONFIG_METHODS)
def configuration_call(ctx: Context, node: ast.AST, scope: Scope) -> None:
    assert isinstance(node, ast.Call)
    func = node.func
    if not isinstance(func, ast.Attribute):
        return
    name = func.attr
    if name not in _CONFIG_METHODS:
        return
    call = render(func, call=True)
    owner = ctx.owner(func.value)
    on_conf = name in _CONF_METHODS and ctx.is_conf(func.value, scope)
    if name == "update" and on_conf:
        known = _keywords(ctx, node, scope, call, owner)
        for arg in node.args:
            known = _literal_settings(ctx, arg, scope, call, owner) and known
        if not known:
            ctx.external.add(owner)
    elif name == "setdefault" and on_conf and len(node.args) == 2:
        key, value = node.args
        if isinstance(key, ast.Constant):
            write_setting(ctx, key.value, value, scope, call=call, owner=owner)
    elif name == "add_defaults" and (on_conf or _is_app_like(ctx, func.value, scope)):
        if not all(_literal_settings(ctx, arg, scope, call, owner) for arg in node.args):
            ctx.external.add(owner)
    elif name == "config_from_object" and _is_app_like(ctx, func.value, scope):
        source = argument(node, 0, "obj")
        literal = source is not None and _literal_settings(ctx, source, scope, call, owner)
        if not literal or any(kw.arg == "namespace" for kw in node.keywords):
            ctx.external.add(owner)
    elif name == "config_from_envvar" and _is_app_like(ctx, func.value, scope):
        ctx.external.add(owner)


def _is_app_like(ctx: Context, node: ast.expr, scope: Scope) -> bool:
    """An app, or an unresolved receiver in a module that uses Celery."""
    symbol = ctx.resolver.symbol(node, scope)
    if symbol is None:
        return ctx.resolver.celery_context
    return symbol.startswith("celery.")


@register("calls", names=(), symbols=True)
def app_construction(ctx: Context, node: ast.AST, scope: Scope) -> None:
    """``Celery(...)``: setting keywords, ``changes=`` / ``config_source=``, ``backend=``."""
    assert isinstance(node, ast.Call)
    if ctx.resolver.symbol(node.func, scope) != APP_CLASS:
        return
    owner = _bound_name(ctx, node)
    # An app built in a function is returned and configured under its caller's name: judged
    # like an app bound to no name.
    ctx.apps.append((node, None if scope.kind == "function" else owner))
    call = render(node.func, call=True)
    _keywords(ctx, node, scope, call, owner, skip=vocabulary.APP_ARGUMENTS)
    for kw in node.keywords:
        if kw.arg == "changes":
            _literal_settings(ctx, kw.value, scope, call, owner)
        elif kw.arg == "config_source":
            if not isinstance(kw.value, ast.Dict):
                ctx.external.add(owner)
            _literal_settings(ctx, kw.value, scope, call, owner)
        elif kw.arg == "namespace":
            ctx.external.add(owner)
        elif kw.arg == "backend":
            pickled_backend(ctx, kw.value, scope)


def _bound_name(ctx: Context, call: ast.Call) -> Optional[str]:
    """``app`` for ``app = Celery(...)``; None when the app is not bound to a plain name."""
    parent = ctx.model.parents.get(id(call))
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return targets[0].id
    return None


@register_finish
def implicit_serializers(ctx: Context) -> None:
    """CPK004: an app that neither gets both settings in this module nor loads them from
    elsewhere. Module-wide settings and configuration sources count for every app."""
    if None in ctx.external:
        return
    module_wide = ctx.explicit.get(None, set())
    configured = set().union(*ctx.explicit.values())
    for app, owner in ctx.apps:
        if owner is None:
            # ``return Celery(__name__)`` in a factory: the caller binds the app to a name of
            # its own, so every configuration written in the module may be this app's.
            if ctx.external:
                continue
            explicit = configured
        elif owner in ctx.external:
            continue
        else:
            explicit = module_wide | ctx.explicit.get(owner, set())
        missing = [name for name in vocabulary.REQUIRED_EXPLICIT if name not in explicit]
        if missing:
            ctx.report("CPK004", app, missing=" and ".join(missing))
