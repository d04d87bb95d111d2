"""Configuration calls and app construction (CPK003, CPK004, CPK010 on ``Celery(backend=)``).

Configuration calls: ``<x>.conf.update(...)``, ``<x>.conf.setdefault(name, value)``,
``<x>.add_defaults(...)`` / ``<x>.conf.add_defaults(...)``, ``<x>.config_from_object({...})``
and ``Celery(...)`` with setting keywords, ``changes=`` or ``config_source=`` dicts. Every
setting they write goes through :func:`~.settings.write_setting` with the call's name, so the
value rules are the same as for a plain assignment. Calls that load configuration this file
cannot see (``config_from_object('pkg.mod')``, ``config_from_envvar``, ``config_source=``,
``namespace=``, ``conf.update(<non-literal>)``, ``loader=`` naming any loader but the app loader,
such as the default loader that reads ``celeryconfig``) mark the app as configured elsewhere,
and a module that sets ``CELERY_CONFIG_MODULE`` (read by every app without a configuration
source of its own) is configured elsewhere as a whole: this keeps CPK004 silent, and the
command's project view follows them.
"""

from __future__ import annotations

import ast
from typing import FrozenSet, Optional

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.python.astutil import argument, is_dict_call, render
from flake8_celery_pickle.python.checks.settings import pickled_backend, write_setting
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.judge import register, register_finish
from flake8_celery_pickle.python.model import Scope
from flake8_celery_pickle.python.symbols import APP_CLASS
from flake8_celery_pickle.vocabulary import APP_LOADERS, CONFIG_MODULE_VAR


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
    if isinstance(node, ast.Call) and is_dict_call(node):
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
        elif kw.arg == "namespace" or (
            kw.arg == "loader" and not _is_app_loader(ctx, kw.value, scope)
        ):
            ctx.external.add(owner)
        elif kw.arg == "backend":
            pickled_backend(ctx, kw.value, scope)


def _is_app_loader(ctx: Context, node: ast.expr, scope: Scope) -> bool:
    """``loader=None``, ``loader='app'``, ``loader=AppLoader``: the loader that reads no
    configuration of its own (only ``CELERY_CONFIG_MODULE``)."""
    if isinstance(node, ast.Constant):
        return node.value is None or node.value in APP_LOADERS
    if isinstance(node, (ast.Name, ast.Attribute)):
        return ctx.resolver.symbol(node, scope) in APP_LOADERS
    return False


def _sets_config_module(ctx: Context) -> bool:
    """Whether the module sets ``CELERY_CONFIG_MODULE`` (``os.environ.setdefault(...)``,
    ``os.environ[...] = ...``, ``os.environ.update(...)``, ``os.putenv(...)``), whatever the
    value: every app without a configuration source of its own then reads that module."""
    for call, _ in ctx.model.calls:
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        if func.attr in ("setdefault", "putenv") and len(call.args) >= 2:
            if (func.attr == "putenv" or _is_environ(func.value)) and _is_var(call.args[0]):
                return True
        elif func.attr == "update" and _is_environ(func.value):
            if any(kw.arg == CONFIG_MODULE_VAR for kw in call.keywords):
                return True
            for arg in call.args:
                if isinstance(arg, ast.Dict) and any(_is_var(key) for key in arg.keys):
                    return True
    for stmt, _ in ctx.model.assigns:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _is_environ(target.value)
                    and _is_var(target.slice)
                ):
                    return True
    return False


def _is_environ(node: ast.AST) -> bool:
    """``os.environ`` or a bare ``environ`` (``from os import environ``)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _is_var(node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Constant) and node.value == CONFIG_MODULE_VAR


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
    if None in ctx.external or not ctx.apps:
        return
    module_wide = ctx.explicit.get(None, set())
    configured = set().union(*ctx.explicit.values())
    judged = False
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
            if not judged:
                # looked up once, and only when an app would be reported: every app of a
                # module that sets CELERY_CONFIG_MODULE may read the module it names
                if _sets_config_module(ctx):
                    return
                judged = True
            ctx.report("CPK004", app, missing=" and ".join(missing))
