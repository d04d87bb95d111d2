"""Pickle chosen for one call, task or producer (CPK005), or accepted by a consumer (CPK006).

``serializer=`` and ``accept=`` count only on Celery or kombu APIs. A receiver counts when it
resolves to a Celery or kombu object, or, in a module that uses Celery or kombu, when it cannot
be resolved at all (a parameter, ``self.producer``). Method names distinctive of Celery
(``apply_async``, ``send_task``, ...) count on any receiver not known to be something else;
a task imported from another module is not (``from proj.tasks import add``), an instance
another library's call made is (``Pool().apply_async``).
The keyword arguments of ``.delay``, ``.s`` and ``.si`` are task arguments and never count.
"""

from __future__ import annotations

import ast
from typing import List, Optional

from flake8_celery_pickle.python.astutil import is_dict_call, keyword, render, tail
from flake8_celery_pickle.python.context import Context
from flake8_celery_pickle.python.judge import register
from flake8_celery_pickle.python.model import IMPORT, Scope
from flake8_celery_pickle.python.symbols import TASK, is_celery_symbol, is_task_decorator

#: Celery-only method names: ``serializer=`` on them is an option whatever the receiver.
SEND_DISTINCTIVE = frozenset(
    {"apply_async", "send_task", "add_periodic_task", "send_task_message", "subtask"}
)
#: Names that send and take ``serializer=`` on Celery or kombu receivers.
SEND_APIS = frozenset(
    {
        "signature",
        "Signature",
        "set",
        "retry",
        "publish",
        "put",
        "dumps",
        "Producer",
        "SimpleQueue",
        "SimpleBuffer",
        "Dispatcher",
        "EventDispatcher",
        "Mailbox",
        "_broadcast",
        "_publish",
        "_publish_reply",
        "Publisher",
        "task",
        "shared_task",
        "periodic_task",
        "apply",
        "SimpleProducer",
    }
)
#: Names that consume and take ``accept=``.
ACCEPT_APIS = frozenset(
    {
        "Consumer",
        "get",
        "SimpleQueue",
        "SimpleBuffer",
        "Mailbox",
        "Message",
        "loads",
        "TaskConsumer",
        "Receiver",
        "EventReceiver",
        "move",
        "migrate_tasks",
        "migrate_task",
        "move_task_by_id",
        "move_by_idmap",
        "move_by_taskmap",
        "ConsumerSet",
        "drain_events",
        "Node",
        "_collect",
    }
)
#: Task arguments, never options.
TASK_ARGUMENT_CALLS = frozenset({"delay", "s", "si"})
#: Task methods that make a signature, and signature methods that return one.
TASK_SIGNATURE_CALLS = frozenset({"s", "si", "signature", "subtask"})
_SIGNATURE_STEPS = TASK_SIGNATURE_CALLS | {"set", "clone"}
PICKLE_CONTENT_TYPE = "application/x-python-serialize"


def _known_api(name: str) -> bool:
    return (
        name in SEND_DISTINCTIVE
        or name in SEND_APIS
        or name in ACCEPT_APIS
        or name.endswith("Backend")
    )


