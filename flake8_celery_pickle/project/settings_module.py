"""What the configuration modules, classes and objects of the tree define.

:class:`Definitions` collects the names a module (with the ``from x import *`` chains and the
django-split-settings includes it follows inside the scanned tree) or a class (with its bases)
assigns, whatever the values: an explicit ``CELERY_TASK_SERIALIZER = env('...')`` counts as
explicit. Which of those names Celery reads is :mod:`~flake8_celery_pickle.project.spellings`'
job.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from flake8_celery_pickle.project.bindings import assigned_names, body_statements, targets
from flake8_celery_pickle.project.expressions import (
    Import,
    collect_imports,
    dict_keys,
    dotted,
    qualified,
)
from flake8_celery_pickle.project.module_index import ModuleIndex
from flake8_celery_pickle.project.split_settings import included_files
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


@dataclass(frozen=True)
class Defined:
    """The names a configuration object defines; ``unknown`` says why it may define more."""

    names: frozenset[str]
    unknown: tuple[str, ...] = ()


class Definitions:
    """Reads what configuration modules, classes and objects in the tree define (cached)."""

    def __init__(self, tree: ProjectTree, index: ModuleIndex) -> None:
        self.tree = tree
        self.index = index
        self._modules: dict[str, Defined] = {}
        self._imports: dict[str, dict[str, Import]] = {}

    def imports(self, rel: str, module: ast.Module) -> dict[str, Import]:
        """The absolute imports of module ``rel``, at any depth (cached)."""
        if rel not in self._imports:
            self._imports[rel] = collect_imports(ast.walk(module), absolute_only=True)
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
            for stmt in body_statements(module.body):
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
        for stmt in body_statements(module.body):
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                return False
        return not self._split_settings(rel, module, [])

    def _split_settings(self, rel: str, module: ast.Module, unknown: list[str]) -> list[str]:
        """:func:`~flake8_celery_pickle.project.split_settings.included_files` of ``rel``."""
        return included_files(self.tree, rel, module, self.imports(rel, module), unknown)

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
            if qualified(base, imports) in CONFIGURATION_BASES:
                return True
            name = dotted(base)
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
        for stmt in reversed(list(body_statements(module.body))):
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
        for stmt in reversed(list(body_statements(module.body))):
            if isinstance(stmt, ast.ClassDef) and stmt.name == head:
                if rest:
                    return self._nested_class(rel, stmt, rest, _depth)
                return self._class(rel, stmt, _depth)
            if isinstance(stmt, ast.Assign) and any(head in targets(t) for t in stmt.targets):
                return None if rest else self._value(rel, stmt.value, _depth)
            if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                if head in targets(stmt.target):
                    return None if rest else self._value(rel, stmt.value, _depth)
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if (alias.asname or alias.name) == head and alias.name != "*":
                        return self._imported(rel, stmt, alias.name, rest, _depth)
        return None

    def _imported(
        self, rel: str, stmt: ast.ImportFrom, attr: str, rest: str, depth: int
    ) -> Defined | None:
        full = ".".join(p for p in (stmt.module, attr) if p)
        # a submodule first, then an attribute of the module
        sub = self._import_target(rel, stmt.level, full)
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
            if qualified(base, imports) in EMPTY_BASES:
                continue
            name = dotted(base)
            inner = self.obj(rel, name, depth + 1) if name else None
            if inner is None:
                shown = name or "an expression"
                unknown.append(
                    f"class {cls.name} in {rel} inherits from {shown}, which could not be read"
                )
                continue
            names.update(inner.names)
            unknown.extend(inner.unknown)
        return Defined(frozenset(names), tuple(unknown))
