"""Celery settings written directly (CPK001, CPK002, CPK010, and option dicts for CPK005).

Forms: module-level and class-body assignments (annotated and augmented too),
``<x>.conf.<name> = ...``, ``<x>.conf['<name>'] = ...``, ``setattr(<x>.conf, '<name>', ...)``,
in-place growth of an accept list, and entries of dict literals of Celery settings.
:func:`write_setting` is the one judgement every form (and every configuration call) goes
through.
"""

from __future__ import annotations

import ast
from typing import Optional, Set

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.python.astutil import argument, is_dict_call, keyword
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.judge import register
from flake8_celery_pickle.python.model import Scope
from flake8_celery_pickle.python.values import Prefix

_GROWTH = {"append": 0, "extend": 0, "add": 0, "update": 0, "insert": 1}
_MAX_OPTION_DEPTH = 12
_CACHE_URL = "django-cache://"


def write_setting(
    ctx: Context,
    name: object,
    value: ast.expr,
    scope: Scope,
    call: Optional[str] = None,
    owner: Optional[str] = None,
) -> None:
    """Judge ``name = value`` as a Celery setting.

    ``call`` names the configuration call that writes it; ``owner`` is the variable of the app
    whose configuration it is (None: the module's settings).
    """
    canonical = ctx.setting(name)
    if canonical is None:
        return
    ctx.mark_explicit(canonical, owner)
    if vocabulary.is_serializer_setting(canonical) or vocabulary.is_accept_setting(canonical):
        for text, carrier in ctx.pickle_in(value, scope):
            if call is not None:
                ctx.report("CPK003", carrier, call=call, setting=name, value=text)
            elif vocabulary.is_serializer_setting(canonical):
                risk = vocabulary.SERIALIZER_RISK[canonical]
                ctx.report("CPK001", carrier, setting=name, value=text, risk=risk)
            else:
                ctx.report("CPK002", carrier, setting=name, value=text)
    elif canonical in vocabulary.OPTION_DICT_SETTINGS:
        option_serializers(ctx, value, scope, f"{name} entry", set(), 0)
    elif canonical in vocabulary.BACKEND_SETTINGS:
        pickled_backend(ctx, value, scope)


def option_serializers(
    ctx: Context, node: ast.AST, scope: Scope, api: str, seen: Set[int], depth: int
) -> None:
    """CPK005 for ``'serializer': <pickle>`` anywhere inside an option structure."""
    if depth > _MAX_OPTION_DEPTH or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value == "serializer":
                for text, carrier in ctx.pickle_in(value, scope):
                    ctx.report("CPK005", carrier, api=api, value=text)
            else:
                option_serializers(ctx, value, scope, api, seen, depth + 1)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            option_serializers(ctx, elt, scope, api, seen, depth + 1)
    elif isinstance(node, ast.Call):
        serializer = keyword(node, "serializer")
        if serializer is not None and is_dict_call(node):
            for text, carrier in ctx.pickle_in(serializer, scope):
                ctx.report("CPK005", carrier, api=api, value=text)
        for kw in node.keywords:
            if kw.arg != "serializer":
                option_serializers(ctx, kw.value, scope, api, seen, depth + 1)
    elif isinstance(node, ast.Name):
        bindings, holder = scope.lookup(node.id)
        for binding in bindings:
            if binding.node is not None and binding.kind is None and not binding.indirect:
                option_serializers(ctx, binding.node, holder or scope, api, seen, depth + 1)


def pickled_backend(ctx: Context, value: ast.AST, scope: Scope) -> None:
    """CPK010: a result backend that stores results pickled whatever the settings say.

    An f-string counts by its leading text: ``f'db+sqlite:///{path}'`` is a database backend
    whatever ``path`` holds, as is ``'db+sqlite:///' + path``.
    """
    for text, carrier in ctx.url_values.strings(value, scope):
        if isinstance(text, Prefix) and (text == "django-cache" or text.startswith(_CACHE_URL)):
            ctx.report("CPK010", carrier, backend="django-cache")
        elif text == "django-cache":
            ctx.report("CPK010", carrier, backend=text)
        elif text.startswith("db+"):
            # Never echo a URL: it may hold credentials.
            scheme, separator, _ = text.partition("://")
            if isinstance(text, Prefix) and not separator:  # f'db+{driver}://...'
                ctx.report("CPK010", carrier, backend=f"{scheme}...")
            else:
                ctx.report("CPK010", carrier, backend=f"{scheme}://...")


# -- assignment forms ---------------------------------------------------------------------


@register("assigns")
def assignment(ctx: Context, node: ast.AST, scope: Scope) -> None:
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return
    for target in targets:
        _target(ctx, target, value, scope)


