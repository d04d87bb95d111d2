"""kombu's serializer registry: switches that enable pickle (CPK007) and unsafe registrations
(CPK008).

Registrations are judged in the ``prepare`` phase: a name registered here with a decoder that
can run code counts as pickle in every other check of the file.
"""

from __future__ import annotations

import ast
from typing import Optional, Set

from flake8_celery_pickle.python.astutil import argument, keyword, render, tail
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.judge import register
from flake8_celery_pickle.python.model import Scope
from flake8_celery_pickle.python.symbols import is_celery_symbol

#: Loaders that run code whatever their arguments.
UNSAFE_LOADERS = frozenset(
    {
        "pickle.loads",
        "pickle.load",
        "pickle.Unpickler",
        "_pickle.loads",
        "_pickle.load",
        "cPickle.loads",
        "cPickle.load",
        "dill.loads",
        "dill.load",
        "cloudpickle.loads",
        "cloudpickle.load",
        "jsonpickle.decode",
        "jsonpickle.loads",
        "yaml.unsafe_load",
        "yaml.unsafe_load_all",
        "yaml.full_load",
        "yaml.full_load_all",
        "marshal.loads",
        "marshal.load",
        "shelve.open",
        "joblib.load",
        "pandas.read_pickle",
        "kombu.serialization.pickle_loads",
        "kombu.serialization.unpickle",
        "kombu.serialization.pickle.loads",
        "kombu.serialization.pickle.load",
        "torch.load",
        "yaml.load",
        "yaml.load_all",
        "pickle._loads",
    }
)
#: Loaders that run code only with some arguments (checked on the call).
_SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
TRUSTED_CONTENT_TYPES = frozenset({"application/data", "application/text"})
PICKLE_CONTENT_TYPES = frozenset({"application/x-python-serialize"})
_MAX_FOLLOW = 8


def _is_kombu_call(ctx: Context, call: ast.Call, scope: Scope, names: Set[str]) -> bool:
    symbol = ctx.resolver.symbol(call.func, scope)
    if symbol is not None:
        return symbol in names
    return ctx.resolver.kombu_context and tail(call.func) in {n.rsplit(".", 1)[1] for n in names}


# -- CPK008 -------------------------------------------------------------------------------


@register("prepare", names={"register", "register_type", "setup"}, symbols=True)
def registration(ctx: Context, node: ast.AST, scope: Scope) -> None:
    assert isinstance(node, ast.Call)
    if _is_kombu_call(ctx, node, scope, {"kombu.serialization.register"}):
        name_arg, decoder_arg = argument(node, 0, "name"), argument(node, 2, "decoder")
        content_type = argument(node, 3, "content_type")
    elif _is_kombu_call(ctx, node, scope, {"kombu.utils.json.register_type"}):
        name_arg, decoder_arg, content_type = (
            argument(node, 1, "marker"),
            argument(node, 3, "decoder"),
            None,
        )
    else:
        _entry_points(ctx, node, scope)
        return
    names = ctx.strings(name_arg, scope) if name_arg is not None else []
    types = ctx.strings(content_type, scope) if content_type is not None else []
    reason = None
    if decoder_arg is not None:
        reason = unsafe_decoder(ctx, decoder_arg, scope, 0)
    if reason is None:
        trusted = [t for t in types if t in TRUSTED_CONTENT_TYPES | PICKLE_CONTENT_TYPES]
        if trusted:
            reason = f"any decoder under '{trusted[0]}'"
    if reason is None:
        return
    ctx.unsafe.update(names)
    ctx.unsafe.update(t for t in types if t not in TRUSTED_CONTENT_TYPES)
    ctx.report("CPK008", node, serializer=names[0] if names else "?", decoder=reason)


def unsafe_decoder(ctx: Context, node: ast.AST, scope: Scope, depth: int) -> Optional[str]:
    """Why ``node`` (a decoder: reference, lambda, partial or local function) can run code."""
    if depth > _MAX_FOLLOW:
        return None
    if isinstance(node, ast.Lambda):
        for inner in ast.walk(node.body):
            if isinstance(inner, ast.Call):
                found = _unsafe_call(ctx, inner, scope, depth)
                if found:
                    return found
        return None
    if isinstance(node, ast.Call):
        symbol = ctx.resolver.symbol(node.func, scope)
        if symbol in ("functools.partial", "functools.partialmethod") and node.args:
            return _unsafe_reference(ctx, node.args[0], scope, depth, node)
        return None
    return _unsafe_reference(ctx, node, scope, depth, None)


