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
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple, Union

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
    __slots__ = ("bindings", "kind", "node", "parent")

    def __init__(self, node: ScopeNode, parent: Optional[Scope]) -> None:
        self.node = node
        self.parent = parent
        self.bindings: Dict[str, List[Binding]] = {}
        #: ``module``, ``class`` or ``function``.
        self.kind = (
            "module"
            if isinstance(node, ast.Module)
            else "class"
            if isinstance(node, ast.ClassDef)
            else "function"
        )

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
    skip, wrapped = _SKIP, _WRAPPERS
    call, dict_ = ast.Call, ast.Dict
    stack: List[Tuple[ast.AST, Scope]] = [(tree, module_scope)]
    pop, push_all = stack.pop, stack.extend
    while stack:
        node, scope = pop()
        cls = type(node)
        shape = _SHAPES.get(cls)
        if shape is None:
            shape = _shape(cls)
        record, fields, outer = shape
        inner = record(node, scope, model) if record is not None else None
        children: List[Tuple[ast.AST, Scope]] = []
        for name in fields:
            value = getattr(node, name, None)
            # Decorators, defaults and bases belong to the enclosing scope; the body to the new
            # one.
            child_scope = scope if inner is None or name in outer else inner
            # The list and single-node cases are written out twice on purpose: this loop runs
            # for every node of every file that passes the gate.
            if type(value) is list:
                for child in value:
                    kind = type(child)
                    if kind in skip:
                        continue
                    inside = wrapped.get(kind)
                    if inside is not None and type(getattr(child, inside)) in skip:
                        continue
                    children.append((child, child_scope))
                    if kind is call or kind is dict_:
                        parents[id(child)] = node
            else:
                kind = type(value)
                if kind in skip:
                    continue
                inside = wrapped.get(kind)
                if inside is not None and type(getattr(value, inside)) in skip:
                    continue
                children.append((value, child_scope))  # type: ignore[arg-type]
                if kind is call or kind is dict_:
                    parents[id(value)] = node
        if children:
            # Children in source order: pushed last to first, so the walk stays pre-order.
            children.reverse()
            push_all(children)
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
#: What a field may hold besides nodes: absent parts, names, flags, numbers. Never walked.
_SKIP = _LEAVES | {type(None), str, bytes, int, bool, float, complex, type(...)}
#: Nodes that record nothing themselves and have one child that may: when that child is skipped,
#: so is the node (``self.x``, ``name=value``, an argument without annotation).
_WRAPPERS = {
    ast.Attribute: "value",
    ast.keyword: "value",
    ast.arg: "annotation",
    ast.Starred: "value",
}
#: Fields that hold only names, flags, operators or contexts in every Python version: not even
#: looked at (``Import.names`` holds aliases, which record nothing).
_SCALAR_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "id",
        "attr",
        "name",
        "names",
        "arg",
        "asname",
        "module",
        "level",
        "type_comment",
        "kind",
        "conversion",
        "is_async",
        "simple",
        "lineno",
        "tag",
        "kwd_attrs",
        "rest",
        "str",
    }
)
#: Fields of a definition evaluated in the enclosing scope (function arguments too: their
#: defaults and annotations).
_OUTER_FIELDS = {
    ast.ClassDef: ("decorator_list", "bases", "keywords"),
    ast.FunctionDef: ("decorator_list", "returns", "args"),
    ast.AsyncFunctionDef: ("decorator_list", "returns", "args"),
}

Recorder = Callable[[Any, Scope, Model], Optional[Scope]]
Shape = Tuple[Optional[Recorder], Tuple[str, ...], Tuple[str, ...]]
#: Per node class: what to record, which fields to walk, which of them the enclosing scope
#: evaluates. Filled on first sight of each class, so any Python version's classes fit.
_SHAPES: Dict[type, Shape] = {}


def _shape(cls: type) -> Shape:
    record: Optional[Recorder] = None
    for base, recorder in _RECORDERS:
        if issubclass(cls, base):
            record = recorder
            break
    fields = tuple(name for name in getattr(cls, "_fields", ()) if name not in _SCALAR_FIELDS)
    outer: Tuple[str, ...] = ()
    for base, names in _OUTER_FIELDS.items():
        if issubclass(cls, base):
            outer = names
            break
    shape = (record, fields, outer)
    _SHAPES[cls] = shape
    return shape


def _record_call(node: ast.Call, scope: Scope, model: Model) -> None:
    model.calls.append((node, scope))


def _record_dict(node: ast.Dict, scope: Scope, model: Model) -> None:
    model.dicts.append((node, scope))


def _record_assignment(node: ast.stmt, scope: Scope, model: Model) -> None:
    model.assigns.append((node, scope))
    _bind_assignment(node, scope)


def _record_named(node: ast.NamedExpr, scope: Scope, model: Model) -> None:
    if isinstance(node.target, ast.Name):
        scope.bind(node.target.id, Binding(node.value))


def _record_import(node: ast.stmt, scope: Scope, model: Model) -> None:
    _bind_import(node, scope, model)


def _record_with(node: ast.With | ast.AsyncWith, scope: Scope, model: Model) -> None:
    for item in node.items:
        if isinstance(item.optional_vars, ast.Name):
            scope.bind(item.optional_vars.id, Binding(item.context_expr, indirect=True))


def _record_for(node: ast.For | ast.AsyncFor, scope: Scope, model: Model) -> None:
    if isinstance(node.target, ast.Name):
        scope.bind(node.target.id, Binding(node.iter, indirect=True))


def _record_definition(
    node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, model: Model
) -> Scope:
    scope.bind(node.name, Binding(node))
    inner = Scope(node, scope)
    model.scope_of_def[id(node)] = inner
    if not isinstance(node, ast.ClassDef):
        _bind_params(node.args, inner)
    return inner


#: What each kind of node tells the model, tried in order (the first matching base wins).
_RECORDERS: Tuple[Tuple[type, Recorder], ...] = (
    (ast.Call, _record_call),
    (ast.Dict, _record_dict),
    (ast.Assign, _record_assignment),
    (ast.AnnAssign, _record_assignment),
    (ast.AugAssign, _record_assignment),
    (ast.NamedExpr, _record_named),
    (ast.Import, _record_import),
    (ast.ImportFrom, _record_import),
    (ast.With, _record_with),
    (ast.AsyncWith, _record_with),
    (ast.For, _record_for),
    (ast.AsyncFor, _record_for),
    (ast.ClassDef, _record_definition),
    (ast.FunctionDef, _record_definition),
    (ast.AsyncFunctionDef, _record_definition),
)


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
