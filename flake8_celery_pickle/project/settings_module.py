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
import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.project.resolve import ModuleIndex
from flake8_celery_pickle.project.tree import ProjectTree

_MAX_DEPTH = 20

#: Bases outside the tree that add no Celery setting: a class that inherits only from these
#: defines what its own body (and its bases in the tree) assign.
EMPTY_BASES = frozenset(
    {
        "object",
        "configurations.Configuration",
        "configurations.base.Configuration",
        "configurations.configuration.Configuration",
    }
)
#: django-configurations: the base class of every settings class.
CONFIGURATION_BASES = EMPTY_BASES - {"object"}
#: django-split-settings: ``include(...)`` runs the named files in the settings module.
SPLIT_SETTINGS_INCLUDE = frozenset({"split_settings.tools.include"})
SPLIT_SETTINGS_OPTIONAL = frozenset({"split_settings.tools.optional"})


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
        self._imports: dict[str, dict[str, str]] = {}

    def imports(self, rel: str, module: ast.Module) -> dict[str, str]:
        """:func:`module_imports` of module ``rel`` (cached)."""
        if rel not in self._imports:
            self._imports[rel] = module_imports(module)
        return self._imports[rel]

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
            for included in self._split_settings(rel, module, unknown):
                inner = self.module(included, _depth + 1)
                names.update(inner.names)
                unknown.extend(inner.unknown)
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

    def sets_nothing(self, rel: str) -> bool:
        """Whether module ``rel`` defines no setting at all: no upper-case name, no star
        import, no django-split-settings ``include(...)``, nothing it could not read."""
        module = self.tree.module(rel)
        if module is None:
            return False
        defined = self.module(rel)
        if defined.unknown or any(n.isupper() for n in defined.names):
            return False
        for stmt in _body_statements(module.body):
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                return False
        return not self._split_settings(rel, module, [])

    def _split_settings(self, rel: str, module: ast.Module, unknown: list[str]) -> list[str]:
        """Files a django-split-settings ``include(...)`` runs in this module's namespace.

        Patterns are globs relative to the module's directory; ``optional(...)`` ones may
        match nothing. A pattern that is not a literal, or a required one that matches no
        file of the tree, goes to ``unknown``.
        """
        imports = self.imports(rel, module)
        found: list[str] = []
        for stmt in _body_statements(module.body):
            if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
                continue
            call = stmt.value
            if _qualified(call.func, imports) not in SPLIT_SETTINGS_INCLUDE:
                continue
            for arg in call.args:
                optional = (
                    isinstance(arg, ast.Call)
                    and _qualified(arg.func, imports) in SPLIT_SETTINGS_OPTIONAL
                    and len(arg.args) == 1
                )
                pattern_node = arg.args[0] if optional else arg  # type: ignore[attr-defined]
                pattern = _const_str(pattern_node)
                if pattern is None:
                    unknown.append(
                        f"{rel} includes settings files named by an expression "
                        "(django-split-settings)"
                    )
                    continue
                matches = self._glob(rel, pattern)
                if not matches and not optional:
                    unknown.append(
                        f"{rel} includes {pattern} (django-split-settings), "
                        "which is not in the scanned tree"
                    )
                found.extend(m for m in matches if m != rel and m not in found)
        return found

    def _glob(self, rel: str, pattern: str) -> list[str]:
        base = PurePosixPath(rel).parent
        wanted = (base / pattern).as_posix()
        parts: list[str] = []
        for part in PurePosixPath(wanted).parts:
            if part == ".." and parts:
                parts.pop()
            elif part != ".":
                parts.append(part)
        wanted = "/".join(parts)
        return [
            p
            for p in self.tree.python_paths
            if fnmatch.fnmatchcase(p, wanted) and p.count("/") == wanted.count("/")
        ]

    def configuration_classes(self, rel: str, _depth: int = 0) -> list[str]:
        """Names of the django-configurations classes (subclasses of ``Configuration``) that
        module ``rel`` defines, in source order."""
        module = self.tree.module(rel)
        if module is None:
            return []
        return [
            stmt.name
            for stmt in module.body
            if isinstance(stmt, ast.ClassDef) and self._is_configuration(rel, stmt, _depth)
        ]

    def _is_configuration(self, rel: str, cls: ast.ClassDef, depth: int) -> bool:
        if depth >= _MAX_DEPTH:
            return False
        module = self.tree.module(rel)
        if module is None:
            return False
        imports = self.imports(rel, module)
        for base in cls.bases:
            if _qualified(base, imports) in CONFIGURATION_BASES:
                return True
            name = _dotted(base)
            if name is None:
                continue
            found = self._class_named(rel, module, name, depth + 1)
            if found is not None and self._is_configuration(found[0], found[1], depth + 1):
                return True
        return False

    def _class_named(
        self, rel: str, module: ast.Module, name: str, depth: int
    ) -> tuple[str, ast.ClassDef] | None:
        """The class a name in module ``rel`` stands for: defined there, or imported from a
        module of the tree."""
        if depth >= _MAX_DEPTH:
            return None
        for stmt in reversed(list(_body_statements(module.body))):
            if isinstance(stmt, ast.ClassDef) and stmt.name == name:
                return rel, stmt
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if (alias.asname or alias.name) == name and alias.name != "*":
                        target = self._import_target(rel, stmt.level, stmt.module)
                        inner = self.tree.module(target) if target else None
                        if target is None or inner is None:
                            return None
                        return self._class_named(target, inner, alias.name, depth + 1)
        return None

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
        module = self.tree.module(rel)
        imports = self.imports(rel, module) if module is not None else {}
        for base in cls.bases:
            if _qualified(base, imports) in EMPTY_BASES:
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


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def module_imports(module: ast.Module) -> dict[str, str]:
    """Local name -> absolute dotted name, for the module's absolute imports (any depth)."""
    found: dict[str, str] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    found[head] = head
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _qualified(node: ast.AST, imports: dict[str, str]) -> str | None:
    name = _dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    base = imports.get(head, head)
    return f"{base}.{rest}" if rest else base


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