def _target(ctx: Context, target: ast.expr, value: ast.expr, scope: Scope) -> None:
    if isinstance(target, ast.Name):
        if scope.kind == "class" and _is_task_class(ctx, scope):
            return  # Task attributes are per-task options, judged by per_call.
        if scope.kind in ("module", "class"):
            write_setting(ctx, target.id, value, scope)
    elif isinstance(target, ast.Attribute):
        if ctx.is_conf(target.value, scope):
            write_setting(ctx, target.attr, value, scope, owner=ctx.owner(target.value))
    elif isinstance(target, ast.Subscript) and ctx.is_conf(target.value, scope):
        key = _subscript_key(target)
        if key is not None:
            write_setting(ctx, key, value, scope, owner=ctx.owner(target.value))
    elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
        if len(target.elts) == len(value.elts):
            for sub_target, sub_value in zip(target.elts, value.elts):
                _target(ctx, sub_target, sub_value, scope)


def _is_task_class(ctx: Context, scope: Scope) -> bool:
    node = scope.node
    return isinstance(node, ast.ClassDef) and ctx.resolver.is_task_class(
        node, scope.parent or scope
    )


def _subscript_key(target: ast.Subscript) -> Optional[str]:
    key = target.slice
    if isinstance(key, ast.Index):  # pragma: no cover - Python 3.8 shape
        key = key.value  # type: ignore[attr-defined]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


# -- calls that write a setting -------------------------------------------------------------


@register("calls", names={"setattr"})
def setattr_conf(ctx: Context, node: ast.AST, scope: Scope) -> None:
    """``setattr(app.conf, 'task_serializer', 'pickle')``."""
    assert isinstance(node, ast.Call)
    if not (isinstance(node.func, ast.Name) and node.func.id == "setattr" and len(node.args) == 3):
        return
    receiver, name, value = node.args
    if ctx.is_conf(receiver, scope) and isinstance(name, ast.Constant):
        write_setting(ctx, name.value, value, scope, owner=ctx.owner(receiver))


@register("calls", names=_GROWTH)
def accept_growth(ctx: Context, node: ast.AST, scope: Scope) -> None:
    """``app.conf.accept_content.append('pickle')`` and the other in-place growth methods."""
    assert isinstance(node, ast.Call)
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in _GROWTH:
        return
    name = _grown_setting(ctx, func.value, scope)
    if name is None or not vocabulary.is_accept_setting(ctx.setting(name)):
        return
    value = argument(node, _GROWTH[func.attr], "")
    if value is None:
        return
    if func.attr in ("append", "add", "insert"):
        value = ast.List(elts=[value], ctx=ast.Load())
    for text, carrier in ctx.pickle_in(value, scope):
        ctx.report("CPK002", carrier, setting=name, value=text)


def _grown_setting(ctx: Context, receiver: ast.expr, scope: Scope) -> Optional[str]:
    if isinstance(receiver, ast.Attribute) and ctx.is_conf(receiver.value, scope):
        return receiver.attr
    if isinstance(receiver, ast.Subscript) and ctx.is_conf(receiver.value, scope):
        return _subscript_key(receiver)
    if isinstance(receiver, ast.Name):
        _, holder = scope.lookup(receiver.id)
        if holder is not None and holder.kind in ("module", "class"):
            return receiver.id
    return None


# -- dict literals of settings --------------------------------------------------------------


@register("dicts", names=())
def settings_dict(ctx: Context, node: ast.AST, scope: Scope) -> None:
    """Entries of a dict literal of Celery settings that no configuration call consumed."""
    if not isinstance(node, ast.Dict) or id(node) in ctx.consumed or _compared(ctx, node):
        return
    for key, value in zip(node.keys, node.values):
        if isinstance(key, ast.Constant):
            write_setting(ctx, key.value, value, scope)


@register("dicts", names={"dict"})
def settings_dict_call(ctx: Context, node: ast.AST, scope: Scope) -> None:
    """``dict(task_serializer='pickle', ...)`` outside a configuration call."""
    if not isinstance(node, ast.Call) or id(node) in ctx.consumed or _compared(ctx, node):
        return
    if is_dict_call(node) and not scope.lookup("dict")[0]:
        for kw in node.keywords:
            if kw.arg is not None:
                write_setting(ctx, kw.arg, kw.value, scope)


def _compared(ctx: Context, node: ast.AST) -> bool:
    """``assert app.conf.changes == {'task_serializer': 'pickle'}``: a read, not a write."""
    return isinstance(ctx.model.parents.get(id(node)), ast.Compare)
