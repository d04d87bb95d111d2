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
                keys = _call_keys(node, found, rel)
                if method == "from_mapping":
                    keys = {k for k in keys if k.isupper()}
                found.keys.update(keys)
            elif method == "setdefault" and node.args:
                key = const_str(node.args[0])
                if key is not None:
                    found.keys.add(key)
            elif method in FLASK_UNREADABLE:
                found.unknown.append(
                    f"{binding}.config.{method}({', '.join(text_of(a) for a in node.args)}) in "
                    f"{rel} loads Flask settings that cannot be read statically"
                )
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and is_config(target.value):
                    key = const_str(target.slice)
                    if key is not None:
                        found.keys.add(key)
    return found


def _call_keys(call: ast.Call, found: FlaskConfig, rel: str) -> set[str]:
    """Keys a ``from_mapping`` / ``update`` call writes; what it cannot show goes to
    ``found.unknown``."""
    keys = {kw.arg for kw in call.keywords if kw.arg is not None}
    for node in [*call.args, *(kw.value for kw in call.keywords if kw.arg is None)]:
        literal = dict_keys(node)
        if literal is None:
            found.unknown.append(
                f"the Flask config in {rel} is updated from `{text_of(node)}`, "
                "which cannot be read statically"
            )
        else:
            keys.update(literal)
    return keys
