"""Which names a configuration module or class defines; which Celery settings that makes explicit.

Two jobs, kept apart:

* :class:`Definitions` collects the names a module (with the ``from x import *`` chains it
  follows inside the scanned tree) or a class (with its bases) assigns, whatever the values:
  an explicit ``CELERY_TASK_SERIALIZER = env('...')`` counts as explicit.
* :func:`counted_spellings` says which of those names Celery would read for one setting, given
  the namespace found on the app, whether the object is Django's settings (which keep only
  upper-case names) and whether the Celery release is 3.x (which reads only the old names).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.project.resolve import ModuleIndex
from flake8_celery_pickle.project.tree import ProjectTree

_MAX_DEPTH = 20


@dataclass(frozen=True)
class Defined:
    """The names a configuration object defines; ``unknown`` says why it may define more."""

    names: frozenset[str]
    unknown: tuple[str, ...] = ()


def _targets(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from _targets(elt)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def _body_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module or class body, including those under if/try/with/for."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.AsyncFor)):
            yield from _body_statements(stmt.body)
            yield from _body_statements(stmt.orelse)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _body_statements(stmt.body)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield from _body_statements(stmt.body)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                yield from _body_statements(handler.body)
            yield from _body_statements(stmt.orelse)  # type: ignore[attr-defined]
            yield from _body_statements(stmt.finalbody)  # type: ignore[attr-defined]


def assigned_names(body: list[ast.stmt]) -> set[str]:
    """Names bound by assignment or by ``from x import name`` in a body (not in functions)."""
    names: set[str] = set()
    for stmt in _body_statements(body):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names.update(_targets(target))
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                continue
            names.update(_targets(stmt.target))
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                names.add(alias.asname or alias.name.split(".")[0])
    return names


def dict_keys(node: ast.AST) -> frozenset[str] | None:
    """String keys of a dict literal or ``dict(...)`` call; None when not a literal mapping."""
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            return None
        keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
        if len(keys) != len(node.keys) or not all(isinstance(k, str) for k in keys):
            return None
        return frozenset(str(k) for k in keys)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and not node.args
        and all(kw.arg is not None for kw in node.keywords)
    ):
        return frozenset(str(kw.arg) for kw in node.keywords)
    return None


class Definitions:
    """Reads what configuration modules, classes and objects in the tree define (cached)."""

    def __init__(self, tree: ProjectTree, index: ModuleIndex) -> None:
        self.tree = tree
        self.index = index
        self._modules: dict[str, Defined] = {}

    # -- modules -----------------------------------------------------------------------------

    def module(self, rel: str, _depth: int = 0) -> Defined:
        """Names a module defines at its top level, following star imports within the tree."""
        if rel in self._modules:
            return self._modules[rel]
        self._modules[rel] = Defined(frozenset())  # breaks import cycles
        module = self.tree.module(rel)
        if module is None:
            result = Defined(frozenset(), (f"{rel} does not parse",))
        else:
            names = assigned_names(module.body)
            unknown: list[str] = []
            for stmt in _body_statements(module.body):
                if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                    target = self._import_target(rel, stmt.level, stmt.module)
                    shown = "." * stmt.level + (stmt.module or "")
                    if target is None or _depth >= _MAX_DEPTH:
                        unknown.append(
                            f"{rel} imports * from {shown}, which is not in the scanned tree"
                        )
                        continue
                    inner = self.module(target, _depth + 1)
                    names.update(n for n in inner.names if not n.startswith("_"))
                    unknown.extend(inner.unknown)
            result = Defined(frozenset(names), tuple(unknown))
        self._modules[rel] = result
        return result

    def _import_target(self, rel: str, level: int, module: str | None) -> str | None:
        if level:
            return self.index.relative(rel, level, module)
        return self.index.find(module, referrer=rel) if module else None

    # -- objects inside a module -------------------------------------------------------------

    def obj(self, rel: str, name: str, _depth: int = 0) -> Defined | None:
        """Names defined by object ``name`` of module ``rel`` (a class, an instance of a class,
        a dict literal, or a name imported from another module of the tree).

        None when the module has no such object that can be read statically.
        """
        module = self.tree.module(rel)
        if module is None or _depth >= _MAX_DEPTH:
            return None
        head, _, rest = name.partition(".")
        for stmt in reversed(list(_body_statements(module.body))):
            if isinstance(stmt, ast.ClassDef) and stmt.name == head:
                if rest:
                    return self._nested_class(rel, stmt, rest, _depth)
                return self._class(rel, stmt, _depth)
            if isinstance(stmt, ast.Assign) and any(head in _targets(t) for t in stmt.targets):
                return None if rest else self._value(rel, stmt.value, _depth)
            if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                if head in _targets(stmt.target):
                    return None if rest else self._value(rel, stmt.value, _depth)
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if (alias.asname or alias.name) == head and alias.name != "*":
                        return self._imported(rel, stmt, alias.name, rest, _depth)
        return None

    def _imported(
        self, rel: str, stmt: ast.ImportFrom, attr: str, rest: str, depth: int
    ) -> Defined | None:
        dotted = ".".join(p for p in (stmt.module, attr) if p)
        # a submodule first, then an attribute of the module
        sub = self._import_target(rel, stmt.level, dotted)
        if sub is not None and not rest:
            return self.module(sub)
        if sub is not None:
            return self.obj(sub, rest, depth + 1)
        parent = self._import_target(rel, stmt.level, stmt.module)
        if parent is None:
            return None
        return self.obj(parent, f"{attr}.{rest}" if rest else attr, depth + 1)

    def _value(self, rel: str, value: ast.AST, depth: int) -> Defined | None:
        keys = dict_keys(value)
        if keys is not None:
            return Defined(keys)
        if isinstance(value, ast.Call) and not value.args and not value.keywords:
            value = value.func  # an instance: Config()
        if isinstance(value, ast.Name):
            return self.obj(rel, value.id, depth + 1)
        return None

    def _nested_class(self, rel: str, cls: ast.ClassDef, rest: str, depth: int) -> Defined | None:
        head, _, tail = rest.partition(".")
        for stmt in cls.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == head:
                return (
                    self._nested_class(rel, stmt, tail, depth)
                    if tail
                    else self._class(rel, stmt, depth)
                )
        return None

    def _class(self, rel: str, cls: ast.ClassDef, depth: int) -> Defined:
        names = assigned_names(cls.body)
        unknown: list[str] = []
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id == "object":
                continue
            dotted = _dotted(base)
            inner = self.obj(rel, dotted, depth + 1) if dotted else None
            if inner is None:
                shown = dotted or "an expression"
                unknown.append(
                    f"class {cls.name} in {rel} inherits from {shown}, which could not be read"
                )
                continue
            names.update(inner.names)
            unknown.extend(inner.unknown)
        return Defined(frozenset(names), tuple(unknown))


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


# -- which spellings count -------------------------------------------------------------------


def old_names(canonical: str) -> tuple[str, ...]:
    """The 3.x (upper-case) spellings of a setting."""
    table = {**vocabulary.SERIALIZER_SETTINGS, **vocabulary.ACCEPT_SETTINGS}
    return tuple(n for n in table.get(canonical, ()) if n.isupper())


def counted_spellings(
    canonical: str, namespace: str | None, django: bool, legacy: bool = False
) -> frozenset[str]:
    """The names under which Celery reads ``canonical`` from a configuration object.

    * ``legacy`` (Celery 3.x): only the old upper-case names; there is no namespace.
    * with a namespace: ``<NS>_TASK_SERIALIZER`` (upper-cased when the namespace is), then the
      plain new name. Old names are not consulted: the plain key is found among the defaults
      first.
    * without one: the new name and the old names.
    * Django settings keep only upper-case names, so lower-case spellings never count there.
    """
    if legacy:
        names = set(old_names(canonical))
    elif namespace:
        names = {vocabulary.namespaced(namespace, canonical), canonical}
    else:
        names = {canonical, *old_names(canonical)}
    if django:
        names = {n for n in names if n.isupper()}
    return frozenset(names)


def missing_settings(
    defined: frozenset[str], namespace: str | None, django: bool, legacy: bool = False
) -> tuple[str, ...]:
    """The required settings (task_serializer, accept_content) that ``defined`` leaves unset."""
    return tuple(
        c
        for c in vocabulary.REQUIRED_EXPLICIT
        if not (counted_spellings(c, namespace, django, legacy) & defined)
    )


def spelled(canonical: str, namespace: str | None, django: bool, legacy: bool = False) -> str:
    """How a missing setting should be written in that configuration object."""
    if legacy:
        return old_names(canonical)[0]
    if namespace:
        return vocabulary.namespaced(namespace, canonical)
    if django:
        return old_names(canonical)[0]
    return canonical
