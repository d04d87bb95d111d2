"""What an expression refers to: the import-aware, alias-aware resolver.

:meth:`Resolver.symbol` turns a name, attribute chain or call into a dotted *symbol* such as
``celery.Celery()`` (an app instance), ``celery.Celery().conf`` or ``kombu.Producer()``. Calls add
``()``. Aliases are canonicalised, so ``from celery.app.base import Celery as App; App()`` and
``import celery; celery.Celery()`` give the same symbol. A Celery subclass defined in the file is
an app class; a task-decorated function or a Task subclass instance is ``celery.Task()``.

``None`` means "not statically known"; checks then fall back on the module's context
(:attr:`Resolver.celery_context`), never on a guess about the value.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from flake8_celery_pickle.python.model import IMPORT, PARAM, Binding, Model, Scope

APP = "celery.Celery()"
APP_CLASS = "celery.Celery"
TASK = "celery.Task()"
TASK_CLASS = "celery.Task"
CONF = "celery.Celery().conf"

#: Canonical spellings of symbols reached through other import paths.
_ALIASES: Dict[str, str] = {
    "celery.app.Celery": APP_CLASS,
    "celery.app.base.Celery": APP_CLASS,
    "celery.current_app": APP,
    "celery.app.current_app": APP,
    "celery._state.current_app": APP,
    "celery.app.default_app": APP,
    "celery.app.task.Task": TASK_CLASS,
    "celery.app.Task": TASK_CLASS,
    "celery.task.Task": TASK_CLASS,
    "celery.task.base.Task": TASK_CLASS,
    "celery.Celery().Task": TASK_CLASS,
    "celery.Task().app": APP,
    "celery.Celery().app": APP,
    "celery.app.shared_task": "celery.shared_task",
    "celery.decorators.task": "celery.task.task",
    "celery.decorators.periodic_task": "celery.task.periodic_task",
    "celery.canvas.Signature": "celery.Signature",
    "celery.canvas.signature": "celery.signature",
    "celery.subtask": "celery.signature",
    "celery.events.dispatcher.EventDispatcher": "celery.events.EventDispatcher",
    "celery.events.receiver.EventReceiver": "celery.events.EventReceiver",
    "celery.security.setup_security": "celery.Celery().setup_security",
    "kombu.messaging.Producer": "kombu.Producer",
    "kombu.messaging.Consumer": "kombu.Consumer",
    "kombu.connection.Connection": "kombu.Connection",
    "kombu.BrokerConnection": "kombu.Connection",
    "kombu.connection.BrokerConnection": "kombu.Connection",
    "kombu.Connection().Producer": "kombu.Producer",
    "kombu.Connection().Consumer": "kombu.Consumer",
    "kombu.Connection().SimpleQueue": "kombu.simple.SimpleQueue",
    "kombu.Connection().SimpleBuffer": "kombu.simple.SimpleBuffer",
    "kombu.SimpleQueue": "kombu.simple.SimpleQueue",
    "kombu.SimpleBuffer": "kombu.simple.SimpleBuffer",
    "kombu.entity.Queue": "kombu.Queue",
    "kombu.message.Message": "kombu.Message",
    "kombu.transport.base.Message": "kombu.Message",
    "kombu.enable_insecure_serializers": "kombu.serialization.enable_insecure_serializers",
    "kombu.disable_insecure_serializers": "kombu.serialization.disable_insecure_serializers",
    "kombu.serialization.registry.register": "kombu.serialization.register",
    "kombu.serialization.registry.enable": "kombu.serialization.enable",
    "kombu.serialization.registry.loads": "kombu.serialization.loads",
    "kombu.serialization.registry.dumps": "kombu.serialization.dumps",
    "kombu.utils.json.register_type": "kombu.utils.json.register_type",
    "kombu.pidbox.Mailbox": "kombu.Mailbox",
}

_TASK_DECORATORS = frozenset(
    {
        "celery.Celery().task",
        "celery.shared_task",
        "celery.task.task",
        "celery.task.periodic_task",
        "celery.task",
    }
)


def canonical(symbol: str) -> str:
    return _ALIASES.get(symbol, symbol)


def is_celery_symbol(symbol: Optional[str]) -> bool:
    return symbol is not None and symbol.split(".", 1)[0] in ("celery", "kombu")


def is_task_decorator(symbol: Optional[str]) -> bool:
    return symbol in _TASK_DECORATORS


def _is_local_celery_module(module: str) -> bool:
    """``proj.celery``, ``.celery_app``: a project's own module that holds its app."""
    parts = [p for p in module.split(".") if p]
    return (
        bool(parts)
        and parts[0] not in ("celery", "kombu")
        and any(p.startswith("celery") for p in parts)
    )


