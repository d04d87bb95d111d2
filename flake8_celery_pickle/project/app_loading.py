"""How each Celery app of a module loads its configuration (plain ``ast``).

For apps already found (:mod:`~flake8_celery_pickle.project.apps`) this records on each
:class:`~flake8_celery_pickle.project.app_model.App`:

* the configuration sources that *replace* the app's configuration: ``config_from_object``,
  ``Celery(config_source=...)``, ``config_from_envvar``; and the ones that *add* to it:
  ``conf.update(<name>)``, ``add_defaults(<name>)``;
* the namespace (``namespace=`` on the constructor or on ``config_from_object``) and the loader
  (``loader=``: any loader but the app loader reads configuration of its own, the default
  loader ``celeryconfig``);
* whether the module itself sets ``CELERY_CONFIG_MODULE``, which every app without a
  configuration source of its own reads;
* the setting names the module writes itself (``app.conf.x = ...``, ``conf.update(x=...)``,
  ``changes=``, ``setattr(app.conf, ...)``, a literal dict given to ``config_from_object``,
  constructor keywords).

Calls are tied to an app by the name it is bound to (``app = Celery(...)``,
``self.app = Celery(...)``); when a module builds a single app, literal writes through any
``<x>.conf`` are tied to it too. :func:`may_load_elsewhere` is the cheap text test before any
of this.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.project.app_model import App, ConfigRef
from flake8_celery_pickle.project.environment import python_env_values
from flake8_celery_pickle.project.expressions import const_str, dict_keys, dotted, qualified
from flake8_celery_pickle.project.references import ModuleReferences, text_of
from flake8_celery_pickle.vocabulary import CONFIG_MODULE_VAR

if TYPE_CHECKING:
    from collections.abc import Callable

    #: Finds the app a configuration call's receiver stands for.
    Owner = Callable[[ast.AST], "App | None"]


class AppLoading:
    """Reads what one module does to its apps' configuration."""

    def __init__(self, refs: ModuleReferences) -> None:
        self.refs = refs

    def constructor(self, app: App, call: ast.Call) -> None:
        """The keywords of the ``Celery(...)`` call that built ``app``."""
        for kw in call.keywords:
            if kw.arg is None:
                keys = dict_keys(kw.value)
                if keys is not None:
                    app.kwargs.update(keys)
                continue
            if kw.arg == "namespace":
                self._namespace(app, kw.value)
            elif kw.arg == "config_source":
                app.sources.append(self.refs.ref(kw.value))
            elif kw.arg == "changes":
                keys = dict_keys(kw.value)
                if keys is not None:
                    app.inline.update(keys)
                else:
                    app.extras.append(self.refs.ref(kw.value))
            elif kw.arg == "loader":
                self._loader(app, kw.value)
            elif kw.arg not in vocabulary.APP_ARGUMENTS:
                app.kwargs.add(kw.arg)

    def _loader(self, app: App, node: ast.AST) -> None:
        """``loader='default'``, ``loader=AppLoader``, ``loader=os.environ.get('VAR') or
        'default'`` (as in Celery's own default app), or anything else (dynamic)."""
        if isinstance(node, ast.Constant) and node.value is None:
            return
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            first, fallback = node.values
            env = self.refs.environ_get(first) if isinstance(first, ast.Call) else None
            if env is not None and env.attr is None:
                app.loader_env = env.value
                self._loader(app, fallback)
                return
        if isinstance(node, ast.Call):
            env = self.refs.environ_get(node)
            if env is not None:
                app.loader_env, app.loader = env.value, env.attr
                return
        value = const_str(node)
        name = dotted(node)
        if value is None and name is not None and name.partition(".")[0] in self.refs.imports:
            value = qualified(node, self.refs.imports)  # a class imported from its module
        if value is None:
            app.loader, app.loader_dynamic = text_of(node), True
        else:
            app.loader = value

    def _namespace(self, app: App, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and node.value is None:
            return
        value = const_str(node)
        if value is None:
            app.namespace_dynamic = True
        elif value:
            app.namespace = value

    def configuration_calls(self, apps: list[App], by_binding: dict[str, App]) -> None:
        """Configuration calls and writes anywhere in the module, tied to ``apps`` (each
        binding of an app maps to it in ``by_binding``)."""
        single = apps[0] if len(apps) == 1 else None

        def bound(receiver: ast.AST) -> App | None:
            name = dotted(receiver)
            return by_binding.get(name) if name is not None else None

        def owner(receiver: ast.AST) -> App | None:
            return bound(receiver) or single

        for node in self.refs.nodes:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                self._call(node, node.func, bound, owner)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    self._conf_write(target, owner)

    def _call(self, call: ast.Call, func: ast.Attribute, bound: Owner, owner: Owner) -> None:
        """Configuration calls. Sources are tied to an app only through its binding; literal
        writes through ``<x>.conf`` also to the module's only app, whatever ``<x>`` is."""
        method = func.attr
        if method in ("config_from_object", "config_from_envvar"):
            app = bound(func.value)
            if app is None:
                return
            if method == "config_from_envvar":
                var = const_str(call.args[0]) if call.args else None
                if var is None:
                    arg = call.args[0] if call.args else call
                    app.sources.append(ConfigRef("dynamic", call.lineno, text_of(arg)))
                else:
                    app.sources.append(ConfigRef("envvar", call.lineno, text_of(call), value=var))
                return
            arg_node: ast.AST | None = call.args[0] if call.args else None
            for kw in call.keywords:
                if kw.arg == "obj":
                    arg_node = kw.value
                elif kw.arg == "namespace":
                    self._namespace(app, kw.value)
            if arg_node is not None:
                ref = self.refs.ref(arg_node)
                if ref.kind == "literal":
                    app.inline.update(ref.keys)
                app.sources.append(ref)
            return
        # <app>.conf.update / setdefault / add_defaults, <app>.add_defaults
        on_conf = isinstance(func.value, ast.Attribute) and func.value.attr == "conf"
        receiver = func.value.value if on_conf else func.value  # type: ignore[attr-defined]
        if (method == "update" and on_conf) or method == "add_defaults":
            app = bound(receiver)
            strict = app is not None
            app = app or (owner(receiver) if on_conf else None)
            if app is None:
                return
            for kw in call.keywords:
                if kw.arg is not None:
                    app.inline.add(kw.arg)
                else:
                    self._mapping(app, kw.value, strict)
            for arg in call.args:
                self._mapping(app, arg, strict)
        elif method == "setdefault" and on_conf and call.args:
            app = owner(receiver)
            name = const_str(call.args[0])
            if app is not None and name is not None:
                app.inline.add(name)

    def _mapping(self, app: App, node: ast.AST, may_add_source: bool) -> None:
        keys = dict_keys(node)
        if keys is not None:
            app.inline.update(keys)
            return
        if isinstance(node, (ast.List, ast.Tuple)):  # [(key, value), ...]
            for elt in node.elts:
                if isinstance(elt, (ast.Tuple, ast.List)) and elt.elts:
                    key = const_str(elt.elts[0])
                    if key is not None:
                        app.inline.add(key)
            return
        if may_add_source:
            app.extras.append(self.refs.ref(node))

    def _conf_write(self, target: ast.AST, owner: Owner) -> None:
        # app.conf.name = ... / app.conf['name'] = ...
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute):
            if target.value.attr == "conf":
                app = owner(target.value.value)
                if app is not None:
                    app.inline.add(target.attr)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute):
            if target.value.attr == "conf":
                key = const_str(target.slice)
                app = owner(target.value.value)
                if app is not None and key is not None:
                    app.inline.add(key)

    def module_wide(self, apps: list[App]) -> None:
        """What the module does for all its apps: ``CELERY_CONFIG_MODULE`` set in it, and
        ``setattr(<x>.conf, 'name', value)`` writes."""
        if python_env_values(self.refs.module, CONFIG_MODULE_VAR):
            for app in apps:
                app.sets_config_module = True
        by_binding = {a.binding: a for a in apps if a.binding}
        for receiver, name in _setattr_writes(self.refs.nodes):
            key = dotted(receiver)
            app = by_binding.get(key) if key else None
            if app is None and len(apps) == 1:
                app = apps[0]
            if app is not None:
                app.inline.add(name)


