"""What a configuration argument written in a module refers to (a :class:`ConfigRef`).

A module path string, a name imported in the module, a class or value defined there, an
environment variable (``os.environ.get('VAR', default)``), the ``config`` of a Flask app bound
in the module, a literal dict, or an expression that cannot be read statically.
"""

from __future__ import annotations

import ast

from flake8_celery_pickle.project.app_model import ConfigRef
from flake8_celery_pickle.project.bindings import top_level_values
from flake8_celery_pickle.project.expressions import (
    collect_imports,
    const_str,
    dict_keys,
    dotted,
    qualified,
    source_text,
)

#: Flask application classes: ``<app>.config`` is a dict its code fills in.
FLASK_CLASSES = frozenset({"flask.Flask", "flask.app.Flask"})
#: Longest expression text a :class:`ConfigRef` keeps.
TEXT_LIMIT = 80


def text_of(node: ast.AST) -> str:
    """The source of an expression as a :class:`ConfigRef` or a note shows it."""
    return source_text(node, TEXT_LIMIT)


class ModuleReferences:
    """The names of one module (its imports, classes, top-level values, Flask apps), walked
    once, and what configuration arguments written in it refer to."""

    def __init__(self, rel: str, module: ast.Module) -> None:
        self.rel = rel
        self.module = module
        #: every node of the module, walked once
        self.nodes = list(ast.walk(module))
        self.imports = collect_imports(self.nodes)
        self.local_classes = {n.name for n in self.nodes if isinstance(n, ast.ClassDef)}
        self.local_values = top_level_values(module)
        #: names bound to ``Flask(...)`` anywhere in the module
        self.flask_apps = {
            name
            for n in self.nodes
            if isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Call)
            and qualified(n.value.func, self.imports) in FLASK_CLASSES
            for name in (dotted(t) for t in n.targets)
            if name
        }
        #: function parameters annotated as a Flask app (``def init(app: Flask)``)
        self.flask_params = {
            n.arg
            for n in self.nodes
            if isinstance(n, ast.arg)
            and n.annotation is not None
            and qualified(n.annotation, self.imports) in FLASK_CLASSES
        }

    def ref(self, node: ast.AST) -> ConfigRef:
        """What a configuration argument refers to."""
        line = getattr(node, "lineno", 0)
        text = text_of(node)
        value = const_str(node)
        if value is not None:
            return ConfigRef("string", line, text, value=value)
        keys = dict_keys(node)
        if keys is not None:
            return ConfigRef("literal", line, text, keys=keys)
        if isinstance(node, ast.Call):
            env = self.environ_get(node)
            if env is not None:
                return env
            if not node.args and not node.keywords:  # an instance: Config()
                node = node.func
        if isinstance(node, ast.Subscript):  # <flask app>.config['CELERY']
            key = const_str(node.slice)
            owner = dotted(node.value)
            if key is not None and owner is not None and owner.endswith(".config"):
                owner = owner[: -len(".config")]
                if owner in self.flask_apps or owner in self.flask_params:
                    return ConfigRef("flask_key", line, text, value=owner, attr=key)
        name = dotted(node)
        if name is not None:
            head, _, rest = name.partition(".")
            owner, _, attr = name.rpartition(".")
            if attr == "config" and owner in self.flask_apps:
                return ConfigRef("flask", line, text, value=owner)
            if head in self.imports:
                return ConfigRef(
                    "import", line, text, imported=self.imports[head], attr=rest or None
                )
            if head in self.local_classes:
                return ConfigRef("local", line, text, value=name)
            bound = self.local_values.get(head)
            if bound is not None and not rest:
                inner = self.ref(bound)
                if inner.kind != "dynamic":
                    return inner
            if head == "__name__" and not rest:
                return ConfigRef("string", line, text, value="__name__")
        return ConfigRef("dynamic", line, text)

    def environ_get(self, call: ast.Call) -> ConfigRef | None:
        """``os.environ.get('VAR', 'default')`` / ``os.getenv(...)`` / ``os.environ['VAR']``."""
        func = qualified(call.func, self.imports) or ""
        if func in ("os.environ.get", "os.getenv", "environ.get") and call.args:
            var = const_str(call.args[0])
            if var is not None:
                default = const_str(call.args[1]) if len(call.args) > 1 else None
                return ConfigRef("envvar", call.lineno, text_of(call), value=var, attr=default)
        return None