#: Marks a name not yet resolved in :attr:`Resolver._names`.
_UNKNOWN = object()

#: Nested resolutions before a lookup gives up and resolves the module in source order first.
_MAX_DEPTH = 100


class _TooDeep(Exception):
    """Raised inside the resolver when a chain of lookups nests deeper than :data:`_MAX_DEPTH`."""


class Resolver:
    def __init__(self, model: Model) -> None:
        self.model = model
        self._memo: Dict[int, Optional[str]] = {}
        #: What a name means in a scope, once known without cutting a cycle (see :meth:`_name`).
        self._names: Dict[Tuple[int, str], Optional[str]] = {}
        self._busy: Set[int] = set()
        #: Cycles cut so far: a result reached while one was cut is not cached by name.
        self._cuts = 0
        self._depth = 0
        self._warmed = False
        #: Whether the module talks to Celery or kombu at all: it imports them, or a project
        #: module named after celery. Unresolved receivers count as Celery objects only then.
        self.celery_context = any(
            m.split(".", 1)[0] in ("celery", "kombu") or _is_local_celery_module(m)
            for m in model.imported_modules
        )
        self.kombu_context = any(m.split(".", 1)[0] == "kombu" for m in model.imported_modules)

    def symbol(self, node: ast.AST, scope: Scope) -> Optional[str]:
        """The canonical symbol ``node`` stands for in ``scope``, or ``None`` when unknown."""
        key = id(node)
        if key in self._memo:  # the common case: checks ask about the same node in turn
            return self._memo[key]
        if self._depth:
            return self._resolve(node, scope)
        try:
            return self._resolve(node, scope)
        except _TooDeep:
            pass
        # A long chain of aliases (``p1 = p0``, ``p2 = p1``, ...) resolved from its far end.
        # Resolving every binding once in source order leaves each link one step from a
        # resolved one, so the retry stays shallow; a chain that is still too deep is unknown.
        self._warm()
        try:
            return self._resolve(node, scope)
        except _TooDeep:
            return None

    def may_be_celery(self, node: ast.AST, scope: Scope) -> bool:
        """Whether ``node`` may stand for a Celery or kombu symbol: true for every node whose
        :meth:`symbol` is one, and cheap for the many that plainly are not.

        A symbol is its root name's symbol with attributes and calls appended, and nothing
        appended turns a symbol that is not Celery's or kombu's into one. So a chain whose root
        is not a name, is unbound, or is already known by name to be something else, needs no
        resolution of its own.
        """
        key = id(node)
        if key in self._memo:
            return is_celery_symbol(self._memo[key])
        root = node
        while True:
            if isinstance(root, ast.Attribute):
                root = root.value
            elif isinstance(root, ast.Call):
                root = root.func
            else:
                break
        if not isinstance(root, ast.Name):
            return False
        holder = scope.lookup(root.id)[1]
        if holder is None:
            return False
        known = self._names.get((id(holder), root.id), _UNKNOWN)
        if known is not _UNKNOWN:
            return is_celery_symbol(known)  # type: ignore[arg-type]
        return is_celery_symbol(self.symbol(node, scope))

    def _resolve(self, node: ast.AST, scope: Scope) -> Optional[str]:
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            self._cuts += 1
            return None
        if self._depth >= _MAX_DEPTH:
            raise _TooDeep
        self._busy.add(key)
        self._depth += 1
        try:
            result = self._symbol(node, scope)
        finally:
            self._depth -= 1
            self._busy.discard(key)
        self._memo[key] = result
        return result

    def _warm(self) -> None:
        if self._warmed:
            return
        self._warmed = True
        pending = [
            (binding.node, scope)
            for scope in (self.model.module, *self.model.scope_of_def.values())
            for bindings in scope.bindings.values()
            for binding in bindings
            if binding.kind is None and isinstance(binding.node, ast.expr)
        ]
        pending.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
        for node, scope in pending:
            try:
                self._resolve(node, scope)
            except _TooDeep:
                continue

    def _symbol(self, node: ast.AST, scope: Scope) -> Optional[str]:
        # Unwind attribute and call chains iteratively: ``a.b().c`` may be thousands deep.
        steps: List[Optional[str]] = []
        while True:
            if isinstance(node, ast.Attribute):
                steps.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Call):
                steps.append(None)
                node = node.func
            else:
                break
        if not isinstance(node, ast.Name):
            return None
        symbol = self._name(node.id, scope)
        aliases = _ALIASES
        for attr in reversed(steps):
            if symbol is None:
                return None
            if attr is not None:
                symbol = f"{symbol}.{attr}"
            elif symbol not in _TASK_DECORATORS:  # ``@app.task(...)`` is still the decorator
                symbol = f"{symbol}()"
            else:
                continue
            symbol = aliases.get(symbol, symbol)
        return symbol

    def _name(self, name: str, scope: Scope) -> Optional[str]:
        """The symbol of ``name`` in ``scope``, cached per binding scope and name.

        Every use of ``self``, ``os`` or ``app`` bound in one scope means the same thing, so it
        is worked out once. A result reached while a cycle was cut depends on where the
        resolution started and is not cached; every other result is what resolving again would
        give, as each node it went through is memoised by then.
        """
        bindings, holder = scope.lookup(name)
        if holder is None:
            return None
        key = (id(holder), name)
        if key in self._names:
            return self._names[key]
        cuts = self._cuts
        found = self._bound(name, bindings, holder)
        if self._cuts == cuts:
            self._names[key] = found
        return found

    def _bound(self, name: str, bindings: List[Binding], holder: Scope) -> Optional[str]:
        for binding in bindings:
            if binding.kind == IMPORT:
                return self._imported(binding.qualname)
            if binding.kind == PARAM:
                if self._is_task_self(name, holder):
                    return TASK
                continue
            value = binding.node
            if isinstance(value, ast.ClassDef):
                return self._class(value, holder)
            if isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(self._decorator_symbol(d, holder) for d in value.decorator_list):
                    return TASK
                continue
            if value is not None:
                found = self.symbol(value, holder)
                if found is not None:
                    return found
        return None

    def _imported(self, qualname: str) -> Optional[str]:
        qualname = canonical(qualname)
        if qualname.startswith("."):
            qualname = qualname.lstrip(".")
        module, _, attr = qualname.rpartition(".")
        if module and _is_local_celery_module(module) and ("app" in attr or "celery" in attr):
            return APP
        return qualname

    def _class(self, node: ast.ClassDef, scope: Scope) -> Optional[str]:
        """A class defined in the file stands for its Celery or kombu base, if it has one.

        ``class KV(KeyValueStoreBackend)`` is a result backend and ``class P(Producer)`` a
        producer, so their constructors take the same options as the base's.
        """
        inherited = None
        for base in node.bases:
            found = self.symbol(base, scope)
            if found in (APP_CLASS, TASK_CLASS):
                return found
            if found is None and self.celery_context and _base_name(base) == "Task":
                return TASK_CLASS
            if inherited is None and is_celery_symbol(found) and not found.endswith(")"):
                inherited = found
        return inherited or f"<local>.{node.name}"

    def is_task_class(self, node: ast.ClassDef, scope: Scope) -> bool:
        return self._class(node, scope) == TASK_CLASS

    def _decorator_symbol(self, decorator: ast.expr, scope: Scope) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        found = self.symbol(target, scope)
        if found is not None:
            return is_task_decorator(found)
        return (
            self.celery_context
            and isinstance(target, ast.Attribute)
            and target.attr
            in (
                "task",
                "periodic_task",
            )
        )

    def _is_task_self(self, name: str, scope: Scope) -> bool:
        """Whether parameter ``name`` of function ``scope`` is the task itself."""
        func = scope.node
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        params = [*getattr(func.args, "posonlyargs", []), *func.args.args]
        if not params or params[0].arg != name:
            return False
        parent = scope.parent
        if parent is not None and isinstance(parent.node, ast.ClassDef):
            return self.is_task_class(parent.node, parent.parent or parent)
        for decorator in func.decorator_list:
            if isinstance(decorator, ast.Call) and any(
                kw.arg == "bind" and isinstance(kw.value, ast.Constant) and kw.value.value is True
                for kw in decorator.keywords
            ):
                return self._decorator_symbol(decorator, parent or scope)
        return False


def _base_name(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