class _KnownApis:
    """The method and class names :func:`per_call_serializer` judges, as a container."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _known_api(name)


def _is_celery_api(ctx: Context, call: ast.Call, scope: Scope, distinctive: bool) -> bool:
    symbol = ctx.resolver.symbol(call.func, scope)
    if symbol is not None:
        return (
            is_celery_symbol(symbol)
            or is_task_decorator(symbol)
            or _imported_task_api(symbol, distinctive)
            or _imported_task_signature(ctx, call, scope, symbol)
        )
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = ctx.resolver.symbol(func.value, scope)
        if receiver is not None:
            return is_celery_symbol(receiver)
        root = _root_name(func.value)
        if root is not None and root is not func.value:
            # ``caches['x'].set(...)``: an unresolved part of a known object of another library.
            found = ctx.resolver.symbol(root, scope)
            if found is not None and not is_celery_symbol(found):
                return distinctive and _imported_task_api(f"{found}.{func.attr}", True)
    return distinctive or ctx.resolver.celery_context


def _imported_task_api(symbol: str, distinctive: bool) -> bool:
    """A task imported from another module (``from proj.tasks import add``): its type is not
    known here, but nothing says it is something else either.

    ``add.apply_async(...)`` counts for the Celery-only method names; ``add.s(1).set(...)``
    counts for every sending API, as the signature of a task. A receiver made by any other
    call (``multiprocessing.Pool().apply_async``) is an instance of another library.
    """
    called = [step.rpartition(".")[2] for step in symbol.rpartition(".")[0].split("()")[:-1]]
    if any(name not in _SIGNATURE_STEPS for name in called):
        return False
    return distinctive or (bool(called) and called[0] in TASK_SIGNATURE_CALLS)


def _imported_task_signature(ctx: Context, call: ast.Call, scope: Scope, symbol: str) -> bool:
    """``add.signature(...)`` on a task imported from another module (``from proj.tasks import
    add``, ``tasks.add`` of ``from proj import tasks``): the signature of that task, as
    ``add.apply_async(...)`` is its call. The receiver is a name or attribute chain, made by no
    call, rooted in an import and naming something inside a module (``import rsa`` alone is a
    module, not a task).
    """
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "signature"):
        return False
    receiver = symbol.rpartition(".")[0]
    if "." not in receiver or "()" in receiver:
        return False
    node = func.value
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    bindings, _ = scope.lookup(node.id)
    return bool(bindings) and all(binding.kind == IMPORT for binding in bindings)


def _root_name(node: ast.expr) -> Optional[ast.expr]:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node if isinstance(node, ast.Name) else None


@register("calls", names=_KnownApis(), symbols=True)
def per_call_serializer(ctx: Context, node: ast.AST, scope: Scope) -> None:
    assert isinstance(node, ast.Call)
    name = tail(node.func)
    if name is None or name in TASK_ARGUMENT_CALLS:
        return
    if isinstance(node.func, ast.Name) and not _known_api(name) and node.keywords:
        # A class of the file built on a Celery or kombu one: judged as its base.
        symbol = ctx.resolver.symbol(node.func, scope)
        if is_celery_symbol(symbol) and not symbol.endswith(")"):
            name = symbol.rpartition(".")[2]
    distinctive = name in SEND_DISTINCTIVE
    sends = distinctive or name in SEND_APIS or name.endswith("Backend")
    accepts = name in ACCEPT_APIS or name.endswith("Backend")
    if not (sends or accepts) or not node.keywords:
        return
    if not _is_celery_api(ctx, node, scope, distinctive):
        return
    api = render(node.func, call=True)
    if sends:
        _sender(ctx, node, scope, api, name)
    if accepts:
        accept = keyword(node, "accept")
        if accept is not None:
            for text, carrier in ctx.pickle_in(accept, scope):
                ctx.report("CPK006", carrier, api=api, value=text)


def _sender(ctx: Context, node: ast.Call, scope: Scope, api: str, name: str) -> None:
    # ``serializer=...``, ``**{'serializer': ...}`` and ``options={'serializer': ...}``, where
    # each literal dict may also be written ``dict(serializer=...)``.
    # A name that resolves to such a dict (``OPTS = {...}``; ``**OPTS``, ``options=OPTS``)
    # counts as the dict, reported at the value inside it.
    values = [(kw.value, scope) for kw in node.keywords if kw.arg == "serializer"]
    for mapping in (kw.value for kw in node.keywords if kw.arg in (None, "options")):
        for literal, holder in ctx.values.mappings(mapping, scope):
            values.extend((value, holder) for value in _literal_entries(literal, "serializer"))
    for value, holder in values:
        for text, carrier in ctx.pickle_in(value, holder):
            ctx.report("CPK005", carrier, api=api, value=text)
    if name == "publish":
        content_type = keyword(node, "content_type")
        if content_type is not None:
            for text, carrier in ctx.values.strings(content_type, scope):
                if text == PICKLE_CONTENT_TYPE:
                    ctx.report("CPK005", carrier, api=api, value=text)


def _literal_entries(node: ast.expr, key: str) -> List[ast.expr]:
    """The values a dict literal or ``dict(...)`` call gives ``key``."""
    if isinstance(node, ast.Dict):
        return [
            value
            for name, value in zip(node.keys, node.values)
            if isinstance(name, ast.Constant) and name.value == key
        ]
    if isinstance(node, ast.Call) and is_dict_call(node):
        return [kw.value for kw in node.keywords if kw.arg == key]
    return []


@register("assigns")
def serializer_attribute(ctx: Context, node: ast.AST, scope: Scope) -> None:
    """``serializer = 'pickle'`` on a Task subclass; ``task.serializer = ...``;
    ``sig.options['serializer'] = ...``; ``message.accept = [...]``."""
    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if isinstance(target, ast.Name) and target.id == "serializer" and scope.kind == "class":
            cls = scope.node
            assert isinstance(cls, ast.ClassDef)
            if ctx.resolver.is_task_class(cls, scope.parent or scope):
                _report(ctx, "CPK005", node.value, scope, f"{cls.name}.serializer")
        elif isinstance(target, ast.Attribute) and target.attr == "serializer":
            # Only a known task or Celery object: ``self.serializer`` in an unrelated class, or
            # any unknown ``obj.serializer``, belongs to some other library.
            if _celery_object(ctx, target.value, scope, unknown=False):
                _report(ctx, "CPK005", node.value, scope, render(target))
        elif isinstance(target, ast.Attribute) and target.attr == "accept":
            # ``message.accept = [...]`` in a consumer callback: the message is a parameter.
            if _celery_object(ctx, target.value, scope, unknown=ctx.resolver.kombu_context):
                _report(ctx, "CPK006", node.value, scope, render(target))
        elif isinstance(target, ast.Subscript) and _is_options_key(target):
            if isinstance(target.value, ast.Attribute) and _celery_object(
                ctx, target.value.value, scope
            ):
                _report(ctx, "CPK005", node.value, scope, render(target.value))


def _celery_object(ctx: Context, node: ast.expr, scope: Scope, unknown: bool = True) -> bool:
    """Whether ``node`` is a task or a Celery or kombu object; ``unknown`` decides for a receiver
    that cannot be resolved (it counts only in a module that uses Celery or kombu)."""
    symbol = ctx.resolver.symbol(node, scope)
    if symbol is not None:
        return symbol == TASK or is_celery_symbol(symbol)
    return unknown and ctx.resolver.celery_context


def _is_options_key(target: ast.Subscript) -> bool:
    key = target.slice
    return (
        isinstance(target.value, ast.Attribute)
        and target.value.attr == "options"
        and isinstance(key, ast.Constant)
        and key.value == "serializer"
    )


def _report(ctx: Context, code: str, value: ast.expr, scope: Scope, api: str) -> None:
    for text, carrier in ctx.pickle_in(value, scope):
        ctx.report(code, carrier, api=api, value=text)
