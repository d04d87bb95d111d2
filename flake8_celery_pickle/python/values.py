"""Static values: which strings an expression may be or contain, and where each comes from.

:meth:`Values.strings` yields ``(text, carrier)`` for every string the expression is known to
evaluate to or contain, where ``carrier`` is the node *inside this expression* that brings it:
the string literal itself, or the name that resolves to it (so a finding lands where a
``# noqa`` can be written). It understands string literals; list, tuple, set and frozenset
literals and constructors; ``+`` and ``|``; ``*`` unpacking; names bound in the module, class or
function (every binding counts); conditional and ``or`` expressions (every branch);
environment lookups with a default (``os.environ.get``, ``os.getenv``, django-environ,
environs, python-decouple); and comma-separated strings that are split. With ``prefixes``,
f-strings too, by their known leading text. Anything else yields nothing: unknown values are
never guessed.
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional, Set, Tuple

from flake8_celery_pickle.python.astutil import argument, branches, is_dict_call, tail
from flake8_celery_pickle.python.model import Scope
from flake8_celery_pickle.python.symbols import Resolver

#: How deep one evaluation may go; deeper expressions count as unknown.
MAX_DEPTH = 60

_CONTAINERS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "reversed"})
_ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "os.getenvb"})
#: python-decouple's ``config`` and the instances its documentation builds the same way.
_DECOUPLE_CONFIGS = frozenset({"decouple.config", "decouple.AutoConfig()", "decouple.Config()"})
#: django-environ methods on an ``environ.Env()`` instance that return a list from a string.
_ENV_LIST_METHODS = frozenset({"list", "tuple"})
_ENV_METHODS = frozenset({"str", "list", "tuple", "get_value", "unicode", "bytes"})
#: environs' ``Env()`` instances (``environs.env`` is the one newer releases make for you);
#: unlike django-environ, calling one takes the default second: ``env('VAR', default)``.
_ENVIRONS = frozenset({"environs.Env()", "environs.env"})
_ENVIRONS_LIST_METHODS = frozenset({"list"})
_ENVIRONS_METHODS = frozenset({"str", "list"})

Found = Tuple[str, ast.AST]


class Prefix(str):
    """The known start of a string whose rest is not known: an f-string's leading text
    (``'db+sqlite:///'`` of ``f'db+sqlite:///{path}'``). Only :class:`Values` made with
    ``prefixes=True`` yield them, for checks that judge a string by how it starts."""


class Values:
    def __init__(self, resolver: Resolver, prefixes: bool = False) -> None:
        self.resolver = resolver
        #: Whether f-strings yield their known text: whole when they hold no replacement field,
        #: otherwise the leading text as a :class:`Prefix`.
        self.prefixes = prefixes

    def strings(self, node: ast.AST, scope: Scope) -> Iterator[Found]:
        yield from self._strings(node, scope, MAX_DEPTH, set())

    def mappings(self, node: ast.AST, scope: Scope) -> Iterator[Tuple[ast.expr, Scope]]:
        """The dict literals and ``dict(...)`` calls ``node`` may be, each with the scope its
        values are evaluated in: ``node`` itself, or what a name is bound to (every binding
        counts, as for :meth:`strings`), through conditional and ``or`` expressions."""
        yield from self._mappings(node, scope, MAX_DEPTH, set())

    def _mappings(
        self, node: ast.AST, scope: Scope, depth: int, seen: Set[int]
    ) -> Iterator[Tuple[ast.expr, Scope]]:
        if depth <= 0:
            return
        depth -= 1
        if isinstance(node, ast.Dict):
            yield node, scope
        elif is_dict_call(node) and not scope.lookup("dict")[0]:
            yield node, scope
        elif isinstance(node, (ast.IfExp, ast.BoolOp)):
            for branch in branches(node):
                yield from self._mappings(branch, scope, depth, seen)
        elif isinstance(node, ast.Name):
            for value, holder in _bound_values(node, scope, seen):
                yield from self._mappings(value, holder, depth, seen)

    def _strings(self, node: ast.AST, scope: Scope, depth: int, seen: Set[int]) -> Iterator[Found]:
        if depth <= 0:
            return
        depth -= 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                yield node.value, node
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for elt in node.elts:
                yield from self._strings(elt, scope, depth, seen)
        elif isinstance(node, ast.Starred):
            yield from self._strings(node.value, scope, depth, seen)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.BitOr)):
            yield from self._strings(node.left, scope, depth, seen)
            yield from self._strings(node.right, scope, depth, seen)
        elif isinstance(node, (ast.IfExp, ast.BoolOp)):
            for branch in branches(node):
                yield from self._strings(branch, scope, depth, seen)
        elif isinstance(node, ast.Name):
            yield from self._name(node, scope, depth, seen)
        elif isinstance(node, ast.Call):
            yield from self._call(node, scope, depth, seen)
        elif isinstance(node, ast.JoinedStr) and self.prefixes:
            found = _known_start(node)
            if found is not None:
                yield found, node

    def _name(self, node: ast.Name, scope: Scope, depth: int, seen: Set[int]) -> Iterator[Found]:
        for value, holder in _bound_values(node, scope, seen):
            for text, _ in self._strings(value, holder, depth, seen):
                yield text, node

    def _call(self, node: ast.Call, scope: Scope, depth: int, seen: Set[int]) -> Iterator[Found]:
        func = node.func
        if isinstance(func, ast.Name) and func.id in _CONTAINERS and not scope.lookup(func.id)[0]:
            if node.args:
                yield from self._strings(node.args[0], scope, depth, seen)
            return
        if isinstance(func, ast.Attribute) and func.attr == "split":
            separator = _split_separator(node)
            for text, carrier in self._strings(func.value, scope, depth, seen):
                if isinstance(text, Prefix):  # its pieces are not known
                    continue
                for piece in text.split(separator):
                    yield piece.strip(), carrier
            return
        default, split = self._env_default(node, scope)
        if default is not None:
            for text, carrier in self._strings(default, scope, depth, seen):
                if split and isinstance(text, Prefix):
                    continue
                if split:
                    for piece in text.split(","):
                        yield piece.strip(), carrier
                else:
                    yield text, carrier

    def _env_default(self, node: ast.Call, scope: Scope) -> Tuple[Optional[ast.expr], bool]:
        """The default of an environment lookup, and whether the looked-up value is split."""
        symbol = self.resolver.symbol(node.func, scope)
        if symbol in _ENV_GETTERS:
            return argument(node, 1, "default"), False
        if symbol in _DECOUPLE_CONFIGS:
            cast = argument(node, 2, "cast")
            split = isinstance(cast, ast.Call) and tail(cast.func) == "Csv"
            return argument(node, 1, "default"), split
        if symbol == "environ.Env()":  # env('VAR', cast, default)
            return argument(node, 2, "default"), False
        if symbol is None:
            return None, False
        if symbol.startswith("environ.Env()."):
            method = symbol.rsplit(".", 1)[1].rstrip("()")
            if method in _ENV_METHODS:
                return argument(node, 1, "default"), method in _ENV_LIST_METHODS
        owner, _, method = symbol.rpartition(".")
        if symbol in _ENVIRONS:  # env('VAR', default)
            return argument(node, 1, "default"), False
        if owner in _ENVIRONS and method in _ENVIRONS_METHODS:
            return argument(node, 1, "default"), method in _ENVIRONS_LIST_METHODS
        return None, False


def _known_start(node: ast.JoinedStr) -> Optional[str]:
    """An f-string's text before its first replacement field: the whole string (a plain
    ``str``) when it has none, else a :class:`Prefix`; None when it starts with a field."""
    text = []
    for part in node.values:
        if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
            return Prefix("".join(text)) if text else None
        text.append(part.value)
    return "".join(text)


def _split_separator(node: ast.Call) -> Optional[str]:
    arg = argument(node, 0, "sep")
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
        return arg.value
    return None


def _bound_values(node: ast.Name, scope: Scope, seen: Set[int]) -> Iterator[Tuple[ast.expr, Scope]]:
    """The plain values bound to ``node``'s name, each with the scope it is read in.

    A value already being followed (in ``seen``) is skipped, so cycles end; it is marked while
    the caller follows it.
    """
    bindings, holder = scope.lookup(node.id)
    for binding in bindings:
        value = binding.node
        if binding.kind or binding.indirect or value is None or holder is None:
            continue
        if id(value) in seen or not isinstance(value, ast.expr):
            continue
        seen.add(id(value))
        yield value, holder
        seen.discard(id(value))
