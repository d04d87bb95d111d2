"""Celery apps in one Python module and how each one loads its configuration (plain ``ast``).

For every ``Celery(...)`` call (through any import alias, ``celery.Celery``, ``celery.app.App``
or a subclass defined in the module) this records:

* where the call is (CPK004 is reported there);
* the configuration sources that *replace* the app's configuration: ``config_from_object``,
  ``Celery(config_source=...)``, ``config_from_envvar``; and the ones that *add* to it:
  ``conf.update(<name>)``, ``add_defaults(<name>)``;
* the namespace (``namespace=`` on the constructor or on ``config_from_object``) and the loader
  (``loader=``: any loader but the app loader reads configuration of its own, the default
  loader ``celeryconfig``);
* whether the module itself sets ``CELERY_CONFIG_MODULE``, which every app without a
  configuration source of its own reads;
* the setting names the module writes itself (``app.conf.x = ...``, ``conf.update(x=...)``,
  ``changes=``, a literal dict given to ``config_from_object``, constructor keywords).

Calls are tied to an app by the name it is bound to (``app = Celery(...)``,
``self.app = Celery(...)``); when a module builds a single app, literal writes through any
``<x>.conf`` are tied to it too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flake8_celery_pickle import vocabulary
from flake8_celery_pickle.project.resolve import python_env_values
from flake8_celery_pickle.project.settings_module import dict_keys
from flake8_celery_pickle.python.gate import may_use_celery_class

if TYPE_CHECKING:
    from collections.abc import Callable

    #: Finds the app a configuration call's receiver stands for.
    Owner = Callable[[ast.AST], "App | None"]

CELERY_CLASSES = frozenset(
    {
        "celery.Celery",
        "celery.app.Celery",
        "celery.app.App",
        "celery.app.base.Celery",
    }
)


#: ``Celery(loader=...)`` values that name the app loader (``celery.loaders.app:AppLoader``, the
#: loader of every app built without one, and its base class, which reads configuration the
#: same way): written as a string, or as a reference through the module's imports. Any other
#: loader reads configuration of its own. Keep in step with the single-file checker's
#: ``app_config.APP_LOADERS``.
APP_LOADERS = frozenset(
    {
        "app",
        "celery.loaders.app:AppLoader",
        "celery.loaders.app.AppLoader",
        "celery.loaders.base:BaseLoader",
        "celery.loaders.base.BaseLoader",
    }
)
#: The default loader (``celery.loaders.default:Loader``): it reads the module named by
#: ``CELERY_CONFIG_MODULE``, else ``celeryconfig``.
DEFAULT_LOADERS = frozenset(
    {"default", "celery.loaders.default:Loader", "celery.loaders.default.Loader"}
)
#: The environment variable of the module every app without a configuration source reads.
CONFIG_MODULE_VAR = "CELERY_CONFIG_MODULE"


#: Flask application classes: ``<app>.config`` is a dict its code fills in.
FLASK_CLASSES = frozenset({"flask.Flask", "flask.app.Flask"})
#: ``<flask app>.config`` methods that load from places plain ``ast`` cannot read.
FLASK_UNREADABLE = frozenset(
    {"from_pyfile", "from_envvar", "from_file", "from_json", "from_prefixed_env"}
)


@dataclass(frozen=True)
class Import:
    """What a local name stands for: ``module`` (absolute or relative by ``level``) and,
    for ``from m import x``, the attribute ``attr``."""

    module: str
    level: int = 0
    attr: str | None = None


@dataclass(frozen=True)
class ConfigRef:
    """One place an app reads configuration from, as written in the module.

    ``kind`` is one of:
    ``string`` (a module path string: ``'pkg.mod'``, ``'pkg.mod:Obj'``, ``'django.conf:settings'``);
    ``import`` (a name imported in the module, see ``imported``);
    ``local`` (a class or value defined in the same module, named ``name``);
    ``envvar`` (``config_from_envvar('VAR')`` or ``os.environ.get('VAR', default)``);
    ``flask`` (``<flask app>.config`` of a Flask app bound in the same module to ``value``);
    ``literal`` (a dict written in place; its keys are in ``keys``);
    ``dynamic`` (anything else; ``text`` shows it);
    ``unknown`` (a source the resolver knows it cannot read; ``text`` says why).
    """

    kind: str
    line: int
    text: str
    value: str | None = None
    imported: Import | None = None
    attr: str | None = None
    keys: frozenset[str] = frozenset()


@dataclass
class App:
    """One ``Celery(...)`` call and everything the module does to its configuration."""

    path: str
    line: int
    col: int
    end_line: int | None
    end_col: int | None
    binding: str | None = None
    namespace: str | None = None
    namespace_dynamic: bool = False
    #: the ``loader=`` argument: a string, the dotted name of a reference, or (when
    #: ``loader_dynamic``) the text of an expression; None when there is none. With
    #: ``loader_env`` it is the fallback of ``os.environ.get(<loader_env>) or <loader>``.
    loader: str | None = None
    loader_env: str | None = None
    loader_dynamic: bool = False
    #: the module sets ``CELERY_CONFIG_MODULE`` itself (``os.environ.setdefault(...)``)
    sets_config_module: bool = False
    #: replacing sources, in source order (the last one wins at runtime)
    sources: list[ConfigRef] = field(default_factory=list)
    #: additive sources (``conf.update(<name>)``, ``add_defaults(<name>)``)
    extras: list[ConfigRef] = field(default_factory=list)
    #: setting names written in the module through ``app.conf`` and friends
    inline: set[str] = field(default_factory=set)
    #: setting names given as constructor keywords (honoured from Celery 5.1 only)
    kwargs: set[str] = field(default_factory=set)

    @property
    def custom_loader(self) -> bool:
        """Whether the app may use a loader other than the app loader (which reads nothing
        but ``CELERY_CONFIG_MODULE``)."""
        return bool(
            self.loader_env
            or self.loader_dynamic
            or (self.loader is not None and self.loader not in APP_LOADERS)
        )

    @property
    def loads_elsewhere(self) -> bool:
        """Whether the module loads configuration from elsewhere, in the sense of the
        single-file CPK004 (which stays silent for such apps)."""
        return bool(
            self.namespace
            or self.namespace_dynamic
            or any(ref.kind != "literal" for ref in self.sources)
            or self.extras
            or self.custom_loader
            or self.sets_config_module
        )


def collect_imports(nodes: Iterable[ast.AST]) -> dict[str, Import]:
    """Local name -> what it was imported as, for every import among ``nodes``."""
    found: dict[str, Import] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = Import(alias.name)
                else:
                    head = alias.name.split(".")[0]
                    found[head] = Import(head)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = Import(
                        node.module or "", node.level, alias.name
                    )
    return found


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def qualified(node: ast.AST, imports: dict[str, Import]) -> str | None:
    """The absolute dotted name an expression stands for, through the module's imports."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    imp = imports.get(head)
    if imp is None or imp.level:
        return name
    base = f"{imp.module}.{imp.attr}" if imp.attr else imp.module
    return f"{base}.{rest}" if rest else base


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _text(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:
        text = type(node).__name__
    return text if len(text) <= 80 else text[:77] + "..."


class _ModuleReader:
    def __init__(self, rel: str, module: ast.Module) -> None:
        self.rel = rel
        self.module = module
        #: every node of the module, walked once
        self.nodes = list(ast.walk(module))
        self.imports = collect_imports(self.nodes)
        self.celery_classes = set(CELERY_CLASSES)
        classes = [n for n in self.nodes if isinstance(n, ast.ClassDef)]
        self.local_classes = {n.name for n in classes}
        for node in classes:  # subclasses of Celery defined here
            if any(qualified(b, self.imports) in CELERY_CLASSES for b in node.bases):
                self.celery_classes.add(node.name)
        self.local_values = {
            t.id: stmt.value
            for stmt in module.body
            if isinstance(stmt, ast.Assign)
            for t in stmt.targets
            if isinstance(t, ast.Name)
        }
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

    def is_celery(self, call: ast.Call) -> bool:
        name = qualified(call.func, self.imports)
        return name in self.celery_classes

    # -- references ------------------------------------------------------------------------

    def ref(self, node: ast.AST) -> ConfigRef:
        """What a configuration argument refers to."""
        line = getattr(node, "lineno", 0)
        text = _text(node)
        value = _const_str(node)
        if value is not None:
            return ConfigRef("string", line, text, value=value)
        keys = dict_keys(node)
        if keys is not None:
            return ConfigRef("literal", line, text, keys=keys)
        if isinstance(node, ast.Call):
            env = self._environ_get(node)
            if env is not None:
                return env
            if not node.args and not node.keywords:  # an instance: Config()
                node = node.func
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

    def _environ_get(self, call: ast.Call) -> ConfigRef | None:
        """``os.environ.get('VAR', 'default')`` / ``os.getenv(...)`` / ``os.environ['VAR']``."""
        func = qualified(call.func, self.imports) or ""
        if func in ("os.environ.get", "os.getenv", "environ.get") and call.args:
            var = _const_str(call.args[0])
            if var is not None:
                default = _const_str(call.args[1]) if len(call.args) > 1 else None
                return ConfigRef("envvar", call.lineno, _text(call), value=var, attr=default)
        return None

    # -- the apps ----------------------------------------------------------------------------

    def apps(self) -> list[App]:
        apps: list[App] = []
        by_binding: dict[str, App] = {}
        for node in self.nodes:
            targets: list[ast.AST] = []
            value: ast.AST | None = None
            if isinstance(node, ast.Assign):
                targets, value = list(node.targets), node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            elif isinstance(node, ast.Return) and node.value is not None:
                value = node.value
            if not (isinstance(value, ast.Call) and self.is_celery(value)):
                continue
            app = self._app(value)
            for target in targets:
                name = dotted(target)
                if name:
                    app.binding = name
                    by_binding[name] = app
            apps.append(app)
        # Celery(...) calls that are not assigned or returned
        seen = {(a.line, a.col) for a in apps}
        for node in self.nodes:
            if isinstance(node, ast.Call) and self.is_celery(node):
                if (node.lineno, node.col_offset) not in seen:
                    apps.append(self._app(node))
        apps.sort(key=lambda a: (a.line, a.col))
        if apps:
            self._configuration_calls(apps, by_binding)
        return apps

    def _app(self, call: ast.Call) -> App:
        app = App(
            self.rel,
            call.lineno,
            call.col_offset,
            getattr(call, "end_lineno", None),
            getattr(call, "end_col_offset", None),
        )
        for kw in call.keywords:
            if kw.arg is None:
                keys = dict_keys(kw.value)
                if keys is not None:
                    app.kwargs.update(keys)
                continue
            if kw.arg == "namespace":
                self._namespace(app, kw.value)
            elif kw.arg == "config_source":
                app.sources.append(self.ref(kw.value))
            elif kw.arg == "changes":
                keys = dict_keys(kw.value)
                if keys is not None:
                    app.inline.update(keys)
                else:
                    app.extras.append(self.ref(kw.value))
            elif kw.arg == "loader":
                self._loader(app, kw.value)
            elif kw.arg not in vocabulary.APP_ARGUMENTS:
                app.kwargs.add(kw.arg)
        return app

    def _loader(self, app: App, node: ast.AST) -> None:
        """``loader='default'``, ``loader=AppLoader``, ``loader=os.environ.get('VAR') or
        'default'`` (as in Celery's own default app), or anything else (dynamic)."""
        if isinstance(node, ast.Constant) and node.value is None:
            return
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            first, fallback = node.values
            env = self._environ_get(first) if isinstance(first, ast.Call) else None
            if env is not None and env.attr is None:
                app.loader_env = env.value
                self._loader(app, fallback)
                return
        if isinstance(node, ast.Call):
            env = self._environ_get(node)
            if env is not None:
                app.loader_env, app.loader = env.value, env.attr
                return
        value = _const_str(node)
        name = dotted(node)
        if value is None and name is not None and name.partition(".")[0] in self.imports:
            value = qualified(node, self.imports)  # a class imported from its module
        if value is None:
            app.loader, app.loader_dynamic = _text(node), True
        else:
            app.loader = value

    def _namespace(self, app: App, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and node.value is None:
            return
        value = _const_str(node)
        if value is None:
            app.namespace_dynamic = True
        elif value:
            app.namespace = value

    def _configuration_calls(self, apps: list[App], by_binding: dict[str, App]) -> None:
        single = apps[0] if len(apps) == 1 else None

        def bound(receiver: ast.AST) -> App | None:
            name = dotted(receiver)
            return by_binding.get(name) if name is not None else None

        def owner(receiver: ast.AST) -> App | None:
            return bound(receiver) or single

        for node in self.nodes:
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
                var = _const_str(call.args[0]) if call.args else None
                if var is None:
                    arg = call.args[0] if call.args else call
                    app.sources.append(ConfigRef("dynamic", call.lineno, _text(arg)))
                else:
                    app.sources.append(ConfigRef("envvar", call.lineno, _text(call), value=var))
                return
            arg_node: ast.AST | None = call.args[0] if call.args else None
            for kw in call.keywords:
                if kw.arg == "obj":
                    arg_node = kw.value
                elif kw.arg == "namespace":
                    self._namespace(app, kw.value)
            if arg_node is not None:
                ref = self.ref(arg_node)
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
            name = _const_str(call.args[0])
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
                    key = _const_str(elt.elts[0])
                    if key is not None:
                        app.inline.add(key)
            return
        if may_add_source:
            app.extras.append(self.ref(node))

    def _conf_write(self, target: ast.AST, owner: Owner) -> None:
        # app.conf.name = ... / app.conf['name'] = ...
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute):
            if target.value.attr == "conf":
                app = owner(target.value.value)
                if app is not None:
                    app.inline.add(target.attr)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute):
            if target.value.attr == "conf":
                key = _const_str(target.slice)
                app = owner(target.value.value)
                if app is not None and key is not None:
                    app.inline.add(key)


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
    reader = _ModuleReader(rel, module)
    if binding not in reader.flask_apps:
        return None
    found = FlaskConfig()

    def is_config(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "config"
            and dotted(node.value) == binding
        )

    for node in reader.nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if not is_config(node.func.value):
                continue
            method = node.func.attr
            if method == "from_object" and node.args:
                found.objects.append(reader.ref(node.args[0]))
            elif method in ("from_mapping", "update"):
                # from_mapping keeps upper-case keys only; update is a plain dict update
                keys = _call_keys(node, found, rel)
                if method == "from_mapping":
                    keys = {k for k in keys if k.isupper()}
                found.keys.update(keys)
            elif method == "setdefault" and node.args:
                key = _const_str(node.args[0])
                if key is not None:
                    found.keys.add(key)
            elif method in FLASK_UNREADABLE:
                found.unknown.append(
                    f"{binding}.config.{method}({', '.join(_text(a) for a in node.args)}) in "
                    f"{rel} loads Flask settings that cannot be read statically"
                )
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and is_config(target.value):
                    key = _const_str(target.slice)
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
                f"the Flask config in {rel} is updated from `{_text(node)}`, "
                "which cannot be read statically"
            )
        else:
            keys.update(literal)
    return keys


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
            name = _const_str(node.args[1])
            if name is not None:
                found.append((node.args[0].value, name))
    return found


def find_apps(rel: str, module: ast.Module) -> list[App]:
    """Every Celery app built in ``module`` (file ``rel``), with its configuration calls."""
    reader = _ModuleReader(rel, module)
    apps = reader.apps()
    if apps:
        if python_env_values(module, CONFIG_MODULE_VAR):
            for app in apps:
                app.sets_config_module = True
        by_binding = {a.binding: a for a in apps if a.binding}
        for receiver, name in _setattr_writes(reader.nodes):
            key = dotted(receiver)
            app = by_binding.get(key) if key else None
            if app is None and len(apps) == 1:
                app = apps[0]
            if app is not None:
                app.inline.add(name)
    return apps


#: ``from celery.app import App``: the old name of the class, on an import line.
_APP_IMPORT = re.compile(r"^[ \t]*(?:from|import)\b[^\n]*\bApp\b", re.MULTILINE)


def may_build_app(text: str) -> bool:
    """Cheap text test: can this module build a Celery app at all? (It must import celery, and
    use the class as the single-file gate sees it, or import its old name ``App``.)"""
    if "celery" not in text or ("Celery" not in text and "App" not in text):
        return False
    return may_use_celery_class(text) or ("App" in text and _APP_IMPORT.search(text) is not None)


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
