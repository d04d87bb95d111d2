"""Find the Celery apps a Python module builds (plain ``ast``).

Every ``Celery(...)`` call (through any import alias, ``celery.Celery``, ``celery.app.App`` or
a subclass defined in the module) becomes an :class:`~flake8_celery_pickle.project.app_model.App`
at the call's position (CPK004 is reported there), tied to the name it is bound to
(``app = Celery(...)``, ``self.app = Celery(...)``, ``return Celery(...)`` binds none).
What each app loads is read by :mod:`~flake8_celery_pickle.project.app_loading`.
:func:`may_build_app` is the cheap text test before any of this.
"""

from __future__ import annotations

import ast
import re

from flake8_celery_pickle.project.app_loading import AppLoading
from flake8_celery_pickle.project.app_model import App
from flake8_celery_pickle.project.expressions import dotted, qualified
from flake8_celery_pickle.project.references import ModuleReferences
from flake8_celery_pickle.python.gate import may_use_celery_class

CELERY_CLASSES = frozenset(
    {
        "celery.Celery",
        "celery.app.Celery",
        "celery.app.App",
        "celery.app.base.Celery",
    }
)


def find_apps(rel: str, module: ast.Module) -> list[App]:
    """Every Celery app built in ``module`` (file ``rel``), with its configuration calls."""
    refs = ModuleReferences(rel, module)
    loading = AppLoading(refs)
    apps, by_binding = _celery_calls(refs, loading)
    if apps:
        loading.configuration_calls(apps, by_binding)
        loading.module_wide(apps)
    return apps


def _celery_classes(refs: ModuleReferences) -> set[str]:
    """Celery's app classes, and their subclasses defined in the module."""
    classes = set(CELERY_CLASSES)
    for node in refs.nodes:
        if isinstance(node, ast.ClassDef) and any(
            qualified(b, refs.imports) in CELERY_CLASSES for b in node.bases
        ):
            classes.add(node.name)
    return classes


def _celery_calls(refs: ModuleReferences, loading: AppLoading) -> tuple[list[App], dict[str, App]]:
    """The apps the module's ``Celery(...)`` calls build, in source order, and each name an
    app is bound to."""
    celery_classes = _celery_classes(refs)

    def is_celery(call: ast.Call) -> bool:
        return qualified(call.func, refs.imports) in celery_classes

    def build(call: ast.Call) -> App:
        app = App(
            refs.rel,
            call.lineno,
            call.col_offset,
            getattr(call, "end_lineno", None),
            getattr(call, "end_col_offset", None),
        )
        loading.constructor(app, call)
        return app

    apps: list[App] = []
    by_binding: dict[str, App] = {}
    for node in refs.nodes:
        targets: list[ast.AST] = []
        value: ast.AST | None = None
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Return) and node.value is not None:
            value = node.value
        if not (isinstance(value, ast.Call) and is_celery(value)):
            continue
        app = build(value)
        for target in targets:
            name = dotted(target)
            if name:
                app.binding = name
                by_binding[name] = app
        apps.append(app)
    # Celery(...) calls that are not assigned or returned
    seen = {(a.line, a.col) for a in apps}
    for node in refs.nodes:
        if isinstance(node, ast.Call) and is_celery(node):
            if (node.lineno, node.col_offset) not in seen:
                apps.append(build(node))
    apps.sort(key=lambda a: (a.line, a.col))
    return apps, by_binding


#: ``from celery.app import App``: the old name of the class, on an import line.
_APP_IMPORT = re.compile(r"^[ \t]*(?:from|import)\b[^\n]*\bApp\b", re.MULTILINE)


def mentions_app_class(text: str) -> bool:
    """Cheapest text test: does the module hold ``celery`` and ``Celery`` or ``App`` at all?"""
    return "celery" in text and ("Celery" in text or "App" in text)


def may_build_app(text: str) -> bool:
    """Cheap text test: can this module build a Celery app at all? (It must import celery, and
    use the class as the single-file gate sees it, or import its old name ``App``.)"""
    if not mentions_app_class(text):
        return False
    return may_use_celery_class(text) or ("App" in text and _APP_IMPORT.search(text) is not None)