def _unsafe_reference(
    ctx: Context, node: ast.AST, scope: Scope, depth: int, partial: Optional[ast.Call]
) -> Optional[str]:
    symbol = ctx.resolver.symbol(node, scope)
    if symbol in UNSAFE_LOADERS:
        if partial is not None and not _unsafe_arguments(ctx, symbol, partial, scope):
            return None
        return symbol
    if (
        symbol == "numpy.load"
        and partial is not None
        and _unsafe_arguments(ctx, symbol, partial, scope)
    ):
        return symbol
    if isinstance(node, ast.Name):
        bindings, holder = scope.lookup(node.id)
        for binding in bindings:
            value = binding.node
            if isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found = _unsafe_function(ctx, value, depth)
                if found:
                    return found
            elif isinstance(value, (ast.Lambda, ast.Call, ast.Name, ast.Attribute)):
                found = unsafe_decoder(ctx, value, holder or scope, depth + 1)
                if found:
                    return found
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        # ``Codec.decode``: a method of a class defined in this file.
        for binding in scope.lookup(node.value.id)[0]:
            if isinstance(binding.node, ast.ClassDef):
                for method in binding.node.body:
                    if (
                        isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and method.name == node.attr
                    ):
                        found = _unsafe_function(ctx, method, depth)
                        if found:
                            return found
    return None


def _unsafe_function(
    ctx: Context, func: ast.FunctionDef | ast.AsyncFunctionDef, depth: int
) -> Optional[str]:
    """Why a function defined in this file can run code: a call it makes directly."""
    for call in ctx.calls_in(func):
        found = _unsafe_call(ctx, call, ctx.model.scope_of_def[id(func)], depth)
        if found:
            return f"{found} in {func.name}()"
    return None


def _unsafe_call(ctx: Context, call: ast.Call, scope: Scope, depth: int) -> Optional[str]:
    symbol = ctx.resolver.symbol(call.func, scope)
    if symbol in UNSAFE_LOADERS or symbol == "numpy.load":
        return symbol if _unsafe_arguments(ctx, symbol, call, scope) else None
    if isinstance(call.func, ast.Name):  # a helper defined in this file
        found = _unsafe_reference(ctx, call.func, scope, depth + 1, None)
        if found:
            return found
    return None


def _unsafe_arguments(ctx: Context, symbol: str, call: ast.Call, scope: Scope) -> bool:
    if symbol in ("yaml.load", "yaml.load_all"):
        loader = argument(call, 1, "Loader")
        return loader is None or tail(loader) not in _SAFE_YAML_LOADERS
    if symbol == "numpy.load":
        flag = keyword(call, "allow_pickle")
        return isinstance(flag, ast.Constant) and flag.value is True
    if symbol == "torch.load":
        flag = keyword(call, "weights_only")
        return not (isinstance(flag, ast.Constant) and flag.value is True)
    return True


def _entry_points(ctx: Context, node: ast.Call, scope: Scope) -> None:
    """``setup(entry_points={'kombu.serializers': [...]})`` in setup.py."""
    if tail(node.func) != "setup":
        return
    entry_points = keyword(node, "entry_points")
    if not isinstance(entry_points, ast.Dict):
        return
    for key, value in zip(entry_points.keys, entry_points.values):
        if isinstance(key, ast.Constant) and key.value == "kombu.serializers":
            for text in ctx.strings(value, scope):
                name, _, target = text.partition("=")
                ctx.report(
                    "CPK008",
                    key,
                    serializer=name.strip(),
                    decoder=f"entry point {target.strip()}, loaded by every kombu process",
                )


# -- CPK007 -------------------------------------------------------------------------------


_SWITCHES = {
    "enable_insecure_serializers": "choices",
    "disable_insecure_serializers": "allowed",
    "enable": "name",
    "_set_default_serializer": "name",
    "loads": "",
}
_SWITCH_NAMES = frozenset(_SWITCHES)


@register("calls", names=_SWITCH_NAMES, symbols=True)
def registry_switch(ctx: Context, node: ast.AST, scope: Scope) -> None:
    assert isinstance(node, ast.Call)
    name = tail(node.func)
    if name not in _SWITCHES:
        # ``from kombu import enable_insecure_serializers as allow``: judged by what it is.
        symbol = ctx.resolver.symbol(node.func, scope)
        name = symbol.rpartition(".")[2] if symbol and symbol.startswith("kombu.") else None
    if name not in _SWITCHES or not _kombu_api(ctx, node, scope):
        return
    call = render(node.func, call=True)
    if name == "enable_insecure_serializers":
        choices = argument(node, 0, "choices")
        if choices is None:
            ctx.report("CPK007", node, call=call)
        elif not (isinstance(choices, ast.Constant) and choices.value is None):
            for _, carrier in ctx.pickle_in(choices, scope):
                ctx.report("CPK007", carrier, call=call)
    elif name == "loads":
        force = keyword(node, "force")
        accept = keyword(node, "accept")
        if isinstance(force, ast.Constant) and force.value is True and accept is None:
            ctx.report("CPK007", force, call=call)
    else:
        value = argument(node, 0, _SWITCHES[name])
        if value is not None:
            for _, carrier in ctx.pickle_in(value, scope):
                ctx.report("CPK007", carrier, call=call)


def _kombu_api(ctx: Context, call: ast.Call, scope: Scope) -> bool:
    symbol = ctx.resolver.symbol(call.func, scope)
    if symbol is not None:
        return symbol.startswith("kombu.") and is_celery_symbol(symbol)
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = ctx.resolver.symbol(func.value, scope)
        if receiver is not None:
            return receiver.startswith("kombu.")
        if func.attr in ("enable", "loads", "_set_default_serializer"):
            return ctx.resolver.kombu_context and tail(func.value) == "registry"
    return ctx.resolver.kombu_context
