"""The one walk over a module: scopes, bindings and the nodes the checks judge.

The checker never walks a tree twice. :func:`build_model` visits every node once, iteratively
(deeply nested code cannot exhaust the interpreter's recursion limit here), and records:

* each scope (module, class, function) with the names bound in it and what they are bound to,
  so that a name can be followed to every value it may hold;
* the scope of every node the checks look at (calls, assignments, dict literals);
* the parent of every call and dict, so a check can tell an argument from a statement.

Checks then judge the collected nodes; they never walk the tree again.
"""

from __future__ import annotations

import ast
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

#: Kinds of binding besides an assigned expression.
IMPORT = "import"
PARAM = "param"

ScopeNode = Union[ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]


class Binding(NamedTuple):
    """What a name is bound to: an expression, a definition, an import or a parameter."""

    #: The bound expression, or the ClassDef / FunctionDef node for definitions.
    node: Optional[ast.AST]
    #: ``None`` for expressions and definitions; :data:`IMPORT` (with ``qualname``) or
    #: :data:`PARAM`.
    kind: Optional[str] = None
    qualname: str = ""
    #: For ``with X as name`` and ``for name in X``: the value is an element or a context, not
    #: the expression itself; only symbol resolution follows it.
    indirect: bool = False


class Scope:
    __slots__ = ("bindings", "node", "parent")

    def __init__(self, node: ScopeNode, parent: Optional[Scope]) -> None:
        self.node = node
        self.parent = parent
        self.bindings: Dict[str, List[Binding]] = {}

    @property
    def kind(self) -> str:
        if isinstance(self.node, ast.Module):
            return "module"
        if isinstance(self.node, ast.ClassDef):
            return "class"
        return "function"

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def lookup(self, name: str) -> Tuple[List[Binding], Optional[Scope]]:
        """Bindings of ``name`` as Python resolves it (class scopes are skipped from inside
        functions), with the scope that holds them."""
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope.bindings[name], scope
            first = False
            scope = scope.parent
        return [], None


class Model:
    def __init__(self, tree: ast.AST, module: Scope) -> None:
        self.tree = tree
        self.module = module
        #: Every node the checks judge, in walk order, with its scope.
        self.calls: List[Tuple[ast.Call, Scope]] = []
        self.assigns: List[Tuple[ast.stmt, Scope]] = []
        self.dicts: List[Tuple[ast.Dict, Scope]] = []
        #: Scope created by each class / function node, by node id.
        self.scope_of_def: Dict[int, Scope] = {}
        #: Parent of each call and dict literal, by node id.
        self.parents: Dict[int, ast.AST] = {}
        #: Qualified names of every import in the module (any scope).
        self.imported_modules: List[str] = []


def build_model(tree: ast.AST) -> Model:
    module_scope = Scope(tree if isinstance(tree, ast.Module) else ast.Module([], []), None)
    model = Model(tree=tree, module=module_scope)
    parents = model.parents
    stack: List[Tuple[ast.AST, Scope]] = [(tree, module_scope)]
    pending: List[Tuple[ast.AST, Scope]] = []
    while stack:
        node, scope = stack.pop()
        inner = _record(node, scope, model)
        # Decorators, defaults and bases belong to the enclosing scope; the body to the new one.
        outer = _OUTER_FIELDS.get(type(node), ()) if inner is not None else ()
        for name in node._fields:
            value = getattr(node, name, None)
            child_scope = scope if inner is None or name in outer else inner
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.AST) and type(child) not in _LEAVES:
                        pending.append((child, child_scope))
                        if type(child) in _WITH_PARENT:
                            parents[id(child)] = node
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                pending.append((value, child_scope))
                if type(value) in _WITH_PARENT:
                    parents[id(value)] = node
        # Children in source order: pushed last to first, so the walk stays pre-order.
        while pending:
            stack.append(pending.pop())
    return model


#: Nodes with nothing under them that any check records: names, constants, contexts and
#: operators. Skipping them roughly halves the nodes the walk visits.
_LEAVES = frozenset(
    {
        ast.Name,
        ast.Constant,
        *(
            cls
            for base in (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
            for cls in base.__subclasses__()
        ),
    }
)
#: Nodes whose parent is kept: a call's parent tells an argument from a statement, a dict's
#: parent a comparison from a write.
_WITH_PARENT = frozenset({ast.Call, ast.Dict})
#: Fields of a definition evaluated in the enclosing scope (function arguments too: their
#: defaults and annotations).
_OUTER_FIELDS = {
    ast.ClassDef: ("decorator_list", "bases", "keywords"),
    ast.FunctionDef: ("decorator_list", "returns", "args"),
    ast.AsyncFunctionDef: ("decorator_list", "returns", "args"),
}


def _record(node: ast.AST, scope: Scope, model: Model) -> Optional[Scope]:
    """Record what ``node`` tells us; return the new scope it opens, if any."""
    if isinstance(node, ast.Call):
        model.calls.append((node, scope))
    elif isinstance(node, ast.Dict):
        model.dicts.append((node, scope))
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        model.assigns.append((node, scope))
        _bind_assignment(node, scope)
    elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
        scope.bind(node.target.id, Binding(node.value))
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        _bind_import(node, scope, model)
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if isinstance(item.optional_vars, ast.Name):
                scope.bind(item.optional_vars.id, Binding(item.context_expr, indirect=True))
    elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
        scope.bind(node.target.id, Binding(node.iter, indirect=True))
    elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        scope.bind(node.name, Binding(node))
        inner = Scope(node, scope)
        model.scope_of_def[id(node)] = inner
        if not isinstance(node, ast.ClassDef):
            _bind_params(node.args, inner)
        return inner
    return None


def _bind_assignment(node: ast.stmt, scope: Scope) -> None:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            _bind_target(target, node.value, scope)
    elif isinstance(node, ast.AnnAssign):
        if node.value is not None and isinstance(node.target, ast.Name):
            scope.bind(node.target.id, Binding(node.value))
    elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        # ``NAME += [...]`` grows what NAME may hold: the added value is one more binding.
        scope.bind(node.target.id, Binding(node.value))


def _bind_target(target: ast.expr, value: ast.expr, scope: Scope) -> None:
    if isinstance(target, ast.Name):
        scope.bind(target.id, Binding(value))
    elif isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for sub_target, sub_value in zip(target.elts, value.elts):
                _bind_target(sub_target, sub_value, scope)
        else:
            for sub_target in target.elts:
                inner = sub_target.value if isinstance(sub_target, ast.Starred) else sub_target
                if isinstance(inner, ast.Name):
                    scope.bind(inner.id, Binding(None, kind=PARAM))


def _bind_import(node: ast.stmt, scope: Scope, model: Model) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            model.imported_modules.append(alias.name)
            if alias.asname:
                scope.bind(alias.asname, Binding(None, IMPORT, alias.name))
            else:
                top = alias.name.split(".", 1)[0]
                scope.bind(top, Binding(None, IMPORT, top))
    elif isinstance(node, ast.ImportFrom):
        base = "." * node.level + (node.module or "")
        model.imported_modules.append(base)
        for alias in node.names:
            if alias.name == "*":
                continue
            qualname = (
                f"{base}.{alias.name}" if base and not base.endswith(".") else base + alias.name
            )
            scope.bind(alias.asname or alias.name, Binding(None, IMPORT, qualname))


def _bind_params(args: ast.arguments, scope: Scope) -> None:
    every = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs]
    if args.vararg:
        every.append(args.vararg)
    if args.kwarg:
        every.append(args.kwarg)
    for arg in every:
        scope.bind(arg.arg, Binding(None, kind=PARAM))