def _setattr_writes(nodes: Iterable[ast.AST]) -> list[tuple[ast.AST, str]]:
    """``setattr(<x>.conf, 'name', value)`` calls: (receiver of conf, name)."""
    found: list[tuple[ast.AST, str]] = []
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Attribute)
            and node.args[0].attr == "conf"
        ):
            name = const_str(node.args[1])
            if name is not None:
                found.append((node.args[0].value, name))
    return found


#: Words one of which a module must hold for an app of it to load configuration from elsewhere
#: (see :attr:`App.loads_elsewhere`): ``config_from_object``, ``config_from_envvar``,
#: ``config_source=``, ``namespace=``, ``changes=``, ``add_defaults(...)``, ``loader=``,
#: ``CELERY_CONFIG_MODULE`` set in the module.
_LOADING_WORDS = (
    "config_from_object",
    "config_from_envvar",
    "config_source",
    "namespace",
    "changes",
    "add_defaults",
    "loader",
    CONFIG_MODULE_VAR,
)
#: ``<app>.conf.update(...)``, whatever spaces, line breaks or brackets stand between (no
#: ``\b``: without it the search runs several times faster, and a few more modules pass).
_CONF_UPDATE = re.compile(r"conf\W*update")


def may_load_elsewhere(text: str) -> bool:
    """Cheap text test: can an app built in this module load configuration from elsewhere?
    (False means :attr:`App.loads_elsewhere` is false for every app the module builds.)"""
    if any(word in text for word in _LOADING_WORDS):
        return True
    return "update" in text and _CONF_UPDATE.search(text) is not None
