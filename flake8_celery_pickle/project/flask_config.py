"""What a module puts into a Flask app's ``config`` (plain ``ast``): the keys it writes in
place, the objects it loads with ``from_object``, and the loads that cannot be read."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from flake8_celery_pickle.project.app_model import ConfigRef
from flake8_celery_pickle.project.expressions import const_str, dict_keys, dotted
from flake8_celery_pickle.project.references import ModuleReferences, text_of

#: ``<flask app>.config`` methods that load from places plain ``ast`` cannot read.
FLASK_UNREADABLE = frozenset(
    {"from_pyfile", "from_envvar", "from_file", "from_json", "from_prefixed_env"}
)


@dataclass
class FlaskConfig:
    """What a module puts into ``<flask app>.config``: keys written in place, objects loaded
    with ``from_object`` (Flask keeps their upper-case attributes only), and what cannot be
    read."""

    keys: set[str] = field(default_factory=set)
    objects: list[ConfigRef] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    #: key -> the values written for it in place, in source order
    values: dict[str, list[ast.AST]] = field(default_factory=dict)
    #: the ``from_prefixed_env`` loads among ``unknown``: they can only add keys from the
    #: environment at run time
    prefixed: list[str] = field(default_factory=list)

    def write(self, key: str | None, value: ast.AST | None) -> None:
        """Record that ``key`` is written (with ``value`` when it is shown)."""
        if key is None:
            return
        self.keys.add(key)
        if value is not None:
            self.values.setdefault(key, []).append(value)


def flask_config(rel: str, module: ast.Module, binding: str) -> FlaskConfig | None:
    """The configuration module ``rel`` gives the Flask app bound to ``binding``; None when
    no ``Flask(...)`` is bound to that name there."""
    refs = ModuleReferences(rel, module)
    if binding not in refs.flask_apps:
        return None
    found = FlaskConfig()

    def is_config(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "config"
            and dotted(node.value) == binding
        )

    for node in refs.nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if not is_config(node.func.value):
                continue
            method = node.func.attr
            if method == "from_object" and node.args:
                found.objects.append(refs.ref(node.args[0]))
            elif method in ("from_mapping", "update"):
                # from_mapping keeps upper-case keys only; update is a plain dict update
                for key, value in _call_items(node, found, rel):
                    if method == "update" or key.isupper():
                        found.write(key, value)
            elif method == "setdefault" and node.args:
                found.write(const_str(node.args[0]), node.args[1] if len(node.args) > 1 else None)
            elif method in FLASK_UNREADABLE:
                why = (
                    f"{binding}.config.{method}({', '.join(text_of(a) for a in node.args)}) in "
                    f"{rel} loads Flask settings that cannot be read statically"
                )
                found.unknown.append(why)
                if method == "from_prefixed_env":
                    found.prefixed.append(why)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and is_config(target.value):
                    found.write(const_str(target.slice), node.value)
    return found


def _call_items(call: ast.Call, found: FlaskConfig, rel: str) -> list[tuple[str, ast.AST]]:
    """Keys a ``from_mapping`` / ``update`` call writes, with their values; what it cannot
    show goes to ``found.unknown``."""
    items = [(kw.arg, kw.value) for kw in call.keywords if kw.arg is not None]
    for node in [*call.args, *(kw.value for kw in call.keywords if kw.arg is None)]:
        if isinstance(node, ast.Dict) and dict_keys(node) is not None:
            items.extend((const_str(k) or "", v) for k, v in zip(node.keys, node.values))
            continue
        literal = dict_keys(node)
        if literal is None:
            found.unknown.append(
                f"the Flask config in {rel} is updated from `{text_of(node)}`, "
                "which cannot be read statically"
            )
        elif isinstance(node, ast.Call):  # dict(KEY=value)
            items.extend((str(kw.arg), kw.value) for kw in node.keywords)
    return items


def class_value(module: ast.Module, ref: ConfigRef, name: str) -> ast.AST | None:
    """The value the class ``ref`` names, defined at the top level of ``module`` without
    bases, gives ``name`` in its body; None when that cannot be told."""
    for cls in module.body:
        if isinstance(cls, ast.ClassDef) and cls.name == ref.value and not cls.bases:
            values = [
                stmt.value
                for stmt in cls.body
                if isinstance(stmt, ast.Assign) and [dotted(t) for t in stmt.targets] == [name]
            ]
            return values[0] if len(values) == 1 else None
    return None
